//! Pod specs: where a workload keeps its pod spec.

use crate::k8s::kinds::Kind;
use serde_json::Value;

/// The pod spec inside a workload; `None` for a kind that has none, or a workload without one.
pub fn pod_spec(kind: Kind, workload: &Value) -> Option<&Value> {
    pod_spec_path(kind)?.iter().try_fold(workload, |v, k| v.get(*k))
}

/// Where the pod spec sits inside an object of this kind, if the kind has one.
pub fn pod_spec_path(kind: Kind) -> Option<&'static [&'static str]> {
    match kind {
        Kind::Workload(w) => Some(w.pod_spec_path()),
        _ => None,
    }
}
