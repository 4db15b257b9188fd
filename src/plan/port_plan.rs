//! The port plan of a node: every claim the render (and the cluster) makes on a node's ports,
//! and the conflicts between them. A claim is a nodePort number, a LoadBalancer port where
//! LoadBalancer addresses are shared (k3s ServiceLB: a host port on every node), a container's
//! hostPort, or a containerPort of a hostNetwork pod; a hostNetwork pod also claims, inferred,
//! the numeric targetPorts it does not declare of the render's Services that select it (it must
//! listen there for them to work). Two claims on one (protocol, port) by
//! different resources conflict. Where LoadBalancer addresses are per Service (MetalLB, Cilium,
//! kube-vip), two Services conflict only on the same requested address, when the
//! implementation's sharing rules are broken (MetalLB's: one sharing key, no (protocol, port)
//! twice, and one backend: the same traffic policy, and for `Local` the same selector).
//!
//! `port_plan` is the stage; `svcpolicy ports` shows its claims and conflicts.

use crate::input::cluster::ClusterState;
use crate::input::Location;
use crate::k8s::meta::{self, port_number};
use crate::k8s::pod::{self, ContainerPort};
use crate::k8s::service::{self, service_type, target_port, ServiceType, TargetPort};
use crate::plan::planned::Planned;
use crate::policy::{Addresses, OnConflict, Policy};
use crate::report::{Problem, Report};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// What claims a port, as the port plan names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ClaimKind {
    /// A Service's nodePort: the number on every node.
    NodePort,
    /// A LoadBalancer Service's port: on every node where addresses are shared, else on its address.
    LoadBalancer,
    /// A container's hostPort.
    HostPort,
    /// A containerPort of a pod on the host network.
    HostNetwork,
}

impl ClaimKind {
    /// The name in messages and in the `ports` table, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::NodePort => "nodePort",
            ClaimKind::LoadBalancer => "loadBalancer",
            ClaimKind::HostPort => "hostPort",
            ClaimKind::HostNetwork => "hostNetwork",
        }
    }
}

/// One claim on a port.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    /// What claims the port.
    pub claim: ClaimKind,
    /// `Service`, `DaemonSet`, ...
    pub resource: String,
    /// The resource's namespace.
    pub namespace: String,
    /// The resource's `metadata.name`.
    pub name: String,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    /// The number claimed.
    pub port: u16,
    /// The address a LoadBalancer asks for, or a hostPort's hostIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Where it is in the input; `None` for the cluster state.
    #[serde(skip)]
    pub location: Option<Location>,
    /// The LoadBalancer's sharing key: Services sharing an address must have the same one.
    #[serde(skip)]
    pub sharing_key: Option<String>,
    /// `externalTrafficPolicy: Local`: Services sharing an address must agree on it.
    #[serde(skip)]
    pub local_traffic: bool,
    /// The Service's selector, which must match for `Local` Services sharing an address.
    #[serde(skip)]
    pub selector: Option<Value>,
    /// The rule that decided for the resource, if it says conflicts are warnings.
    #[serde(skip)]
    pub warn_only: bool,
    /// For a port a hostNetwork pod does not declare: the Services it is inferred from, whose
    /// targetPort it is (`Service media/home-assistant`). Empty for a declared claim.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inferred_from: Vec<String>,
}

impl Claim {
    /// Who holds the claim, as messages name it: `Service media/plex`. One owner's claims never
    /// conflict with each other.
    pub fn owner(&self) -> String {
        format!("{} {}/{}", self.resource, self.namespace, self.name)
    }

    /// What kind of claim it is, as messages say it: `hostNetwork`, or for an inferred one
    /// `hostNetwork, inferred from Service media/home-assistant`.
    pub fn how(&self) -> String {
        match self.inferred_from.is_empty() {
            true => self.claim.as_str().to_string(),
            false => format!("{}, inferred from {}", self.claim.as_str(), self.inferred_from.join(", ")),
        }
    }
}

/// Two claims that cannot both hold: one port on the node, or one address shared against its rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// What collides, naming both owners and the port or address.
    pub message: String,
    /// The two claims, the render's first.
    #[serde(skip)]
    pub claims: [Claim; 2],
}

/// The addresses a LoadBalancer Service asks for.
fn requested_addresses(svc: &Value) -> Vec<String> {
    let mut out: Vec<String> = meta::first_annotation(svc, meta::ADDRESS_KEYS)
        .map(|list| list.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect())
        .unwrap_or_default();
    if let Some(ip) = svc.pointer("/spec/loadBalancerIP").and_then(Value::as_str).filter(|s| !s.is_empty()) {
        out.push(ip.to_string());
    }
    out.sort();
    out.dedup();
    out
}

/// The claims a Service makes: its nodePorts, and its LoadBalancer ports.
pub fn service_claims(
    svc: &Value,
    namespace: &str,
    location: Option<Location>,
    policy: &Policy,
    warn_only: bool,
) -> Vec<Claim> {
    let name = meta::name(svc).unwrap_or_default().to_string();
    let t = service_type(svc).ok();
    let claim = |kind, protocol: &str, port, address| Claim {
        claim: kind,
        resource: "Service".into(),
        namespace: namespace.to_string(),
        name: name.clone(),
        protocol: protocol.to_string(),
        port,
        address,
        location: location.clone(),
        sharing_key: meta::first_annotation(svc, meta::SHARING_KEYS).map(str::to_string),
        local_traffic: service::has_local_traffic_policy(svc),
        selector: svc.pointer("/spec/selector").cloned(),
        warn_only,
        inferred_from: Vec::new(),
    };
    let mut out = Vec::new();
    for p in service::ports(svc) {
        let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
        if matches!(t, Some(ServiceType::NodePort | ServiceType::LoadBalancer)) {
            if let Some(n) = port_number(p.get("nodePort")) {
                out.push(claim(ClaimKind::NodePort, protocol, n, None));
            }
        }
        if t == Some(ServiceType::LoadBalancer) {
            if let Some(port) = port_number(p.get("port")) {
                match policy.load_balancer.addresses {
                    Addresses::Shared => out.push(claim(ClaimKind::LoadBalancer, protocol, port, None)),
                    Addresses::PerService => {
                        for a in requested_addresses(svc) {
                            out.push(claim(ClaimKind::LoadBalancer, protocol, port, Some(a)));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The claims a pod spec makes: hostPorts, and every containerPort of a hostNetwork pod.
pub fn pod_claims(
    kind: &str,
    workload: &Value,
    spec: &Value,
    namespace: &str,
    location: Option<Location>,
) -> Vec<Claim> {
    let name = meta::name(workload).unwrap_or_default();
    let host_network = pod::uses_host_network(spec);
    let mut out = Vec::new();
    for ContainerPort { port: p, .. } in pod::container_ports(spec) {
        let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
        let (claim, port) = match (port_number(p.get("hostPort")), host_network) {
            (Some(h), false) => (ClaimKind::HostPort, h),
            (h, true) => (ClaimKind::HostNetwork, h.or_else(|| port_number(p.get("containerPort"))).unwrap_or(0)),
            (None, false) => continue,
        };
        if port == 0 {
            continue;
        }
        let mut c = workload_claim(claim, kind, namespace, name, protocol, port, location.clone());
        c.address =
            p.get("hostIP").and_then(Value::as_str).filter(|a| !a.is_empty() && *a != "0.0.0.0").map(str::to_string);
        out.push(c);
    }
    out
}

/// A workload's claim on `protocol/port`, on every address.
fn workload_claim(
    claim: ClaimKind,
    kind: &str,
    namespace: &str,
    name: &str,
    protocol: &str,
    port: u16,
    location: Option<Location>,
) -> Claim {
    Claim {
        claim,
        resource: kind.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
        protocol: protocol.to_string(),
        port,
        address: None,
        location,
        sharing_key: None,
        local_traffic: false,
        selector: None,
        warn_only: false,
        inferred_from: Vec::new(),
    }
}

/// The claims a hostNetwork workload makes without declaring them: the numeric targetPorts of
/// the render's Services in its namespace that select its pods, where none of `declared` (its
/// own claims) holds the (protocol, port) already; each names the Services it is inferred from.
/// A named targetPort names a declared container port (a claim already) or none.
fn inferred_claims(workload: &Planned, declared: &[Claim], services: &[Planned]) -> Vec<Claim> {
    let Some(labels) = pod::pod_labels(workload.obj.kind, &workload.target) else { return Vec::new() };
    let namespace = workload.obj.location.namespace.as_deref().unwrap_or("default");
    let kind = workload.obj.location.kind.as_deref().unwrap_or("");
    let name = meta::name(&workload.target).unwrap_or_default();
    let mut out: Vec<Claim> = Vec::new();
    let selecting = services.iter().filter(|s| {
        s.obj.location.namespace.as_deref().unwrap_or("default") == namespace && service::selects(&s.target, labels)
    });
    for svc in selecting {
        let owner = format!("Service {namespace}/{}", svc.obj.location.name.as_deref().unwrap_or(""));
        for p in service::ports(&svc.target) {
            let Some(TargetPort::Number(port)) = target_port(p) else { continue };
            let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            let holds = |c: &Claim| c.port == port && c.protocol == protocol;
            if declared.iter().any(holds) {
                continue;
            }
            match out.iter().position(holds) {
                Some(i) if !out[i].inferred_from.contains(&owner) => out[i].inferred_from.push(owner.clone()),
                Some(_) => {}
                None => {
                    let location = Some(workload.obj.location.clone());
                    let mut c = workload_claim(ClaimKind::HostNetwork, kind, namespace, name, protocol, port, location);
                    c.inferred_from.push(owner.clone());
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The claims of the cluster's Services that the render does not replace.
pub fn cluster_claims(cluster: &ClusterState, policy: &Policy, in_render: &dyn Fn(&str, &str) -> bool) -> Vec<Claim> {
    cluster
        .services
        .iter()
        .filter(|s| !in_render(&s.namespace, &s.name))
        .flat_map(|s| service_claims(&s.value, &s.namespace, None, policy, false))
        .collect()
}

/// Every pair of claims that cannot both hold, once each.
pub fn conflicts(claims: &[Claim]) -> Vec<Conflict> {
    let mut out = Vec::new();
    // The node's ports: (protocol, port), whatever the kind of claim, per-service addresses aside.
    let mut on_node: BTreeMap<(&str, u16), Vec<&Claim>> = BTreeMap::new();
    let mut on_address: BTreeMap<&str, Vec<&Claim>> = BTreeMap::new();
    for c in claims {
        match (&c.claim, &c.address) {
            (ClaimKind::LoadBalancer, Some(a)) => on_address.entry(a).or_default().push(c),
            _ => on_node.entry((&c.protocol, c.port)).or_default().push(c),
        }
    }
    for ((protocol, port), holders) in &on_node {
        for (i, a) in holders.iter().enumerate() {
            let Some(b) = holders[i + 1..].iter().find(|b| b.owner() != a.owner() && addresses_meet(a, b)) else {
                continue;
            };
            out.push(conflict(
                a,
                b,
                format!(
                    "{protocol}/{port} on every node is claimed by {} ({}) and {} ({})",
                    a.owner(),
                    a.how(),
                    b.owner(),
                    b.how()
                ),
            ));
            break;
        }
    }
    for (address, holders) in &on_address {
        // Per pair of Services on the address, the first sharing rule they break.
        let mut owners: Vec<String> = holders.iter().map(|c| c.owner()).collect();
        owners.dedup();
        for (i, first) in owners.iter().enumerate() {
            for second in &owners[i + 1..] {
                let of = |o: &String| holders.iter().filter(|c| &c.owner() == o).copied().collect::<Vec<&Claim>>();
                let (a, b) = (of(first), of(second));
                let why = if a[0].sharing_key.is_none() || a[0].sharing_key != b[0].sharing_key {
                    Some(format!("both ask for {address} without a common sharing key"))
                } else if let Some(x) =
                    a.iter().find(|x| b.iter().any(|y| x.protocol == y.protocol && x.port == y.port))
                {
                    Some(format!("both ask for {}/{} on {address}", x.protocol, x.port))
                } else if a[0].local_traffic != b[0].local_traffic {
                    Some(format!("they share {address} but only one has externalTrafficPolicy: Local"))
                } else if a[0].local_traffic && a[0].selector != b[0].selector {
                    Some(format!("they share {address} with externalTrafficPolicy: Local but select different pods"))
                } else {
                    None
                };
                if let Some(why) = why {
                    out.push(conflict(a[0], b[0], format!("{first} and {second}: {why}")));
                }
            }
        }
    }
    out
}

/// hostIPs only meet where they are the same or one is all addresses.
fn addresses_meet(a: &Claim, b: &Claim) -> bool {
    match (&a.address, &b.address) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

fn conflict(a: &Claim, b: &Claim, message: String) -> Conflict {
    // The render's claim first: that is where the message is shown.
    let (first, second) = if a.location.is_none() && b.location.is_some() { (b, a) } else { (a, b) };
    Conflict { message, claims: [first.clone(), second.clone()] }
}

/// The host ports the planned workloads hold: those they declare, and for a hostNetwork pod
/// those inferred from the planned Services that select it.
pub fn workload_claims(workloads: &[Planned], services: &[Planned]) -> Vec<Claim> {
    workloads
        .iter()
        .flat_map(|p| {
            let loc = &p.obj.location;
            let kind = loc.kind.as_deref().unwrap_or("");
            let ns = loc.namespace.as_deref().unwrap_or("default");
            let Some(spec) = pod::pod_spec(p.obj.kind, &p.target) else { return Vec::new() };
            let mut claims = pod_claims(kind, &p.target, spec, ns, Some(loc.clone()));
            if pod::uses_host_network(spec) {
                let inferred = inferred_claims(p, &claims, services);
                claims.extend(inferred);
            }
            claims
        })
        .collect()
}

/// The port plan stage: every claim on a node's ports, the render's and the cluster's. Two claims
/// on one port by different resources are an error, or a warning where the rule that decided for
/// the Service says `onConflict: warn`.
pub fn port_plan(
    services: &[Planned],
    workloads: &[Planned],
    policy: &Policy,
    cluster: &ClusterState,
    report: &mut Report,
) -> Vec<Claim> {
    let mut claims = Vec::new();
    for p in services {
        let loc = &p.obj.location;
        let ns = loc.namespace.as_deref().unwrap_or("default");
        let warn_only = p.rule(policy).is_some_and(|(r, _)| r.on_conflict == Some(OnConflict::Warn));
        claims.extend(service_claims(&p.target, ns, Some(loc.clone()), policy, warn_only));
    }
    claims.extend(workload_claims(workloads, services));
    let in_render = |ns: &str, name: &str| {
        services
            .iter()
            .any(|p| p.obj.location.namespace.as_deref() == Some(ns) && p.obj.location.name.as_deref() == Some(name))
    };
    claims.extend(cluster_claims(cluster, policy, &in_render));
    for c in render_conflicts(&claims) {
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

/// The conflicts among `claims` that involve the render: those the cluster has within itself
/// are not this render's to report.
pub fn render_conflicts(claims: &[Claim]) -> Vec<Conflict> {
    conflicts(claims).into_iter().filter(|c| c.claims.iter().any(|x| x.location.is_some())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{DocId, Object};
    use crate::k8s::kinds::{Kind, Workload};
    use serde_json::json;

    fn planned(kind: Kind, namespace: &str, name: &str, target: Value) -> Planned {
        let location = Location {
            kind: Some(if kind == Kind::Service { "Service" } else { "Deployment" }.into()),
            namespace: Some(namespace.into()),
            name: Some(name.into()),
            ..Location::default()
        };
        let obj = Object { doc: DocId { input: 0, doc: 0 }, pointer: String::new(), kind, location };
        Planned { obj, rule: None, target, changes: Vec::new(), own_proxy: false }
    }

    fn service(namespace: &str, name: &str, ports: Value) -> Planned {
        planned(
            Kind::Service,
            namespace,
            name,
            json!({"metadata": {"name": name}, "spec": {"selector": {"app": "ha"}, "ports": ports}}),
        )
    }

    #[test]
    fn a_host_network_pod_claims_what_the_services_selecting_it_send_it_and_it_does_not_declare() {
        let pod = json!({"metadata": {"name": "ha"}, "spec": {"template": {
            "metadata": {"labels": {"app": "ha"}},
            "spec": {"hostNetwork": true, "containers": [{"name": "code", "ports": [{"name": "code", "containerPort": 12321}]}]}
        }}});
        let workload = planned(Kind::Workload(Workload::Deployment), "home", "ha", pod);
        let services = [
            // Two ports to one target: one claim, the Service named once.
            service(
                "home",
                "ha",
                json!([{"name": "http", "port": 80, "targetPort": 8123}, {"name": "https", "port": 443, "targetPort": 8123}]),
            ),
            // A second Service to the same target, a UDP port, a declared port, a named one.
            service(
                "home",
                "ha-lan",
                json!([{"port": 8123}, {"port": 5353, "protocol": "UDP"}, {"port": 12321}, {"port": 1, "targetPort": "code"}]),
            ),
            // Another namespace's Service selects no pod here.
            service("lab", "ha", json!([{"port": 9999}])),
        ];
        let claims = workload_claims(&[workload], &services);
        let got: Vec<(u16, &str, Vec<&str>)> = claims
            .iter()
            .map(|c| (c.port, c.protocol.as_str(), c.inferred_from.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            got,
            [
                (12321, "TCP", vec![]),
                (8123, "TCP", vec!["Service home/ha", "Service home/ha-lan"]),
                (5353, "UDP", vec!["Service home/ha-lan"]),
            ]
        );
        assert!(claims
            .iter()
            .all(|c| c.claim == ClaimKind::HostNetwork && c.name == "ha" && c.resource == "Deployment"));
        assert_eq!(claims[1].how(), "hostNetwork, inferred from Service home/ha, Service home/ha-lan");
        assert_eq!(claims[0].how(), "hostNetwork");
    }

    #[test]
    fn a_pod_off_the_host_network_claims_nothing_it_does_not_declare() {
        let pod = json!({"metadata": {"name": "ha"}, "spec": {"template": {"metadata": {"labels": {"app": "ha"}}, "spec": {"containers": [{"name": "app"}]}}}});
        let workload = planned(Kind::Workload(Workload::Deployment), "home", "ha", pod);
        assert!(workload_claims(&[workload], &[service("home", "ha", json!([{"port": 8123}]))]).is_empty());
    }
}
