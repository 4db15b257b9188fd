//! The plan: for every Service, the rule that decides for it and the JSON it should end up as,
//! with every change, warning and refusal recorded. Nothing is edited here; `apply` turns the
//! targets into text.

use crate::allocate;
use crate::apiserver;
use crate::change::{field_from_pointer, Change, Seg, Tracked};
use crate::host;
use crate::input::cluster::ClusterState;
use crate::input::{self, DocId, Location, Manifest, Object};
use crate::k8s::kinds::Kind;
use crate::k8s::service::{is_externally_accessible, service_type, InvalidType, ServiceType};
use crate::k8s::{self, meta, pod};
use crate::parallel;
use crate::policy::{Policy, Rule, Subject, TemplateNames};
use crate::ports;
use crate::proxy;
use crate::report::{ChangeRecord, Problem, Report};
use crate::yaml::write;
use serde_json::Value;
use std::collections::BTreeMap;

/// What the plan changes, keyed by (manifest, document): what each changed document should mean,
/// and the routes generated to follow a document (YAML text, svcpolicy's own writing).
#[derive(Debug, Default)]
pub struct Targets {
    /// What each changed document should mean, as JSON; `apply` edits its text to match.
    pub values: BTreeMap<DocId, Value>,
    /// The routes that go right after a document, each a document's YAML text.
    pub routes: BTreeMap<DocId, Vec<String>>,
}

impl Targets {
    /// How many documents change.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing changes: no document is edited and no route is added.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.routes.is_empty()
    }
}

/// What `plan` decided, before anything is edited.
pub struct Plan {
    /// What changes, document by document, and the routes to add.
    pub targets: Targets,
    /// Every change, warning and error the plan found.
    pub report: Report,
    /// Every claim on a node's ports, the render's and the cluster's (`svcpolicy ports`).
    pub claims: Vec<ports::Claim>,
}

/// A Service and what the policy makes of it.
pub struct Planned {
    /// Where it is in the stream, and its kind.
    pub obj: Object,
    /// The index of the rule that decided for it.
    pub rule: Option<usize>,
    /// What it should mean once edited.
    pub target: Value,
    /// How `target` differs from the input, and why, for the report.
    pub changes: Vec<Change>,
    /// One of the reverse proxy's own Services: never put behind the proxy.
    pub own_proxy: bool,
}

/// Decides what every Service and workload should be: each Service's rule and the apiserver's
/// rules, host networking, NodePort numbers, the port plan and its conflicts, and the routes of
/// exposed Services. Nothing is edited here, so a run that fails writes nothing.
pub fn plan(manifests: &[Manifest], policy: &Policy, default_namespace: &str, cluster: &ClusterState) -> Plan {
    let mut report = Report::default();
    let objects = input::objects(manifests, |k| k == Kind::Service, default_namespace);
    // Each Service is planned on its own; allocation then sees them all.
    let planned = parallel::map(&objects, |obj| {
        let mut own = Report::default();
        let planned = plan_service(obj.clone(), manifests, policy, &mut own);
        (planned, own)
    });
    let mut services = Vec::with_capacity(planned.len());
    for (p, own) in planned {
        report.merge(own);
        services.extend(p);
    }
    let mut workloads = Vec::new();
    for obj in input::objects(manifests, |k| matches!(k, Kind::Workload(_)), default_namespace) {
        let current = obj.value(manifests);
        let target = if host::policy_acts(policy) {
            host::plan_workload(&obj, current, policy, &mut report)
        } else {
            Some(current.clone())
        };
        if let Some(target) = target {
            workloads.push(Planned { obj, rule: None, target, changes: Vec::new(), own_proxy: false });
        }
    }
    if report.exit_code() == 0 {
        // A nodePort shadows a port the node's own pods listen on: allocation keeps off them.
        let host_ports: Vec<(u16, String)> = workload_claims(&workloads).iter().map(|c| (c.port, c.owner())).collect();
        allocate::allocate(&mut services, policy, cluster, &host_ports, &mut report);
    }
    let problems = parallel::map(&services, |p| apiserver::unfixable_problems(&p.target));
    let service_count = services.len();
    services.extend(workloads);
    let claims = port_plan(&services, service_count, policy, cluster, &mut report);
    let mut targets = Targets {
        routes: expose(manifests, &mut services[..service_count], policy, default_namespace, &mut report),
        ..Targets::default()
    };
    // Workloads come after the Services and have no Service checks.
    let problems = problems.into_iter().chain(std::iter::repeat_with(Vec::new));
    for (planned, problems) in services.into_iter().zip(problems) {
        let loc = &planned.obj.location;
        for (field, message) in problems {
            report.error(Problem::InvalidInput, loc.clone(), Some(field), message, None);
        }
        report.changes.extend(planned.changes.into_iter().map(|change| ChangeRecord { location: loc.clone(), change }));
        let (obj, target) = (planned.obj, planned.target);
        if &target == obj.value(manifests) {
            continue;
        }
        let key = obj.doc;
        if obj.pointer.is_empty() {
            targets.values.insert(key, target);
            continue;
        }
        // An item of a List: the rest of the document stays as it is.
        let doc = targets.values.entry(key).or_insert_with(|| {
            manifests[obj.doc.input].values[obj.doc.doc].clone().expect("objects come from read documents")
        });
        match doc.pointer_mut(&obj.pointer) {
            Some(slot) => *slot = target,
            None => unreachable!("the pointer was taken from this document"),
        }
    }
    Plan { targets, report, claims }
}

/// The routes that put exposed Services behind the proxy, after the documents that hold them.
fn expose(
    manifests: &[Manifest],
    services: &mut [Planned],
    policy: &Policy,
    default_namespace: &str,
    report: &mut Report,
) -> BTreeMap<DocId, Vec<String>> {
    let mut routes: BTreeMap<DocId, Vec<String>> = BTreeMap::new();
    let Some(proxy_section) = &policy.proxy else { return routes };
    let existing = proxy::existing_routes(manifests, default_namespace);
    for p in services.iter_mut() {
        let Some(rule_index) = p.rule else { continue };
        let rule = &policy.rules[rule_index];
        let Some(expose) = &rule.expose else { continue };
        if p.own_proxy {
            // Said so when it was planned.
            continue;
        }
        let label = rule.label(rule_index);
        let loc = p.obj.location.clone();
        if meta::annotation(&p.target, meta::HOOK_ANNOTATION).is_some() {
            report.warn(loc, "a hook Service is not put behind the proxy", Some(label));
            continue;
        }
        let (namespace, name) = (loc.namespace.clone().unwrap_or_default(), loc.name.clone().unwrap_or_default());
        let web = proxy::web_ports(&p.target, &expose.ports);
        if web.is_empty() {
            report.warn(loc, "no web port to put behind the proxy (name http/https/web, appProtocol http/https/h2c, or 80/443/8080/8443)", Some(label));
            continue;
        }
        let missing: Vec<proxy::WebPort> =
            web.into_iter().filter(|w| !existing.contains(&(namespace.clone(), name.clone(), w.number))).collect();
        if missing.is_empty() {
            continue;
        }
        let labels = meta::labels(&p.target);
        let release = meta::release(&labels).unwrap_or("");
        let names = TemplateNames { service: &name, namespace: &namespace, release };
        match proxy::routes(proxy_section, &p.target, &names, &missing) {
            Ok(made) => {
                for route in made {
                    let kind = route["kind"].as_str().unwrap_or_default().to_string();
                    let route_name = route["metadata"]["name"].as_str().unwrap_or_default().to_string();
                    let hosts = proxy::hosts_of(&route);
                    p.changes.push(Change {
                        field: format!("{kind} {route_name}"),
                        from: None,
                        to: Some(hosts),
                        reason: format!("generated to put the Service behind the proxy ({label})"),
                    });
                    routes.entry(p.obj.doc).or_default().push(write::block(&route, 0));
                }
            }
            Err(message) => report.error(Problem::InvalidPolicy, loc, None, message, Some(label)),
        }
    }
    routes
}

/// The host ports the planned workloads hold.
fn workload_claims(workloads: &[Planned]) -> Vec<ports::Claim> {
    workloads
        .iter()
        .flat_map(|p| {
            let loc = &p.obj.location;
            let kind = loc.kind.as_deref().unwrap_or("");
            let ns = loc.namespace.as_deref().unwrap_or("default");
            pod::pod_spec(p.obj.kind, &p.target)
                .map(|spec| ports::pod_claims(kind, &p.target, spec, ns, Some(loc.clone())))
                .unwrap_or_default()
        })
        .collect()
}

/// Every claim on a node's ports; two claims on one port by different resources are an error,
/// or a warning where the rule that decided for the Service says `onConflict: warn`.
fn port_plan(
    planned: &[Planned],
    service_count: usize,
    policy: &Policy,
    cluster: &ClusterState,
    report: &mut Report,
) -> Vec<ports::Claim> {
    let mut claims = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let loc = &p.obj.location;
        let ns = loc.namespace.as_deref().unwrap_or("default");
        if i < service_count {
            let warn_only =
                p.rule.is_some_and(|r| policy.rules[r].on_conflict == Some(crate::policy::OnConflict::Warn));
            claims.extend(ports::service_claims(&p.target, ns, Some(loc.clone()), policy, warn_only));
        }
    }
    claims.extend(workload_claims(&planned[service_count..]));
    let in_render = |ns: &str, name: &str| {
        planned[..service_count]
            .iter()
            .any(|p| p.obj.location.namespace.as_deref() == Some(ns) && p.obj.location.name.as_deref() == Some(name))
    };
    claims.extend(ports::cluster_claims(cluster, policy, &in_render));
    // Conflicts the cluster has within itself are not this render's to report.
    for c in ports::conflicts(&claims).into_iter().filter(|c| c.claims.iter().any(|x| x.location.is_some())) {
        let [ours, _] = &c.claims;
        let loc = ours.location.clone().unwrap_or_default();
        if c.claims.iter().any(|x| x.warn_only) {
            report.warn(loc, format!("port conflict: {}", c.message), None);
        } else {
            report.error(Problem::Conflict, loc, None, format!("port conflict: {}", c.message), None);
        }
    }
    claims
}

/// The Service as the policy wants it, or `None` when it is refused.
fn plan_service(obj: Object, manifests: &[Manifest], policy: &Policy, report: &mut Report) -> Option<Planned> {
    let current = obj.value(manifests);
    let loc = &obj.location;
    let service_type = match service_type(current) {
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
        service_type,
        ports: &ports,
    };
    let mut svc = current.clone();
    let mut edit = Tracked::new(&mut svc);
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
        if let Err(problem) = apply_rule(&mut edit, rule, &label) {
            report.error(Problem::InvalidPolicy, loc.clone(), None, problem, Some(label));
            return None;
        }
        // Behind the proxy means ClusterIP, unless the rule also asks for a type.
        let mut wanted = rule.service_type.or(rule.expose.as_ref().map(|_| ServiceType::ClusterIP));
        // The proxy's own Service behind itself would take every app offline: it keeps its
        // type (a rule may still move it to NodePort or LoadBalancer) and gets no route.
        if let Some(how) = &own_proxy {
            let to_cluster_ip = wanted == Some(ServiceType::ClusterIP) && service_type != ServiceType::ClusterIP;
            if to_cluster_ip || rule.expose.is_some() {
                let kept = if to_cluster_ip { format!("; it stays {service_type}") } else { String::new() };
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
            if let Err(w) = apiserver::retype(&mut edit, t, &label) {
                report.warn(loc.clone(), w, Some(label.clone()));
            }
        }
        if let Some(etp) = rule.external_traffic_policy {
            set_traffic_policy(&mut edit, etp.as_str(), &label, report, loc);
        }
        if k8s::service::service_type(edit.value) == Ok(ServiceType::LoadBalancer) {
            if let Some(lb) = &rule.load_balancer {
                for w in request_address(&mut edit, lb, policy.load_balancer.implementation, &label) {
                    report.warn(loc.clone(), w, Some(label.clone()));
                }
            }
            if let Some(allocate) = rule.allocate_load_balancer_node_ports {
                edit.set(&[Seg::Key("spec"), Seg::Key("allocateLoadBalancerNodePorts")], Value::Bool(allocate), &label);
            }
        }
    }
    apiserver::drop_fields_type_forbids(&mut edit);
    let changes = std::mem::take(&mut edit.changes);
    Some(Planned { rule: matched.map(|(i, _)| i), target: svc, changes, obj, own_proxy: own_proxy.is_some() })
}

/// Applies a rule's patches. Type and traffic policy come after, so a patch cannot undo them.
fn apply_rule(edit: &mut Tracked, rule: &Rule, label: &str) -> Result<(), String> {
    let before = edit.value.clone();
    if let Some(patch) = &rule.patch {
        for (i, op) in patch.iter().enumerate() {
            // Removing what is already gone is done: so a second run over svcpolicy's own
            // output changes nothing, as every rule must allow.
            if let json_patch::PatchOperation::Remove(r) = op {
                if edit.value.pointer(r.path.as_str()).is_none() {
                    continue;
                }
            }
            json_patch::patch(edit.value, std::slice::from_ref(op))
                .map_err(|e| format!("its patch (operation {i}, {op}) does not apply to this Service: {e}"))?;
        }
    }
    if let Some(mp) = &rule.merge_patch {
        json_patch::merge(edit.value, mp);
    }
    for op in json_patch::diff(&before, edit.value).0 {
        let (path, to) = match &op {
            json_patch::PatchOperation::Add(o) => (o.path.to_string(), Some(o.value.clone())),
            json_patch::PatchOperation::Replace(o) => (o.path.to_string(), Some(o.value.clone())),
            json_patch::PatchOperation::Remove(o) => (o.path.to_string(), None),
            _ => continue,
        };
        let from = before.pointer(&path).cloned();
        let field = field_from_pointer(&path, if to.is_some() { &*edit.value } else { &before });
        edit.changes.push(Change { field, from, to, reason: format!("patched by {label}") });
    }
    Ok(())
}

fn set_traffic_policy(edit: &mut Tracked, etp: &str, label: &str, report: &mut Report, loc: &Location) {
    if is_externally_accessible(edit.value) {
        edit.set(&[Seg::Key("spec"), Seg::Key("externalTrafficPolicy")], Value::from(etp), label);
    } else {
        report.warn(
            loc.clone(),
            format!("{label} sets externalTrafficPolicy, which only externally-accessible Services (NodePort, LoadBalancer, or ClusterIP with externalIPs) may have; not set"),
            Some(label.to_string()),
        );
    }
}

fn port_names(svc: &Value) -> Vec<(Option<String>, Option<u16>)> {
    svc.pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let name = p.get("name").and_then(Value::as_str).map(str::to_string);
            let port = p.get("port").and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok());
            (name, port)
        })
        .collect()
}

/// Writes a rule's `loadBalancer: {ip, sharingKey}` where the cluster's implementation reads them;
/// returns what the implementation cannot take.
pub fn request_address(
    edit: &mut Tracked,
    lb: &crate::policy::LoadBalancerAction,
    implementation: Option<crate::policy::Implementation>,
    why: &str,
) -> Vec<String> {
    use crate::policy::Implementation as I;
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
                edit.set(&annotation(k), Value::from(ip.as_str()), why);
                // One Service, one address request: the chart's own would be a second (MetalLB
                // refuses a Service with both).
                edit.remove(&[Seg::Key("spec"), Seg::Key("loadBalancerIP")], &format!("{why}: the address is in {k}"));
            }
            (I::None, None) => edit.set(&[Seg::Key("spec"), Seg::Key("loadBalancerIP")], Value::from(ip.as_str()), why),
            _ => unsupported.push(format!("ServiceLB serves every node's addresses; the address {ip} is not set")),
        }
    }
    if let Some(key) = &lb.sharing_key {
        match sharing_key {
            Some(k) => edit.set(&annotation(k), Value::from(key.as_str()), why),
            None => {
                unsupported.push(format!("the load-balancer implementation has no sharing key; '{key}' is not set"))
            }
        }
    }
    unsupported
}

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
        if access.action != crate::policy::HostAction::Allow && access.except.iter().any(|e| !e.namespace.is_any()) {
            host_asking.push(format!("{key}.except"));
        }
    }
    if !host_asking.is_empty() {
        let on_host = |obj: &Object| {
            pod::pod_spec(obj.kind, obj.value(manifests)).is_some_and(|spec| {
                spec.get("hostNetwork") == Some(&Value::Bool(true))
                    || ["containers", "initContainers"].iter().any(|c| {
                        let containers = spec.get(*c).and_then(Value::as_array).into_iter().flatten();
                        containers
                            .flat_map(|c| c.get("ports").and_then(Value::as_array).into_iter().flatten())
                            .any(|p| p.get("hostPort").is_some_and(|h| !h.is_null()))
                    })
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
