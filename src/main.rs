fn main() -> std::process::ExitCode {
    svcpolicy::cli::main().into()
}
