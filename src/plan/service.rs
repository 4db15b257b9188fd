//! A Service's own stage: the first rule that matches it, and what that rule does (deny, warn,
//! patches, type, traffic policy, load-balancer address), then the fields its type forbids. Each
//! Service is planned on its own (in parallel); what needs all of them (node ports, the port
//! plan, routes) comes in later stages.

use crate::change::{field_from_pointer, Change, Seg, Tracked};
use crate::input::{Location, Manifest, Object};
use crate::k8s::meta;
use crate::k8s::service::{self, is_externally_accessible, InvalidType, ServiceType};
use crate::plan::apiserver;
use crate::plan::planned::Planned;
use crate::policy::{Implementation, LoadBalancerAction, Policy, Rule, Subject};
use crate::report::{Problem, Report};
use serde_json::Value;

/// The Service as the policy wants it, or `None` when it is refused.
pub fn plan_service(obj: Object, manifests: &[Manifest], policy: &Policy, report: &mut Report) -> Option<Planned> {
    let current = obj.value(manifests);
    let loc = &obj.location;
    let incoming = match service::service_type(current) {
        Ok(t) => t,
        Err(e) => {
            report.error(Problem::InvalidInput, loc.clone(), Some(InvalidType::FIELD.to_string()), e.problem(), None);
            return None;
        }
    };
    let shape = apiserver::shape_problems(current);
    if !shape.is_empty() {
        for (field, message) in shape {
            report.error(Problem::InvalidInput, loc.clone(), Some(field), message, None);
        }
        return None;
    }
    let labels = meta::labels(current);
    let annotations = meta::annotations(current);
    let ports = port_names(current);
    let subject = Subject {
        name: loc.name.as_deref().unwrap_or(""),
        namespace: loc.namespace.as_deref().unwrap_or("default"),
        labels: &labels,
        annotations: &annotations,
        service_type: incoming,
        ports: &ports,
    };
    let mut target = current.clone();
    let mut svc = Tracked::new(&mut target);
    let matched = policy.rule_for(&subject);
    let own_proxy = policy.proxy_service(&subject);
    if let Some((index, rule)) = matched {
        let label = rule.label(index);
        if let Some(reason) = &rule.deny {
            report.error(Problem::Denied, loc.clone(), None, format!("denied: {reason}"), Some(label));
            return None;
        }
        if let Some(message) = &rule.warn {
            report.warn(loc.clone(), message.clone(), Some(label.clone()));
        }
        if let Err(problem) = patch_with_rule(&mut svc, rule, &label) {
            report.error(Problem::InvalidPolicy, loc.clone(), None, problem, Some(label));
            return None;
        }
        // Behind the proxy means ClusterIP, unless the rule also asks for a type.
        let mut wanted = rule.service_type.or(rule.expose.as_ref().map(|_| ServiceType::ClusterIP));
        // The proxy's own Service behind itself would take every app offline: it keeps its
        // type (a rule may still move it to NodePort or LoadBalancer) and gets no route.
        if let Some(how) = &own_proxy {
            let to_cluster_ip = wanted == Some(ServiceType::ClusterIP) && incoming != ServiceType::ClusterIP;
            if to_cluster_ip || rule.expose.is_some() {
                let kept = if to_cluster_ip { format!("; it stays {incoming}") } else { String::new() };
                let routed = if rule.expose.is_some() { " and gets no route" } else { "" };
                report.warn(
                    loc.clone(),
                    format!("the reverse proxy's own Service ({how}) is not put behind itself{kept}{routed}"),
                    Some(label.clone()),
                );
            }
            if to_cluster_ip {
                wanted = None;
            }
        }
        if let Some(t) = wanted {
            if let Err(w) = apiserver::retype(&mut svc, t, &label) {
                report.warn(loc.clone(), w, Some(label.clone()));
            }
        }
        if let Some(etp) = rule.external_traffic_policy {
            set_traffic_policy(&mut svc, etp.as_str(), &label, report, loc);
        }
        if service::service_type(svc.value) == Ok(ServiceType::LoadBalancer) {
            if let Some(lb) = &rule.load_balancer {
                for w in request_address(&mut svc, lb, policy.load_balancer.implementation, &label) {
                    report.warn(loc.clone(), w, Some(label.clone()));
                }
            }
            if let Some(allocate) = rule.allocate_load_balancer_node_ports {
                svc.set(&[Seg::Key("spec"), Seg::Key("allocateLoadBalancerNodePorts")], Value::Bool(allocate), &label);
            }
        }
    }
    apiserver::drop_fields_type_forbids(&mut svc);
    let changes = svc.changes;
    Some(Planned { rule: matched.map(|(i, _)| i), target, changes, obj, own_proxy: own_proxy.is_some() })
}

/// Patches the Service as a rule's `patch` and `mergePatch` say, and records what changed. Type
/// and traffic policy come after, so a patch cannot undo them.
fn patch_with_rule(svc: &mut Tracked, rule: &Rule, label: &str) -> Result<(), String> {
    let before = svc.value.clone();
    if let Some(patch) = &rule.patch {
        for (i, op) in patch.iter().enumerate() {
            // Removing what is already gone is done: so a second run over svcpolicy's own
            // output changes nothing, as every rule must allow.
            if let json_patch::PatchOperation::Remove(r) = op {
                if svc.value.pointer(r.path.as_str()).is_none() {
                    continue;
                }
            }
            json_patch::patch(svc.value, std::slice::from_ref(op))
                .map_err(|e| format!("its patch (operation {i}, {op}) does not apply to this Service: {e}"))?;
        }
    }
    if let Some(mp) = &rule.merge_patch {
        json_patch::merge(svc.value, mp);
    }
    for op in json_patch::diff(&before, svc.value).0 {
        let (path, to) = match &op {
            json_patch::PatchOperation::Add(o) => (o.path.to_string(), Some(o.value.clone())),
            json_patch::PatchOperation::Replace(o) => (o.path.to_string(), Some(o.value.clone())),
            json_patch::PatchOperation::Remove(o) => (o.path.to_string(), None),
            _ => continue,
        };
        let from = before.pointer(&path).cloned();
        let field = field_from_pointer(&path, if to.is_some() { &*svc.value } else { &before });
        svc.changes.push(Change { field, from, to, reason: format!("patched by {label}") });
    }
    Ok(())
}

/// Sets `externalTrafficPolicy` where the Service may have one; elsewhere, a warning.
fn set_traffic_policy(svc: &mut Tracked, etp: &str, label: &str, report: &mut Report, loc: &Location) {
    if is_externally_accessible(svc.value) {
        svc.set(&[Seg::Key("spec"), Seg::Key("externalTrafficPolicy")], Value::from(etp), label);
    } else {
        report.warn(
            loc.clone(),
            format!("{label} sets externalTrafficPolicy, which only externally-accessible Services (NodePort, LoadBalancer, or ClusterIP with externalIPs) may have; not set"),
            Some(label.to_string()),
        );
    }
}

/// (name, number) of each port, as a rule's `match.ports` sees them.
fn port_names(svc: &Value) -> Vec<(Option<String>, Option<u16>)> {
    service::ports(svc)
        .iter()
        .map(|p| {
            let name = p.get("name").and_then(Value::as_str).map(str::to_string);
            (name, meta::as_u16(p.get("port")))
        })
        .collect()
}

/// Writes a rule's `loadBalancer: {ip, sharingKey}` where the cluster's implementation reads them;
/// returns what the implementation cannot take.
fn request_address(
    svc: &mut Tracked,
    lb: &LoadBalancerAction,
    implementation: Option<Implementation>,
    why: &str,
) -> Vec<String> {
    use Implementation as I;
    let implementation = implementation.unwrap_or(I::None);
    let (address_key, sharing_key) = match implementation {
        I::Metallb => (Some(meta::METALLB_ADDRESSES), Some(meta::METALLB_SHARING_KEY)),
        I::Cilium => (Some(meta::CILIUM_ADDRESSES), Some(meta::CILIUM_SHARING_KEY)),
        I::KubeVip => (Some(meta::KUBE_VIP_ADDRESSES), None),
        I::Servicelb | I::None => (None, None),
    };
    let annotation = |k: &'static str| [Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key(k)];
    let mut unsupported = Vec::new();
    if let Some(ip) = &lb.ip {
        match (implementation, address_key) {
            (_, Some(k)) => {
                svc.set(&annotation(k), Value::from(ip.as_str()), why);
                // One Service, one address request: the chart's own would be a second (MetalLB
                // refuses a Service with both).
                svc.remove(&[Seg::Key("spec"), Seg::Key("loadBalancerIP")], &format!("{why}: the address is in {k}"));
            }
            (I::None, None) => svc.set(&[Seg::Key("spec"), Seg::Key("loadBalancerIP")], Value::from(ip.as_str()), why),
            _ => unsupported.push(format!("ServiceLB serves every node's addresses; the address {ip} is not set")),
        }
    }
    if let Some(key) = &lb.sharing_key {
        match sharing_key {
            Some(k) => svc.set(&annotation(k), Value::from(key.as_str()), why),
            None => {
                unsupported.push(format!("the load-balancer implementation has no sharing key; '{key}' is not set"))
            }
        }
    }
    unsupported
}
