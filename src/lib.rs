//! svcpolicy: a Helm post-renderer that holds rendered Kubernetes manifests to a networking policy.
//!
//! The pipeline runs one way: `stream` splits the input into documents, `resource` reads the ones
//! the policy can touch (through the `yaml` layer), `plan` decides what each Service should be
//! (with `policy` and `service`), `apply` edits those documents in place, and `report` says what
//! happened. `cli` wires it to the command line.

pub mod allocate;
pub mod apply;
pub mod cli;
pub mod cluster;
pub mod plan;
pub mod policy;
pub mod report;
pub mod resource;
pub mod service;
pub mod stream;
pub mod yaml;
