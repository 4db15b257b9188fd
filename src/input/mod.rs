//! The input: what svcpolicy reads before it decides anything. The manifest stream (`stream`:
//! split into documents exactly where Helm and kubectl split it), every document read as Go
//! reads it (`read`), the Kubernetes objects inside (`object`), each with its `Location`; the
//! cluster's Services (`cluster`); and a KRM `ResourceList` on stdin (`krm`).
//!
//! Above `k8s` and `yaml`, below the policy, the plan and the report: nothing here knows what
//! the policy asks.

pub mod cluster;
pub mod krm;
mod location;
mod object;
mod read;
pub mod stream;

pub use location::Location;
pub use object::{objects, DocId, Object};
pub use read::{read, Input, InputError, Manifest};
