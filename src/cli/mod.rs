//! The command line: `svcpolicy [FILE...]` renders (the post-renderer form), `check` reports,
//! `diff` shows, `ports` prints the port plan, `test` runs a folder of policy fixtures, and
//! `schema`, `completions`, `man` and `policy default` print what they name. All input is read
//! before anything is written, and on failure nothing reaches stdout.
//!
//! `args` is what clap reads, `config` resolves a run's arguments once, `commands` are the
//! bodies, `failure` reports a run that fails outright; `diff`, `in_place` and `policy_tests`
//! serve single commands.

mod args;
mod commands;
mod config;
mod diff;
mod failure;
mod in_place;
mod policy_tests;

use crate::exit_code::ExitCode;
use crate::policy;
use anyhow::{Context, Result};
use args::{Cli, Command, Format, PolicyCommand};
use clap::{CommandFactory, Parser};
use commands::to_stdout;
use failure::{failure_report, is_broken_pipe};
use std::path::Path;

/// Runs the command line and returns the exit status.
pub fn main() -> ExitCode {
    // The reading recurses as deep as a document nests (Go allows 10,000 levels): the whole run
    // gets the readers' stack, not the main thread's 8 MiB.
    let run = std::thread::Builder::new().stack_size(crate::parallel::STACK).spawn(main_on_a_big_stack);
    match run.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => main_on_a_big_stack(),
    }
}

fn main_on_a_big_stack() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::Error } else { ExitCode::Success };
        }
    };
    let report_path = cli.report_path().map(Path::to_path_buf);
    let github = matches!(cli.command, Some(Command::Check { format: Format::Github, .. }));
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped early (`| head`) got what it wanted.
        Err(e) if is_broken_pipe(&e) => ExitCode::Success,
        Err(e) => {
            eprintln!("svcpolicy: error: {e:#}");
            if github {
                // The failure is what fails the job: annotate it like any other error.
                let _ = to_stdout(&failure_report(&e).to_github(true));
            }
            if let Some(path) = report_path {
                // Helm 4 throws stderr away: the report file is all the user gets.
                match std::fs::write(&path, failure_report(&e).to_json()) {
                    Ok(()) => eprintln!("svcpolicy: the report is in {}", path.display()),
                    Err(w) => eprintln!("svcpolicy: error: cannot write the report to {}: {w}", path.display()),
                }
            }
            ExitCode::Error
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        None => commands::render(&cli.run, cli.in_place),
        Some(Command::Check { run, format }) => commands::check(&run, format),
        Some(Command::Diff { run, color }) => commands::diff(&run, color.colors()),
        Some(Command::Test { dir, update, color, namespace }) => {
            let summary = policy_tests::run(&dir, update, color.colors(), &namespace)?;
            to_stdout(&summary.text)?;
            Ok(ExitCode::findings_if(summary.failed > 0))
        }
        Some(Command::Ports { run, format }) => commands::ports(&run, format),
        Some(Command::Schema) => {
            to_stdout(&(serde_json::to_string_pretty(&policy::schema()).expect("a schema serialises") + "\n"))?;
            Ok(ExitCode::Success)
        }
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "svcpolicy", &mut script);
            to_stdout(&String::from_utf8_lossy(&script))?;
            Ok(ExitCode::Success)
        }
        Some(Command::Man) => {
            to_stdout(&commands::man_page().context("cannot render the man page")?)?;
            Ok(ExitCode::Success)
        }
        Some(Command::Policy { command: PolicyCommand::Default }) => {
            to_stdout(policy::DEFAULT_POLICY)?;
            Ok(ExitCode::Success)
        }
    }
}
