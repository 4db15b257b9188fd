//! svcpolicy: a Helm post-renderer that holds rendered Kubernetes manifests to a networking policy.
//!
//! The pipeline runs one way: `stream` splits the input into documents, `resource` reads the ones
//! the policy can touch (through the `yaml` layer), `plan` decides what each Service should be
//! (with `policy` and `service`), `apply` edits those documents in place, and `report` says what
//! happened. `cli` wires it to the command line.

#![warn(missing_docs)]

pub mod apply;
pub mod change;
pub mod cli;
pub mod fixtures;
pub mod input;
pub mod k8s;
pub mod krm;
pub mod parallel;
pub mod plan;
pub mod policy;
pub mod report;
pub mod yaml;

use input::cluster::ClusterState;
use input::{Input, Location, Manifest};
use policy::Policy;
use report::{Problem, Report};

/// Everything a run read and decided, before anything is edited or written.
pub struct Outcome {
    /// The inputs, split into documents, every document read.
    pub manifests: Vec<Manifest>,
    /// What each changed document should mean, and the routes generated to follow documents.
    pub targets: plan::Targets,
    /// Every change, warning and error found so far; `apply::apply` adds what editing finds.
    pub report: Report,
    /// Every claim on a node's ports, the render's and the cluster's (`svcpolicy ports`).
    pub claims: Vec<plan::port_plan::Claim>,
}

/// Reads the inputs and plans every change. `apply::apply` then edits the documents.
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

/// Renders one stream in memory: the output, or `None` when the run fails, and the report.
pub fn render(input: Input, policy: &Policy, namespace: &str, cluster: &ClusterState) -> (Option<Vec<u8>>, Report) {
    let outcome = process(vec![input], policy, namespace, cluster);
    let mut report = outcome.report;
    if report.exit_code() != 0 {
        return (None, report);
    }
    let outputs = apply::apply(&outcome.manifests, &outcome.targets, &mut report);
    let output = (report.exit_code() == 0).then(|| outputs[0].to_bytes());
    (output, report)
}
