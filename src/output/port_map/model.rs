//! What the port map shows, sorted out of the port plan: the claims on the node's ports inside
//! the policy's NodePort range (the band), those on LoadBalancer addresses, those on the node's
//! other ports, the free and reserved runs of the range, and the conflicts. Claims and
//! conflicts keep the numbers `svcpolicy ports --format json` lists them by (from 0).

use crate::plan::port_plan::{Claim, ClaimKind, Conflict};
use crate::policy::{NodePorts, PortRange};
use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

/// Where on the node a claim, or a conflict, is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// A port of every node inside the NodePort range.
    Band,
    /// A LoadBalancer address of its own.
    Address(String),
    /// A port of every node outside the NodePort range.
    Host(u16),
}

impl Place {
    /// Where `claim` is: on its address, or on the node inside or outside `range`.
    pub fn of(claim: &Claim, range: PortRange) -> Place {
        match (claim.claim, &claim.address) {
            (ClaimKind::LoadBalancer, Some(address)) => Place::Address(address.clone()),
            _ if range.contains(claim.port) => Place::Band,
            _ => Place::Host(claim.port),
        }
    }
}

/// One claim on the map.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Its number in the port plan (`ports --format json`'s `claims`).
    pub id: usize,
    /// The claim itself.
    pub claim: &'a Claim,
    /// Whether it takes part in a conflict.
    pub conflicted: bool,
}

impl Entry<'_> {
    /// The app the claim belongs to, as the map labels it.
    pub fn app(&self) -> &str {
        &self.claim.name
    }

    /// Whether the claim comes from the cluster state rather than the render.
    pub fn in_cluster(&self) -> bool {
        self.claim.location.is_none()
    }

    /// Everything about the claim in one line, for hover text: `nodePort TCP/30080: Service
    /// web/web-nginx`.
    pub fn describe(&self) -> String {
        let c = self.claim;
        let address = c.address.as_deref().map(|a| format!(" on {a}")).unwrap_or_default();
        let origin = if self.in_cluster() { " (in the cluster)" } else { "" };
        let conflict = if self.conflicted { " (conflict)" } else { "" };
        format!("{} {}/{}{address}: {}{origin}{conflict}", c.how(), c.protocol, c.port, c.owner())
    }
}

/// Claims shown together: on one LoadBalancer address, or on one port of the node.
#[derive(Debug)]
pub struct Group<'a> {
    /// The address, or `port 80`.
    pub key: String,
    /// The claims, by port, protocol and owner.
    pub entries: Vec<Entry<'a>>,
}

impl Group<'_> {
    /// How many of its claims take part in a conflict.
    pub fn conflicted(&self) -> usize {
        self.entries.iter().filter(|e| e.conflicted).count()
    }
}

/// One conflict on the map.
#[derive(Debug)]
pub struct Clash<'a> {
    /// Its number in the port plan (`ports --format json`'s `conflicts`).
    pub id: usize,
    /// What collides, naming both owners.
    pub message: &'a str,
    /// The two owners, as messages name them (`Service media/plex`).
    pub owners: [String; 2],
    /// Where it is: `TCP/80 on every node`, `LoadBalancer address 192.168.10.53`.
    pub at: String,
}

/// A run of the NodePort range that no claim holds: free, or reserved by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// Ports nothing claims, which svcpolicy may hand out.
    Free(u16, u16),
    /// Ports the policy reserves (`nodePorts.reserved`).
    Reserved(u16, u16),
}

impl Run {
    /// The first and last port of the run.
    pub fn bounds(self) -> (u16, u16) {
        match self {
            Run::Free(a, b) | Run::Reserved(a, b) => (a, b),
        }
    }

    /// How many ports the run holds.
    pub fn len(self) -> usize {
        let (a, b) = self.bounds();
        usize::from(b - a) + 1
    }
}

/// A piece of the NodePort range, in order: a claim (by number) or a run no claim holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// The claim with this number.
    Claim(usize),
    /// Ports no claim holds.
    Run(Run),
}

/// Everything the port map draws.
#[derive(Debug)]
pub struct PortMap<'a> {
    /// The policy's NodePort range.
    pub range: PortRange,
    /// The ports of the range the policy reserves.
    pub reserved: Vec<PortRange>,
    /// Every claim, by number.
    pub entries: Vec<Entry<'a>>,
    /// The numbers of the claims on the node's ports inside the range, by port.
    pub band: Vec<usize>,
    /// The claims on each LoadBalancer address, by address.
    pub addresses: Vec<Group<'a>>,
    /// The claims on each node port outside the range, by port.
    pub host: Vec<Group<'a>>,
    /// Every conflict, by number.
    pub clashes: Vec<Clash<'a>>,
}

impl<'a> PortMap<'a> {
    /// The map of a port plan: its claims, its conflicts (`port_plan::render_conflicts`, which
    /// `ports` lists) and the policy's NodePort settings.
    pub fn new(claims: &'a [Claim], conflicts: &'a [Conflict], node_ports: &NodePorts) -> Self {
        let range = node_ports.range;
        let clashes: Vec<Clash> = conflicts.iter().enumerate().map(|(id, c)| clash(id, c, range)).collect();
        let conflicted = conflicted_claims(claims, conflicts, range);
        let entries: Vec<Entry> = claims
            .iter()
            .enumerate()
            .map(|(id, claim)| Entry { id, claim, conflicted: conflicted.contains(&id) })
            .collect();
        let mut band: Vec<usize> = Vec::new();
        let mut addresses: BTreeMap<(Option<IpAddr>, String), Vec<Entry>> = BTreeMap::new();
        let mut host: BTreeMap<u16, Vec<Entry>> = BTreeMap::new();
        for e in &entries {
            match Place::of(e.claim, range) {
                Place::Band => band.push(e.id),
                Place::Address(a) => addresses.entry((a.parse().ok(), a)).or_default().push(*e),
                Place::Host(port) => host.entry(port).or_default().push(*e),
            }
        }
        band.sort_by(|a, b| order(&entries[*a], &entries[*b]));
        let group = |key: String, mut entries: Vec<Entry<'a>>| {
            entries.sort_by(order);
            Group { key, entries }
        };
        PortMap {
            range,
            reserved: node_ports
                .reserved
                .iter()
                .copied()
                .filter(|r| r.first <= range.last && r.last >= range.first)
                .collect(),
            band,
            addresses: addresses.into_iter().map(|((_, a), e)| group(a, e)).collect(),
            host: host.into_iter().map(|(p, e)| group(format!("port {p}"), e)).collect(),
            entries,
            clashes,
        }
    }

    /// The band's claims, by port.
    pub fn band_entries(&self) -> impl Iterator<Item = &Entry<'a>> {
        self.band.iter().map(|&id| &self.entries[id])
    }

    /// The runs of the range between `first` and `last` (both included), free or reserved.
    pub fn runs_between(&self, first: u16, last: u16) -> Vec<Run> {
        let mut out = Vec::new();
        let mut at = u32::from(first);
        let mut reserved = self.reserved.clone();
        reserved.sort_by_key(|r| r.first);
        for r in reserved.iter().filter(|r| r.last >= first && r.first <= last) {
            let (a, b) = (u32::from(r.first.max(first)), u32::from(r.last.min(last)));
            if a > at {
                out.push(Run::Free(at as u16, (a - 1) as u16));
            }
            if b >= at {
                out.push(Run::Reserved(a.max(at) as u16, b as u16));
            }
            at = at.max(b + 1);
        }
        if at <= u32::from(last) {
            out.push(Run::Free(at as u16, last));
        }
        out
    }

    /// The range from its first port to its last: each claim (by number) where its port is,
    /// and between them the runs no claim holds.
    pub fn band_sequence(&self) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut at = u32::from(self.range.first);
        for e in self.band_entries() {
            let port = u32::from(e.claim.port);
            if port > at {
                out.extend(self.runs_between(at as u16, (port - 1) as u16).into_iter().map(Piece::Run));
            }
            out.push(Piece::Claim(e.id));
            at = at.max(port + 1);
        }
        if at <= u32::from(self.range.last) {
            out.extend(self.runs_between(at as u16, self.range.last).into_iter().map(Piece::Run));
        }
        out
    }

    /// Every run of the range no claim holds, in order.
    pub fn unclaimed_runs(&self) -> Vec<Run> {
        self.band_sequence()
            .into_iter()
            .filter_map(|p| match p {
                Piece::Run(r) => Some(r),
                Piece::Claim(_) => None,
            })
            .collect()
    }

    /// How many ports of the range are claimed, free and reserved (unclaimed).
    pub fn band_counts(&self) -> BandCounts {
        let runs = self.unclaimed_runs();
        let count = |free: bool| runs.iter().filter(|r| matches!(r, Run::Free(..)) == free).map(|r| r.len()).sum();
        let (free, reserved) = (count(true), count(false));
        BandCounts { claimed: self.range.size() - free - reserved, free, reserved }
    }

    /// The `n` longest free runs of the range, longest first (the lower first among equals).
    pub fn longest_free(&self, n: usize) -> Vec<Run> {
        let mut free: Vec<Run> = self.unclaimed_runs().into_iter().filter(|r| matches!(r, Run::Free(..))).collect();
        free.sort_by_key(|r| (std::cmp::Reverse(r.len()), r.bounds().0));
        free.truncate(n);
        free
    }
}

/// How the NodePort range is used: ports claimed, free, and reserved by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandCounts {
    /// Ports at least one claim holds.
    pub claimed: usize,
    /// Ports nothing holds that svcpolicy may hand out.
    pub free: usize,
    /// Ports the policy reserves that nothing holds.
    pub reserved: usize,
}

/// The order claims are shown in: by port, protocol, kind and owner.
fn order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    let key = |e: &Entry<'_>| {
        let c = e.claim;
        (c.port, c.protocol.clone(), c.claim, c.namespace.clone(), c.name.clone(), e.id)
    };
    key(a).cmp(&key(b))
}

fn clash<'a>(id: usize, c: &'a Conflict, range: PortRange) -> Clash<'a> {
    let [a, b] = &c.claims;
    let at = match Place::of(a, range) {
        Place::Address(address) => format!("LoadBalancer address {address}"),
        Place::Band | Place::Host(_) => format!("{}/{} on every node", a.protocol, a.port),
    };
    Clash { id, message: &c.message, owners: [a.owner(), b.owner()], at }
}

/// The numbers of the claims in a conflict: on the node, every claim on the (protocol, port) of
/// a conflict; on an address, every claim both owners of a conflict make on it.
fn conflicted_claims(claims: &[Claim], conflicts: &[Conflict], range: PortRange) -> HashSet<usize> {
    let mut on_node = HashSet::new();
    let mut on_address = HashSet::new();
    for c in conflicts {
        for claim in &c.claims {
            match Place::of(claim, range) {
                Place::Address(a) => on_address.insert((a, claim.owner())),
                _ => on_node.insert((claim.protocol.clone(), claim.port)),
            };
        }
    }
    claims
        .iter()
        .enumerate()
        .filter(|(_, c)| match Place::of(c, range) {
            Place::Address(a) => on_address.contains(&(a, c.owner())),
            _ => on_node.contains(&(c.protocol.clone(), c.port)),
        })
        .map(|(id, _)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Location;
    use crate::plan::port_plan::{conflicts, pod_claims, service_claims};
    use crate::policy;
    use serde_json::json;

    fn node_ports(range: &str, reserved: &[&str]) -> NodePorts {
        NodePorts {
            range: range.parse().unwrap(),
            reserved: reserved.iter().map(|r| r.parse().unwrap()).collect(),
            assign_missing: true,
        }
    }

    fn nodeport(name: &str, ports: &[u16]) -> Vec<Claim> {
        let ports: Vec<_> = ports.iter().map(|p| json!({"port": 80, "nodePort": p})).collect();
        let svc = json!({"metadata": {"name": name}, "spec": {"type": "NodePort", "ports": ports}});
        service_claims(&svc, "apps", Some(Location::default()), &policy::default_policy(), false)
    }

    fn host_network(name: &str, port: u16) -> Vec<Claim> {
        let spec = json!({"hostNetwork": true, "containers": [{"name": "c", "ports": [{"containerPort": port}]}]});
        pod_claims("DaemonSet", &json!({"metadata": {"name": name}}), &spec, "edge", Some(Location::default()))
    }

    #[test]
    fn the_range_splits_into_claims_and_free_and_reserved_runs() {
        let claims = nodeport("web", &[9005, 9020]);
        let map = PortMap::new(&claims, &[], &node_ports("9000-9030", &["9010-9012", "9029-9040"]));
        assert_eq!(
            map.band_sequence(),
            [
                Piece::Run(Run::Free(9000, 9004)),
                Piece::Claim(0),
                Piece::Run(Run::Free(9006, 9009)),
                Piece::Run(Run::Reserved(9010, 9012)),
                Piece::Run(Run::Free(9013, 9019)),
                Piece::Claim(1),
                Piece::Run(Run::Free(9021, 9028)),
                Piece::Run(Run::Reserved(9029, 9030)),
            ]
        );
        assert_eq!(map.band_counts(), BandCounts { claimed: 2, free: 24, reserved: 5 });
        assert_eq!(map.longest_free(2), [Run::Free(9021, 9028), Run::Free(9013, 9019)]);
    }

    #[test]
    fn claims_go_to_the_band_their_address_or_the_other_ports() {
        let mut claims = nodeport("web", &[30080, 8080]);
        claims.extend(host_network("proxy", 80));
        let lb = json!({"metadata": {"name": "dns", "annotations": {"metallb.universe.tf/loadBalancerIPs": "10.0.0.53"}},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 53, "protocol": "UDP"}]}});
        claims.extend(service_claims(&lb, "dns", None, &policy::default_policy(), false));
        let map = PortMap::new(&claims, &[], &node_ports("30000-32767", &[]));
        assert_eq!(map.band, [0]);
        assert_eq!(map.host.iter().map(|g| g.key.as_str()).collect::<Vec<_>>(), ["port 80", "port 8080"]);
        assert_eq!(map.addresses.len(), 1);
        assert_eq!(map.addresses[0].key, "10.0.0.53");
        assert!(map.addresses[0].entries[0].in_cluster());
        assert_eq!(
            map.addresses[0].entries[0].describe(),
            "loadBalancer UDP/53 on 10.0.0.53: Service dns/dns (in the cluster)"
        );
    }

    #[test]
    fn every_claim_on_a_conflicting_port_is_marked_and_the_conflict_names_both_owners() {
        let mut claims = host_network("traefik", 80);
        claims.extend(host_network("nginx", 80));
        claims.extend(host_network("nginx", 443));
        let found = conflicts(&claims);
        let map = PortMap::new(&claims, &found, &node_ports("30000-32767", &[]));
        assert_eq!(map.entries.iter().map(|e| e.conflicted).collect::<Vec<_>>(), [true, true, false]);
        assert_eq!(map.clashes[0].owners, ["DaemonSet edge/traefik", "DaemonSet edge/nginx"]);
        assert_eq!(map.clashes[0].at, "TCP/80 on every node");
    }
}
