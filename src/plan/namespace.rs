//! Before the stages: a run given no namespace, where that may decide wrongly. Helm tells a
//! post-renderer no namespace, so a resource without `metadata.namespace` counts as in `default`;
//! a rule (or an `except` entry) that matches on namespaces would decide for it by the wrong one.

use crate::input::{self, Location, Manifest, Object};
use crate::k8s::kinds::Kind;
use crate::k8s::{meta, pod};
use crate::policy::{HostAction, Policy};

/// Helm passes a post-renderer no namespace: without `--namespace` or `$HELM_NAMESPACE`, a
/// Service (or host-network workload) without `metadata.namespace` counts as in `default`, and a
/// rule (or `except` entry) that matches on namespaces decides for it by the wrong one. Call
/// this only when no namespace was given; it says what to do, at the first such resource.
pub fn missing_namespace_warning(manifests: &[Manifest], policy: &Policy) -> Option<(Location, String)> {
    let unnamed = |obj: &Object| meta::namespace(obj.value(manifests), "").is_empty();
    let mut asking: Vec<String> = policy
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.matcher.namespace.is_any())
        .map(|(i, r)| r.label(i))
        .collect();
    if policy.proxy.as_ref().is_some_and(|p| p.services.iter().any(|s| !s.namespace.is_any())) {
        asking.push("proxy.services".to_string());
    }
    let mut services: Vec<Object> = if asking.is_empty() {
        Vec::new()
    } else {
        input::objects(manifests, |k| k == Kind::Service, "").into_iter().filter(|o| unnamed(o)).collect()
    };
    let mut host_asking = Vec::new();
    for (key, access) in [("hostNetwork", &policy.host_network), ("hostPorts", &policy.host_ports)] {
        if access.action != HostAction::Allow && access.except.iter().any(|e| !e.namespace.is_any()) {
            host_asking.push(format!("{key}.except"));
        }
    }
    if !host_asking.is_empty() {
        let on_host = |obj: &Object| {
            pod::pod_spec(obj.kind, obj.value(manifests)).is_some_and(|spec| {
                pod::uses_host_network(spec)
                    || pod::container_ports(spec).any(|c| c.port.get("hostPort").is_some_and(|h| !h.is_null()))
            })
        };
        let workloads: Vec<Object> = input::objects(manifests, |k| matches!(k, Kind::Workload(_)), "")
            .into_iter()
            .filter(|o| unnamed(o) && on_host(o))
            .collect();
        if !workloads.is_empty() {
            asking.extend(host_asking);
            services.extend(workloads);
        }
    }
    let first = services.iter().min_by_key(|o| o.doc)?;
    let mut location = first.location.clone();
    location.namespace = Some("default".to_string());
    let others = match services.len() - 1 {
        0 => String::new(),
        1 => " (and 1 other resource)".to_string(),
        n => format!(" (and {n} other resources)"),
    };
    Some((
        location,
        format!(
            "no metadata.namespace{others} and no namespace given (no --namespace, no $HELM_NAMESPACE), so it counts as in 'default', \
             but {} {} on namespaces and may decide wrongly. Helm tells a post-renderer no namespace: add \
             --post-renderer-args=--namespace=NS to the helm command (NS the release namespace, as in -n NS), \
             or run helm with HELM_NAMESPACE=NS exported in place of -n",
            asking.join(", "),
            if asking.len() == 1 { "matches" } else { "match" },
        ),
    ))
}
