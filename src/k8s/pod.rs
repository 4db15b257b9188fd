//! Pod specs: where a workload keeps its pod spec and its pods' labels, and the ports of its
//! containers and init containers, walked in one order wherever svcpolicy looks at them (host
//! networking, the port plan, the missing-namespace warning).

use crate::k8s::kinds::Kind;
use serde_json::{Map, Value};

/// The lists of a pod spec that hold containers whose ports count on the node, in the order
/// they are walked.
pub const CONTAINER_LISTS: [&str; 2] = ["containers", "initContainers"];

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

/// The labels of the pods a workload makes, which Services select them by: its pod template's
/// `metadata.labels` (a Pod's own). `None` for a kind without pods, or pods without labels.
pub fn pod_labels(kind: Kind, workload: &Value) -> Option<&Map<String, Value>> {
    let (_spec, template) = pod_spec_path(kind)?.split_last()?;
    let template = template.iter().try_fold(workload, |v, k| v.get(*k))?;
    template.pointer("/metadata/labels")?.as_object()
}

/// `hostNetwork: true`: the pod shares the node's network, and every containerPort is a port on
/// the node.
pub fn uses_host_network(spec: &Value) -> bool {
    spec.get("hostNetwork") == Some(&Value::Bool(true))
}

/// One entry of a container's `ports`, and where it is.
#[derive(Debug, Clone, Copy)]
pub struct ContainerPort<'v> {
    /// The list the container is in: `containers` or `initContainers`.
    pub list: &'static str,
    /// The container's index in that list.
    pub container_index: usize,
    /// The container.
    pub container: &'v Value,
    /// The entry's index in the container's `ports`.
    pub index: usize,
    /// The entry: `containerPort`, `hostPort`, `hostIP`, `protocol`, ...
    pub port: &'v Value,
}

/// Every port entry of every container and init container of a pod spec, in order.
pub fn container_ports(spec: &Value) -> impl Iterator<Item = ContainerPort<'_>> {
    CONTAINER_LISTS.into_iter().flat_map(move |list| {
        let containers = spec.get(list).and_then(Value::as_array).into_iter().flatten().enumerate();
        containers.flat_map(move |(container_index, container)| {
            let ports = container.get("ports").and_then(Value::as_array).into_iter().flatten().enumerate();
            ports.map(move |(index, port)| ContainerPort { list, container_index, container, index, port })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::kinds::Workload;
    use serde_json::json;

    #[test]
    fn pods_have_their_templates_labels_and_a_pod_its_own() {
        let labels = json!({"app": "ha"});
        let pod = json!({"metadata": {"labels": labels}, "spec": {}});
        let deployment =
            json!({"metadata": {"labels": {"x": "y"}}, "spec": {"template": {"metadata": {"labels": labels}}}});
        let cron = json!({"spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": labels}}}}}});
        assert_eq!(pod_labels(Kind::Workload(Workload::Pod), &pod), labels.as_object());
        assert_eq!(pod_labels(Kind::Workload(Workload::Deployment), &deployment), labels.as_object());
        assert_eq!(pod_labels(Kind::Workload(Workload::CronJob), &cron), labels.as_object());
        assert_eq!(pod_labels(Kind::Workload(Workload::Deployment), &pod), None);
        assert_eq!(pod_labels(Kind::Service, &pod), None);
    }
}
