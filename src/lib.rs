//! svcpolicy: a Helm post-renderer that holds rendered Kubernetes manifests to a networking policy.
//!
//! The pipeline runs one way: `stream` splits the input into documents, `resource` reads the ones
//! the policy can touch (through the `yaml` layer), `plan` decides what each Service should be
//! (with `policy` and `service`), `apply` edits those documents in place, and `report` says what
//! happened. `cli` wires it to the command line.

#![warn(missing_docs)]

pub mod change;
pub mod cli;
pub mod exit_code;
pub mod input;
pub mod k8s;
pub mod output;
pub mod parallel;
pub mod pipeline;
pub mod plan;
pub mod policy;
pub mod report;
pub mod yaml;

pub use exit_code::ExitCode;
pub use pipeline::{process, render, Outcome};
