//! svcpolicy: a Helm post-renderer that holds rendered Kubernetes manifests to a networking policy.

pub mod yaml;
pub mod stream;
pub mod policy;
