//! The `svcpolicy` binary. Everything is in the library; `cli::main` runs the command line and
//! says how the process exits.

fn main() -> std::process::ExitCode {
    svcpolicy::cli::main().into()
}
