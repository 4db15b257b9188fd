//! One run, from inputs to outputs: read every input, check the policy, plan every change, and
//! edit the documents only when all of that went clean. The command line (render, `check`,
//! `diff`, `ports`, the KRM function), `svcpolicy test`, the benchmarks and the fuzz targets all
//! run through here, so they all mean the same thing by a run.
//!
//! The data flows one way: `input` -> `plan` -> `output`; `report` collects what each finds.

use crate::input::cluster::ClusterState;
use crate::input::{self, Input, Location, Manifest};
use crate::output::{self, Output};
use crate::plan::{self, port_plan::Claim, Targets};
use crate::policy::Policy;
use crate::report::{Problem, Report};

/// Everything a run read and decided, before anything is edited or written.
pub struct Outcome {
    /// The inputs, split into documents, every document read.
    pub manifests: Vec<Manifest>,
    /// What each changed document should mean, and the routes generated to follow documents.
    pub targets: Targets,
    /// Every change, warning and error found so far; `outputs` adds what editing finds.
    pub report: Report,
    /// Every claim on a node's ports, the render's and the cluster's (`svcpolicy ports`).
    pub claims: Vec<Claim>,
}

/// Reads the inputs and plans every change. `outputs` then edits the documents.
pub fn process(inputs: Vec<Input>, policy: &Policy, namespace: &str, cluster: &ClusterState) -> Outcome {
    let (manifests, input_errors) = input::read(inputs);
    let mut report = Report::default();
    for e in input_errors {
        report.error(Problem::InvalidInput, e.location, None, e.message, None);
    }
    for warning in policy.unstable_rules() {
        report.warn(Location::policy(), warning, None);
    }
    let plan = plan::plan(&manifests, policy, namespace, cluster);
    report.merge(plan.report);
    Outcome { manifests, targets: plan.targets, report, claims: plan.claims }
}

/// For a run that was given no namespace (Helm tells a post-renderer none), after `process`: the
/// report opens with a warning where a resource without one may be decided for wrongly.
pub fn warn_first_if_namespace_missing(outcome: &mut Outcome, policy: &Policy) {
    // First: it may be why the rest of the report looks wrong.
    if let Some((location, message)) = plan::missing_namespace_warning(&outcome.manifests, policy) {
        outcome.report.warn(location, message, None);
        outcome.report.warnings.rotate_right(1);
    }
}

/// The output of every input, or `None` when the run failed: before editing (the report holds an
/// error already, and nothing is edited) or while editing (a document could not be edited).
pub fn outputs<'m>(manifests: &'m [Manifest], targets: &Targets, report: &mut Report) -> Option<Vec<Output<'m>>> {
    if !report.exit_code().is_success() {
        return None;
    }
    let outputs = output::assemble(manifests, targets, report);
    report.exit_code().is_success().then_some(outputs)
}

/// Renders one stream in memory: the output, or `None` when the run fails, and the report.
pub fn render(input: Input, policy: &Policy, namespace: &str, cluster: &ClusterState) -> (Option<Vec<u8>>, Report) {
    let Outcome { manifests, targets, mut report, .. } = process(vec![input], policy, namespace, cluster);
    let output = outputs(&manifests, &targets, &mut report).map(|outputs| outputs[0].to_bytes());
    (output, report)
}
