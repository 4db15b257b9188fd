//! NodePort allocation across every release in the run and the cluster state.
//!
//! Every port of a NodePort Service ends with an explicit nodePort inside the policy's range, not
//! reserved, and used by nobody else (the apiserver's allocator is one bitmap of numbers, whatever
//! the protocol). The TCP and UDP entries of one Service port share one number. LoadBalancer
//! Services are held to the same rules for the numbers they give; unset ones stay unset.
//!
//! Decisions, in order: pins from rules; explicit numbers that are valid and free (the cluster's
//! current owner first, then by identity); the number the cluster's current version of the Service
//! holds; then a fresh number chosen from the port's identity (`namespace/name/port`) alone, in the
//! static band at the bottom of the range first (the apiserver's own dynamic allocations come from
//! the top). So a number depends only on the identity and on what is taken, never on document
//! order, and nothing that is already allocated ever moves.

use crate::change::{Change, Seg, Tracked};
use crate::input::cluster::ClusterState;
use crate::k8s::meta::port_number;
use crate::k8s::names::fnv1a;
use crate::k8s::service::{self, service_type, ServiceType};
use crate::plan::planned::Planned;
use crate::policy::{Policy, PortRange, PortRef};
use crate::report::{Problem, Report};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One number to decide: a Service port (all its protocol entries) or a healthCheckNodePort.
#[derive(Debug)]
struct Group {
    svc: usize,
    /// `namespace/name` of the Service.
    base: String,
    /// The Service port number; `None` for the healthCheckNodePort.
    port: Option<u16>,
    /// Indexes into `spec.ports`.
    entries: Vec<usize>,
    identity: String,
    /// The first valid number the render gives it.
    explicit: Option<u16>,
    /// Whether it must end with a number (NodePort) or may stay unset (LoadBalancer).
    required: bool,
    pin: Option<(u16, String)>,
    decided: Option<u16>,
    /// Why the number changed, if it does.
    why: String,
}

/// Numbers in use, with a word-at-a-time search for the next free one.
struct Taken {
    bits: Vec<u64>,
}

impl Taken {
    fn new() -> Self {
        Taken { bits: vec![0; 1024] }
    }

    fn has(&self, n: u16) -> bool {
        self.bits[usize::from(n) / 64] & (1 << (n % 64)) != 0
    }

    fn take(&mut self, n: u16) {
        self.bits[usize::from(n) / 64] |= 1 << (n % 64);
    }

    /// The first free number in `from..=to`.
    fn first_free(&self, from: u32, to: u32) -> Option<u16> {
        let mut n = from;
        while n <= to {
            let word = !self.bits[(n / 64) as usize] >> (n % 64);
            if word != 0 {
                let found = n + word.trailing_zeros();
                return (found <= to).then_some(found as u16);
            }
            n = (n / 64 + 1) * 64;
        }
        None
    }

    fn free_in(&self, range: PortRange) -> usize {
        (range.first..=range.last).filter(|&n| !self.has(n)).count()
    }
}

/// The size of the static band at the bottom of the range (KEP-3668).
pub fn static_band(range: PortRange) -> u32 {
    let size = range.size() as u32;
    if size <= 16 {
        0
    } else {
        (size / 32).clamp(16, 128)
    }
}

/// A fresh number for `identity`: from its hash, in the static band first, then in the rest.
fn choose(taken: &Taken, range: PortRange, identity: &str) -> Option<u16> {
    // A stable hash, so a port's first choice never changes between svcpolicy versions.
    let hash = fnv1a(identity);
    let (first, last) = (u32::from(range.first), u32::from(range.last));
    let band = static_band(range);
    // An empty band (a range of 16 ports or fewer) probes nothing: `lo > hi`.
    let probe = |lo: u32, hi: u32| -> Option<u16> {
        if lo > hi {
            return None;
        }
        let start = lo + (hash % u64::from(hi - lo + 1)) as u32;
        taken.first_free(start, hi).or_else(|| taken.first_free(lo, start))
    };
    probe(first, first + band - 1).or_else(|| probe(first + band, last))
}

/// A Service as allocation names it: `namespace/name`.
fn service_id(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

/// The identity of one number to decide: `namespace/name/port`, or
/// `namespace/name/healthCheckNodePort`. A fresh number depends on it alone.
fn identity(service: &str, port: Option<u16>) -> String {
    match port {
        Some(port) => format!("{service}/{port}"),
        None => format!("{service}/healthCheckNodePort"),
    }
}

fn groups_of(services: &[Planned], policy: &Policy, report: &mut Report) -> Vec<Group> {
    let mut groups = Vec::new();
    for (s, planned) in services.iter().enumerate() {
        let t = service_type(&planned.target);
        let required = match t {
            Ok(ServiceType::NodePort) => policy.node_ports.assign_missing,
            Ok(ServiceType::LoadBalancer) => false,
            _ => continue,
        };
        let loc = &planned.obj.location;
        let base = service_id(loc.namespace.as_deref().unwrap_or("default"), loc.name.as_deref().unwrap_or(""));
        let ports = service::ports(&planned.target);
        let mut by_port: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
        for (i, p) in ports.iter().enumerate() {
            if let Some(port) = port_number(p.get("port")) {
                by_port.entry(port).or_default().push(i);
            }
        }
        let rule = planned.rule(policy);
        let mut pins = rule.as_ref().map_or_else(Vec::new, |(r, _)| r.pins());
        for (port, entries) in by_port {
            let explicit = entries.iter().find_map(|&i| port_number(ports[i].get("nodePort")));
            let pin = pins
                .iter()
                .position(|(r, _)| entries.iter().any(|&i| port_ref_matches(r, &ports[i], port)))
                .map(|at| pins.remove(at))
                .map(|(_, n)| (n, rule.as_ref().map(|(_, l)| l.clone()).unwrap_or_default()));
            if !required && explicit.is_none() && pin.is_none() {
                continue;
            }
            groups.push(Group {
                svc: s,
                base: base.clone(),
                port: Some(port),
                entries,
                identity: identity(&base, Some(port)),
                explicit,
                required,
                pin,
                decided: None,
                why: String::new(),
            });
        }
        for (r, _) in pins {
            report.warn(
                loc.clone(),
                format!("the rule pins a nodePort for port '{r}', which this Service does not have"),
                rule.as_ref().map(|(_, l)| l.clone()),
            );
        }
        let local = service::has_local_traffic_policy(&planned.target);
        if let (Ok(ServiceType::LoadBalancer), true, Some(hc)) =
            (t, local, port_number(planned.target.pointer("/spec/healthCheckNodePort")))
        {
            groups.push(Group {
                svc: s,
                base: base.clone(),
                port: None,
                entries: Vec::new(),
                identity: identity(&base, None),
                explicit: Some(hc),
                required: false,
                pin: None,
                decided: None,
                why: String::new(),
            });
        }
    }
    groups.sort_by(|a, b| (&a.base, a.port.is_none(), a.port).cmp(&(&b.base, b.port.is_none(), b.port)));
    groups
}

fn port_ref_matches(r: &PortRef, entry: &Value, port: u16) -> bool {
    match r {
        PortRef::Number(n) => *n == port,
        PortRef::Name(name) => entry.get("name").and_then(Value::as_str) == Some(name),
    }
}

/// Who holds a number, so that whoever else asks for it is told.
#[derive(Debug, Clone)]
enum Holder {
    Reserved,
    Cluster(String),
    /// A pod on the host network or with a hostPort listens there on every node it runs on.
    Host(String),
    Pinned {
        identity: String,
        rule: String,
    },
    Kept(String),
    Previous(String),
    Fresh(String),
}

impl Holder {
    fn refuses(&self, n: u16) -> String {
        match self {
            Holder::Reserved => format!("{n} is reserved by the policy"),
            Holder::Cluster(owner) => format!("{n} is held by Service {owner} in the cluster"),
            Holder::Host(owner) => format!("{n} is a host port of {owner}"),
            Holder::Pinned { identity, rule } => format!("{n} is pinned for {identity} by {rule}"),
            Holder::Kept(identity) => format!("{n} is also used by {identity}, which keeps it"),
            Holder::Previous(identity) => format!("{n} is held in the cluster by {identity}, which keeps it"),
            Holder::Fresh(identity) => format!("{n} was given to {identity}"),
        }
    }
}

/// The numbers taken so far and who took them.
struct Ledger {
    taken: Taken,
    reserved: Taken,
    holders: HashMap<u16, Holder>,
}

impl Ledger {
    fn holder(&self, n: u16) -> Option<&Holder> {
        if self.reserved.has(n) {
            return Some(&Holder::Reserved);
        }
        self.holders.get(&n)
    }

    fn claim(&mut self, n: u16, holder: Holder) {
        self.taken.take(n);
        self.holders.insert(n, holder);
    }
}

/// Decides every node port and writes them into the planned Services.
pub fn allocate(
    services: &mut [Planned],
    policy: &Policy,
    cluster: &ClusterState,
    host_ports: &[(u16, String)],
    report: &mut Report,
) {
    let range = policy.node_ports.range;
    let mut groups = groups_of(services, policy, report);
    if groups.is_empty() {
        return;
    }
    let mut claims = Ledger { taken: Taken::new(), reserved: Taken::new(), holders: HashMap::new() };
    for r in &policy.node_ports.reserved {
        for n in r.first..=r.last {
            claims.reserved.take(n);
            claims.taken.take(n);
        }
    }
    // What the cluster holds: other Services' numbers are taken; the render's own Services'
    // current numbers are preferred for them.
    let in_render: std::collections::HashSet<(&str, &str)> = services
        .iter()
        .map(|p| (p.obj.location.namespace.as_deref().unwrap_or(""), p.obj.location.name.as_deref().unwrap_or("")))
        .collect();
    let mut previous: HashMap<String, u16> = HashMap::new();
    for cs in &cluster.services {
        let mine = in_render.contains(&(cs.namespace.as_str(), cs.name.as_str()));
        for h in &cs.held {
            if mine {
                previous.insert(identity(&service_id(&cs.namespace, &cs.name), h.port), h.node_port);
            } else if claims.holder(h.node_port).is_none() {
                claims.claim(h.node_port, Holder::Cluster(service_id(&cs.namespace, &cs.name)));
            }
        }
    }

    for (n, owner) in host_ports {
        if claims.holder(*n).is_none() {
            claims.claim(*n, Holder::Host(owner.clone()));
        }
    }

    decide_pins(&mut groups, services, &mut claims, range, report);
    // What the cluster already gives a Service stays with it: first where the render agrees,
    // then where the render asks for no number or one it can never have, and only then does
    // anyone else's explicit number count. A valid number the render asks for wins over the
    // cluster's: that is a changed chart value.
    let agrees = |g: &Group| g.explicit.is_some() && previous.get(&g.identity) == g.explicit.as_ref();
    let cannot_have = |g: &Group, claims: &Ledger| {
        g.explicit.is_none_or(|n| {
            !range.contains(n) || matches!(claims.holder(n), Some(Holder::Reserved | Holder::Cluster(_)))
        })
    };
    keep_explicit(&mut groups, |g, _| agrees(g), &mut claims, range);
    keep_previous(&mut groups, cannot_have, &mut claims, &previous, range);
    keep_explicit(&mut groups, |_, _| true, &mut claims, range);
    keep_previous(&mut groups, |_, _| true, &mut claims, &previous, range);
    if !assign_fresh(&mut groups, services, &mut claims, range, report) {
        return;
    }
    write_back(&groups, services);
}

fn decide_pins(groups: &mut [Group], services: &[Planned], claims: &mut Ledger, range: PortRange, report: &mut Report) {
    for g in 0..groups.len() {
        let Some((n, rule)) = groups[g].pin.clone() else { continue };
        let identity = groups[g].identity.clone();
        let problem = if !range.contains(n) {
            Some(format!("the pinned nodePort {n} is outside the node-port range {range}"))
        } else {
            match claims.holder(n) {
                None => None,
                Some(Holder::Reserved) => Some(format!("the pinned nodePort {n} is reserved by the policy")),
                Some(Holder::Cluster(owner)) => {
                    Some(format!("the pinned nodePort {n} for {identity} is held by Service {owner} in the cluster"))
                }
                Some(Holder::Pinned { identity: other, .. }) => {
                    Some(format!("the nodePort {n} is pinned twice: for {other} and for {identity}"))
                }
                Some(h) => Some(h.refuses(n)),
            }
        };
        if let Some(message) = problem {
            report.error(
                Problem::InvalidPolicy,
                services[groups[g].svc].obj.location.clone(),
                None,
                message,
                Some(rule),
            );
            continue;
        }
        claims.claim(n, Holder::Pinned { identity, rule: rule.clone() });
        groups[g].decided = Some(n);
        groups[g].why = format!("pinned by {rule}");
    }
}

fn keep_explicit(groups: &mut [Group], which: impl Fn(&Group, &Ledger) -> bool, claims: &mut Ledger, range: PortRange) {
    // In identity order (the groups are sorted): the first to ask keeps a number.
    for g in groups.iter_mut() {
        let Some(n) = g.explicit.filter(|_| g.decided.is_none()) else { continue };
        if !which(g, claims) {
            continue;
        }
        match (range.contains(n), claims.holder(n)) {
            (false, _) => g.why = format!("{n} is outside the node-port range {range}"),
            (true, Some(h)) => g.why = h.refuses(n),
            (true, None) => {
                claims.claim(n, Holder::Kept(g.identity.clone()));
                g.decided = Some(n);
                // Only shows where entries of one port disagreed and are brought to one number.
                g.why = format!("the entries of port {} share one nodePort", g.port.map_or(0, u32::from));
            }
        }
    }
}

fn keep_previous(
    groups: &mut [Group],
    which: impl Fn(&Group, &Ledger) -> bool,
    claims: &mut Ledger,
    previous: &HashMap<String, u16>,
    range: PortRange,
) {
    for g in groups.iter_mut() {
        if g.decided.is_some() || !(g.required || g.explicit.is_some()) || !which(g, claims) {
            continue;
        }
        if let Some(&n) = previous.get(&g.identity) {
            if range.contains(n) && claims.holder(n).is_none() {
                claims.claim(n, Holder::Previous(g.identity.clone()));
                g.decided = Some(n);
                g.why = "kept from the Service's current version in the cluster".to_string();
            }
        }
    }
}

fn assign_fresh(
    groups: &mut [Group],
    services: &[Planned],
    claims: &mut Ledger,
    range: PortRange,
    report: &mut Report,
) -> bool {
    let needing: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].decided.is_none() && (groups[g].required || groups[g].explicit.is_some()))
        .collect();
    let free = claims.taken.free_in(range);
    if needing.len() > free {
        let loc = services[groups[needing[0]].svc].obj.location.clone();
        report.error(
            Problem::InvalidPolicy,
            loc,
            None,
            format!(
                "the node-port range {range} is too small: {} ports need a number and {free} are free; widen nodePorts.range or reserve less",
                needing.len()
            ),
            None,
        );
        return false;
    }
    for g in needing {
        let n = choose(&claims.taken, range, &groups[g].identity).expect("there are enough free numbers");
        claims.claim(n, Holder::Fresh(groups[g].identity.clone()));
        let group = &mut groups[g];
        if group.explicit.is_none() {
            group.why = "a NodePort Service gets an explicit nodePort from the policy's range".to_string();
        }
        group.decided = Some(n);
    }
    true
}

fn write_back(groups: &[Group], services: &mut [Planned]) {
    for g in groups {
        let Some(n) = g.decided else { continue };
        let planned = &mut services[g.svc];
        let mut edit = Tracked::new(&mut planned.target);
        if g.port.is_none() {
            edit.set(&[Seg::Key("spec"), Seg::Key("healthCheckNodePort")], Value::from(n), &g.why);
        }
        for &i in &g.entries {
            edit.set(
                &[Seg::Key("spec"), Seg::Key("ports"), Seg::Index(i), Seg::Key("nodePort")],
                Value::from(n),
                &g.why,
            );
        }
        let changes: Vec<Change> = edit.changes;
        planned.changes.extend(changes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_static_band_follows_kep_3668() {
        assert_eq!(static_band(PortRange { first: 30000, last: 32767 }), 86);
        assert_eq!(static_band(PortRange { first: 9000, last: 65535 }), 128);
        assert_eq!(static_band(PortRange { first: 9000, last: 9010 }), 0);
        assert_eq!(static_band(PortRange { first: 9000, last: 9099 }), 16);
    }

    #[test]
    fn fresh_numbers_come_from_the_band_then_the_rest() {
        let range = PortRange { first: 30000, last: 32767 };
        let mut taken = Taken::new();
        let n = choose(&taken, range, "default/web/80").unwrap();
        assert!((30000..30086).contains(&n));
        for n in 30000..30086 {
            taken.take(n);
        }
        let m = choose(&taken, range, "default/web/80").unwrap();
        assert!((30086..=32767).contains(&m));
        assert_eq!(taken.first_free(30000, 30085), None);
        assert_eq!(taken.first_free(30000, 30086), Some(30086));
    }
}
