fn main() {
    std::process::exit(svcpolicy::cli::main());
}
