//! `svcpolicy test DIR`: snapshot tests of users' own policies (not the crate's own tests). Each
//! folder `DIR/<case>/` holds `input.yaml`, the expected output `expected.yaml` (or, for a render
//! that must fail, `expected-errors.txt`), and `policy.yaml` unless `DIR/policy.yaml` serves
//! every case; a `cluster-state.yaml` is used where present. `--update` writes what the render
//! gives.

use crate::cli::diff::unified_diff;
use crate::input::cluster::ClusterState;
use crate::input::Input;
use crate::policy;
use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The result of `svcpolicy test`: counts for the exit status, and the text to print.
pub struct Summary {
    /// Cases whose render gave what they expect (with `--update`, every case updated).
    pub passed: usize,
    /// Cases that gave something else, or could not run (no policy, a bad policy).
    pub failed: usize,
    /// What to print: a line per case, diffs for failures, and the totals.
    pub text: String,
}

/// Runs every case under `dir`, in name order.
pub fn run(dir: &Path, update: bool, color: bool, namespace: &str) -> Result<Summary> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the fixture folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input.yaml").is_file())
        .collect();
    cases.sort();
    if cases.is_empty() {
        bail!("no cases in {}: each case is a folder holding input.yaml", dir.display());
    }
    let mut summary = Summary { passed: 0, failed: 0, text: String::new() };
    for case in &cases {
        let name = case.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let verdict = run_case(dir, case, &name, update, color, namespace)?;
        match verdict {
            Verdict::Passed => summary.passed += 1,
            Verdict::Updated => {
                summary.passed += 1;
                let _ = writeln!(summary.text, "updated {name}");
            }
            Verdict::Failed(why) => {
                summary.failed += 1;
                let _ = writeln!(summary.text, "FAILED {name}: {why}");
            }
        }
    }
    let _ = writeln!(summary.text, "fixtures: {} passed, {} failed", summary.passed, summary.failed);
    Ok(summary)
}

enum Verdict {
    Passed,
    Updated,
    Failed(String),
}

const OUTPUT: &str = "expected.yaml";
const ERRORS: &str = "expected-errors.txt";

fn run_case(dir: &Path, case: &Path, name: &str, update: bool, color: bool, namespace: &str) -> Result<Verdict> {
    let policy_path = [case.join("policy.yaml"), dir.join("policy.yaml")].into_iter().find(|p| p.is_file());
    let Some(policy_path) = policy_path else {
        return Ok(Verdict::Failed(format!("no policy.yaml in the case or in {}", dir.display())));
    };
    let policy_text =
        std::fs::read_to_string(&policy_path).with_context(|| format!("cannot read {}", policy_path.display()))?;
    let policy = match policy::parse(&policy_text) {
        Ok(p) => p,
        Err(e) => return Ok(Verdict::Failed(format!("{}: {e}", policy_path.display()))),
    };
    let state = case.join("cluster-state.yaml");
    let cluster = if state.is_file() { ClusterState::from_file(&state, namespace)? } else { ClusterState::default() };
    let input = std::fs::read(case.join("input.yaml")).with_context(|| format!("cannot read {name}/input.yaml"))?;
    let (output, report) = crate::pipeline::render(Input { path: None, bytes: input }, &policy, namespace, &cluster);
    // A render that succeeds is checked against its output; one that fails, against its errors.
    let (file, other, actual) = match output {
        Some(out) => (OUTPUT, ERRORS, out),
        None => {
            let errors: String =
                report.to_text(false).lines().filter(|l| l.starts_with("error: ")).map(|l| format!("{l}\n")).collect();
            (ERRORS, OUTPUT, errors.into_bytes())
        }
    };
    let expected_path = case.join(file);
    let expected = std::fs::read(&expected_path).ok();
    if expected.as_deref() == Some(&actual[..]) && !case.join(other).exists() {
        return Ok(Verdict::Passed);
    }
    if update {
        std::fs::write(&expected_path, &actual).with_context(|| format!("cannot write {}", expected_path.display()))?;
        let _ = std::fs::remove_file(case.join(other));
        return Ok(Verdict::Updated);
    }
    Ok(Verdict::Failed(match expected {
        None if file == ERRORS => {
            format!("the render fails, and there is no {ERRORS}:\n{}", String::from_utf8_lossy(&actual))
        }
        None => format!("there is no {file} (run with --update to accept the output)"),
        Some(expected) => {
            format!("{file} differs:\n{}", unified_diff(&format!("{name}/{file}"), &expected, &actual, color))
        }
    }))
}
