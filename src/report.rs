//! What a run found and did, for people (one line each on stderr, or `check`'s text) and for
//! machines (the JSON report, which `--report FILE` writes even when the run fails, since Helm 4
//! throws a post-renderer's stderr away).

use crate::change::Change;
use crate::exit_code::ExitCode;
use crate::input::Location;
use serde::Serialize;
use std::fmt::Write as _;

/// How bad a finding is, and so which exit status it leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// The policy refuses the resource (exit 1).
    Denied,
    /// Two resources claim one port (exit 1).
    Conflict,
    /// The input is not valid YAML or not a valid object (exit 2).
    InvalidInput,
    /// The policy cannot be applied as written (exit 2).
    InvalidPolicy,
    /// The cluster state (`--cluster-state` or `--from-cluster`) cannot be read (exit 2).
    ClusterState,
    /// svcpolicy could not do what it decided (exit 2).
    Internal,
}

impl Problem {
    /// The exit status an error of this kind leads to.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Problem::Denied | Problem::Conflict => ExitCode::Findings,
            Problem::InvalidInput | Problem::InvalidPolicy | Problem::ClusterState | Problem::Internal => {
                ExitCode::Error
            }
        }
    }
}

/// A warning or an error: what, where, and which rule said so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// How bad it is; warnings have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
    /// The resource it is about; the default location stands for the policy itself.
    pub location: Location,
    /// The field at fault, as people write it: `spec.ports[0].port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// The rule behind it: `rule 'NAME'`, or `rules[N]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A change, and the resource it was made to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRecord {
    /// The resource changed.
    pub location: Location,
    /// The field, its old and new value, and why (one JSON record with the location).
    #[serde(flatten)]
    pub change: Change,
}

/// What a run found and did: the JSON report (`--report`) and the lines on stderr.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Every change made, or that a render would make (`check`).
    pub changes: Vec<ChangeRecord>,
    /// What is worth saying but fails nothing.
    pub warnings: Vec<Finding>,
    /// What fails the run; the worst decides the exit status.
    pub errors: Vec<Finding>,
}

impl Report {
    /// The worst error decides: none is success, a denial or a conflict is a finding, anything
    /// else makes the run itself fail.
    pub fn exit_code(&self) -> ExitCode {
        self.errors.iter().filter_map(|e| e.problem).max().map_or(ExitCode::Success, Problem::exit_code)
    }

    /// Appends another report's findings after this one's.
    pub fn merge(&mut self, other: Report) {
        self.changes.extend(other.changes);
        self.warnings.extend(other.warnings);
        self.errors.extend(other.errors);
    }

    /// Records an error; its `problem` decides the exit status.
    pub fn error(
        &mut self,
        problem: Problem,
        location: Location,
        field: Option<String>,
        message: impl Into<String>,
        rule: Option<String>,
    ) {
        self.errors.push(Finding { problem: Some(problem), location, field, message: message.into(), rule });
    }

    /// Records a warning: said, but the run passes.
    pub fn warn(&mut self, location: Location, message: impl Into<String>, rule: Option<String>) {
        self.warnings.push(Finding { problem: None, location, field: None, message: message.into(), rule });
    }

    /// The JSON report, pretty-printed, with a final line break.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serialises") + "\n"
    }

    /// One line per change, warning and error.
    pub fn to_text(&self, show_changes: bool) -> String {
        let mut out = String::new();
        if show_changes {
            for c in &self.changes {
                let _ = writeln!(out, "change: {}: {}", c.location, describe_change(&c.change));
            }
        }
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {}", describe(w));
        }
        for e in &self.errors {
            let _ = writeln!(out, "error: {}", describe(e));
        }
        out
    }

    /// GitHub Actions workflow commands for `check`: `::error` for what fails the job (errors,
    /// and the changes a render would make), `::warning` for warnings. `file=` is the path the
    /// input was read from (none for stdin), `line=` the line of the document in that file, so
    /// annotations land on the lines of the files in a pull request. Without `show_changes`, one
    /// error counts the changes instead.
    pub fn to_github(&self, show_changes: bool) -> String {
        let mut out = String::new();
        let mut annotate = |level: &str, loc: &Location, text: String| {
            let mut props = Vec::new();
            if let Some(file) = &loc.file {
                props.push(format!("file={}", escape_property(file)));
            }
            if loc.line > 0 {
                props.push(format!("line={}", loc.line));
            }
            let props = if props.is_empty() { String::new() } else { format!(" {}", props.join(",")) };
            let _ = writeln!(out, "::{level}{props}::{}", escape_data(&text));
        };
        if show_changes {
            for c in &self.changes {
                annotate("error", &c.location, format!("{}: {}", c.location, describe_change(&c.change)));
            }
        } else if !self.changes.is_empty() {
            annotate("error", &Location::default(), change_count(self).trim_end().to_string());
        }
        for w in &self.warnings {
            annotate("warning", &w.location, describe(w));
        }
        for e in &self.errors {
            annotate("error", &e.location, describe(e));
        }
        out
    }
}

/// `check -q`'s one line in place of the changes: how many, and how to see them.
pub fn change_count(report: &Report) -> String {
    match report.changes.len() {
        0 => String::new(),
        1 => "a render would make 1 change (run without -q to see it)\n".to_string(),
        n => format!("a render would make {n} changes (run without -q to see them)\n"),
    }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn describe(f: &Finding) -> String {
    // A whole file (one that cannot be read, say) has no line; its message names it.
    let whole_file = f.location.line == 0 && f.location.file.is_some();
    let mut s = if whole_file { String::new() } else { format!("{}: ", f.location) };
    if let Some(field) = &f.field {
        s.push_str(&format!("{field}: "));
    }
    s.push_str(&f.message);
    if let Some(rule) = &f.rule {
        s.push_str(&format!(" [{rule}]"));
    }
    s
}

/// A change in words: `removed F (was V): why`, `set F to V: why`, or `F A -> B: why`.
pub fn describe_change(c: &Change) -> String {
    let show = |v: &Option<serde_json::Value>| v.as_ref().map_or("(absent)".to_string(), |v| v.to_string());
    match (&c.from, &c.to) {
        (Some(_), None) => format!("removed {} (was {}): {}", c.field, show(&c.from), c.reason),
        (None, Some(_)) => format!("set {} to {}: {}", c.field, show(&c.to), c.reason),
        _ => format!("{} {} -> {}: {}", c.field, show(&c.from), show(&c.to), c.reason),
    }
}
