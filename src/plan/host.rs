//! Host networking: pods that share the node's network (`hostNetwork`) or claim its ports
//! (`hostPort`), in every kind that carries a pod spec. The policy denies, strips, warns about or
//! allows each, with exceptions by name, namespace, labels and kind.

use crate::change::{field_name, join as path, Seg, Tracked};
use crate::input::{Manifest, Object};
use crate::k8s::meta;
use crate::k8s::pod::{container_ports, pod_spec_path, uses_host_network, ContainerPort};
use crate::plan::planned::Planned;
use crate::policy::{HostAccess, HostAction, Policy, WorkloadMatch};
use crate::report::{Problem, Report};
use serde_json::Value;

/// The workload as the policy wants it, or `None` when it is refused.
pub fn plan_workload(obj: Object, manifests: &[Manifest], policy: &Policy, report: &mut Report) -> Option<Planned> {
    let base: Vec<Seg> = pod_spec_path(obj.kind)?.iter().map(|k| Seg::Key(k)).collect();
    let current = obj.value(manifests);
    let mut target = current.clone();
    let mut tracked = Tracked::new(&mut target);
    let loc = &obj.location;
    let mut denied = false;

    let network = action_for(&policy.host_network, &obj, current);
    let spec = tracked.get(&base).cloned().unwrap_or(Value::Null);
    if uses_host_network(&spec) {
        let field = path(&base, &[Seg::Key("hostNetwork")]);
        match network {
            HostAction::Allow => {}
            HostAction::Warn => report.warn(
                loc.clone(),
                "uses hostNetwork: the pod shares the node's network, and every containerPort is a port on the node"
                    .to_string(),
                None,
            ),
            HostAction::Deny => {
                report.error(
                    Problem::Denied,
                    loc.clone(),
                    Some(field_name(&field)),
                    "hostNetwork is denied by the policy",
                    None,
                );
                denied = true;
            }
            HostAction::Strip => {
                tracked.remove(&field, "hostNetwork: strip");
                if spec.get("dnsPolicy").and_then(Value::as_str) == Some("ClusterFirstWithHostNet") {
                    tracked.remove(
                        &path(&base, &[Seg::Key("dnsPolicy")]),
                        "only meaningful with hostNetwork, which was stripped",
                    );
                }
            }
        }
    }

    let ports_action = action_for(&policy.host_ports, &obj, current);
    for ContainerPort { list, container_index: c, container, index: p, port } in container_ports(&spec) {
        let name = container.get("name").and_then(Value::as_str).unwrap_or("?");
        let Some(host_port) = port.get("hostPort").and_then(Value::as_u64).filter(|&n| n > 0) else { continue };
        let protocol = port.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
        let at = path(&base, &[Seg::Key(list), Seg::Index(c), Seg::Key("ports"), Seg::Index(p)]);
        let field = field_name(&path(&at, &[Seg::Key("hostPort")]));
        match ports_action {
            HostAction::Allow => {}
            HostAction::Warn => report.warn(
                loc.clone(),
                format!("container \"{name}\" uses hostPort {host_port}/{protocol} ({field})"),
                None,
            ),
            HostAction::Deny => {
                let message = format!(
                    "container \"{name}\" uses hostPort {host_port}/{protocol}: hostPort is denied by the policy"
                );
                report.error(Problem::Denied, loc.clone(), Some(field), message, None);
                denied = true;
            }
            HostAction::Strip => {
                tracked.remove(&path(&at, &[Seg::Key("hostPort")]), "hostPorts: strip");
                tracked.remove(&path(&at, &[Seg::Key("hostIP")]), "hostPorts: strip (hostIP goes with hostPort)");
            }
        }
    }
    if denied {
        return None;
    }
    let changes = tracked.changes;
    Some(Planned { obj, rule: None, target, changes, own_proxy: false })
}

/// The policy's action, unless the workload is one of its exceptions.
fn action_for(access: &HostAccess, obj: &Object, workload: &Value) -> HostAction {
    let labels = meta::labels(workload);
    let loc = &obj.location;
    let excepted = access.except.iter().any(|m: &WorkloadMatch| {
        m.name.matches(loc.name.as_deref().unwrap_or(""))
            && m.namespace.matches(loc.namespace.as_deref().unwrap_or(""))
            && m.kind.matches(loc.kind.as_deref().unwrap_or(""))
            && m.labels.iter().all(|(k, v)| labels.get(k).is_some_and(|l| v.matches(l)))
    });
    if excepted {
        HostAction::Allow
    } else {
        access.action
    }
}
