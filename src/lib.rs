//! svcpolicy: a Helm post-renderer that holds rendered Kubernetes manifests to a networking policy.
//!
//! The modules are layers, and each imports only from the layers below it:
//!
//! 1. leaves: `yaml` (go-yaml's reader, ported, and the lossless editor: the only code that knows
//!    YAML), `k8s` (Kubernetes vocabulary), `parallel`, `exit_code`;
//! 2. `change`: a change to an object's JSON, and its record;
//! 3. `input`: the stream split into documents, every document read as Go reads it, the objects
//!    in them with their locations, the cluster state, a KRM `ResourceList`;
//! 4. `policy` (the policy file: its rules and how they match) and `report` (what a run found);
//! 5. `plan`: the stages that decide what every Service and workload should be;
//! 6. `output`: the changed documents edited in place, the streams joined, a KRM answer, the
//!    port map (the port plan drawn as SVG or HTML);
//! 7. `pipeline`: one run, from inputs to outputs, for everything above it;
//! 8. `cli`: the command line.
//!
//! The data flows `input` -> `plan` -> `output`, each stage adding to the `report`.
//! docs/how-it-works.md has the module map.

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
