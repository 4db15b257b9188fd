//! A run that fails before it has a report (no policy file, an unreadable input, a cluster
//! state that cannot be read, a write that fails): the error marked with what kind of problem
//! it is and which file, and the one-error report written for it.

use crate::input::Location;
use crate::report::{Problem, Report};
use std::path::Path;

/// An error that stopped a run before it had a report: what kind of problem, and which file.
#[derive(Debug, thiserror::Error)]
#[error("{error:#}")]
pub struct Failed {
    problem: Problem,
    file: Option<String>,
    error: anyhow::Error,
}

/// Marks an error as `problem`, about `file`, for the report a failed run writes.
pub fn failed(problem: Problem, file: Option<&Path>) -> impl FnOnce(anyhow::Error) -> anyhow::Error {
    let file = file.map(|f| f.display().to_string());
    move |error| anyhow::Error::new(Failed { problem, file, error })
}

/// The report of a run that failed outright: one error, the failure itself.
pub fn failure_report(e: &anyhow::Error) -> Report {
    let marked = e.chain().find_map(|c| c.downcast_ref::<Failed>());
    let problem = marked.map_or(Problem::Internal, |f| f.problem);
    let location = Location::whole_file(marked.and_then(|f| f.file.clone()));
    let mut report = Report::default();
    report.error(problem, location, None, format!("{e:#}"), None);
    report
}

/// A reader that stopped early (`| head`): it got what it wanted.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
