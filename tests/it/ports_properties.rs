//! The conflict finder over generated claims: where two different resources claim one
//! (protocol, port) of a node, a conflict is reported, and every conflict reported is such a pair
//! (or, for per-service LoadBalancer addresses, two Services on one address).

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use svcpolicy::plan::port_plan::{conflicts, Claim, ClaimKind};

fn claim() -> impl Strategy<Value = Claim> {
    (
        prop::sample::select(vec![
            ClaimKind::NodePort,
            ClaimKind::LoadBalancer,
            ClaimKind::HostPort,
            ClaimKind::HostNetwork,
        ]),
        0u8..5,
        prop::sample::select(vec!["TCP", "UDP"]),
        50u16..56,
    )
        .prop_map(|(claim, owner, protocol, port)| Claim {
            claim,
            resource: if matches!(claim, ClaimKind::NodePort | ClaimKind::LoadBalancer) {
                "Service"
            } else {
                "DaemonSet"
            }
            .into(),
            namespace: "ns".into(),
            name: format!("app{owner}"),
            protocol: protocol.into(),
            port,
            address: None,
            location: Some(Default::default()),
            sharing_key: None,
            local_traffic: false,
            selector: None,
            warn_only: false,
            inferred_from: Vec::new(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn every_shared_key_is_reported_and_nothing_else(claims in prop::collection::vec(claim(), 0..30)) {
        let found = conflicts(&claims);
        // Owners per node key.
        let mut owners: BTreeMap<(String, u16), BTreeSet<String>> = BTreeMap::new();
        for c in &claims {
            owners.entry((c.protocol.clone(), c.port)).or_default().insert(c.owner());
        }
        let reported: BTreeSet<(String, u16)> = found.iter().map(|c| (c.claims[0].protocol.clone(), c.claims[0].port)).collect();
        for (key, who) in &owners {
            prop_assert_eq!(who.len() > 1, reported.contains(key), "{:?} held by {:?}", key, who);
        }
        for c in &found {
            let [a, b] = &c.claims;
            prop_assert_eq!((&a.protocol, a.port), (&b.protocol, b.port));
            prop_assert_ne!(a.owner(), b.owner());
        }
    }
}

/// One resource and its claims: a Service (nodePorts, LoadBalancer ports on no address or on
/// requested addresses, with its sharing key, traffic policy and selector) or a DaemonSet
/// (hostPorts on all addresses or one hostIP, hostNetwork ports). Its claims are contiguous and
/// agree on the Service-level fields, as the claims svcpolicy collects are.
fn owner(i: usize) -> impl Strategy<Value = Vec<Claim>> {
    let port = (prop::sample::select(vec!["TCP", "UDP"]), 50u16..54, 0u8..4);
    (
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["k1", "k2"])),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["a", "b"])),
        prop::collection::vec(port, 1..4),
    )
        .prop_map(move |(service, sharing_key, local, selector, ports)| {
            ports
                .into_iter()
                .map(|(protocol, port, how)| {
                    let (claim, address) = match (service, how) {
                        (true, 0) => (ClaimKind::NodePort, None),
                        (true, 1) => (ClaimKind::LoadBalancer, None),
                        (true, 2) => (ClaimKind::LoadBalancer, Some("10.0.0.1")),
                        (true, _) => (ClaimKind::LoadBalancer, Some("10.0.0.2")),
                        (false, 0) => (ClaimKind::HostNetwork, None),
                        (false, 1) => (ClaimKind::HostPort, None),
                        (false, 2) => (ClaimKind::HostPort, Some("192.168.1.2")),
                        (false, _) => (ClaimKind::HostPort, Some("192.168.1.3")),
                    };
                    Claim {
                        claim,
                        resource: if service { "Service" } else { "DaemonSet" }.into(),
                        namespace: "ns".into(),
                        name: format!("app{i}"),
                        protocol: protocol.into(),
                        port,
                        address: address.map(str::to_string),
                        location: Some(Default::default()),
                        sharing_key: sharing_key.filter(|_| service).map(str::to_string),
                        local_traffic: local && service,
                        selector: selector.filter(|_| service).map(|s| serde_json::json!({ "app": s })),
                        warn_only: false,
                        inferred_from: Vec::new(),
                    }
                })
                .collect()
        })
}

fn owners() -> impl Strategy<Value = Vec<Claim>> {
    (0usize..7)
        .prop_flat_map(|n| (0..n).map(owner).collect::<Vec<_>>())
        .prop_map(|claims| claims.into_iter().flatten().collect())
}

/// A LoadBalancer claim on a requested address: judged by the sharing rules, not on the node.
fn on_address(c: &Claim) -> Option<&str> {
    (c.claim == ClaimKind::LoadBalancer).then_some(c.address.as_deref()).flatten()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// The oracle, written from the rules (docs/policy.md): on a node, two resources clash on a
    /// (protocol, port) unless both name a hostIP and the hostIPs differ; on a requested address,
    /// two Services clash unless they have one sharing key, no (protocol, port) in common, the
    /// same traffic policy and, for `Local`, the same selector.
    #[test]
    fn addresses_sharing_keys_traffic_policies_and_selectors(claims in owners()) {
        let found = conflicts(&claims);
        // On the node: the keys where two owners' claims meet.
        let mut expected_keys = BTreeSet::new();
        for (i, x) in claims.iter().enumerate() {
            for y in &claims[i + 1..] {
                if on_address(x).is_some() || on_address(y).is_some() || x.owner() == y.owner() {
                    continue;
                }
                let apart = matches!((&x.address, &y.address), (Some(a), Some(b)) if a != b);
                if x.protocol == y.protocol && x.port == y.port && !apart {
                    expected_keys.insert((x.protocol.clone(), x.port));
                }
            }
        }
        // On an address: the pairs of Services that break a sharing rule.
        let mut expected_pairs = BTreeSet::new();
        let owner_names: BTreeSet<String> = claims.iter().map(Claim::owner).collect();
        for address in ["10.0.0.1", "10.0.0.2"] {
            let of = |o: &String| claims.iter().filter(|c| &c.owner() == o && on_address(c) == Some(address)).collect::<Vec<_>>();
            for a in &owner_names {
                for b in owner_names.range::<String, _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)) {
                    let (ca, cb) = (of(a), of(b));
                    let (Some(x), Some(y)) = (ca.first(), cb.first()) else { continue };
                    let clash = x.sharing_key.is_none()
                        || x.sharing_key != y.sharing_key
                        || ca.iter().any(|p| cb.iter().any(|q| p.protocol == q.protocol && p.port == q.port))
                        || x.local_traffic != y.local_traffic
                        || (x.local_traffic && x.selector != y.selector);
                    if clash {
                        expected_pairs.insert((address.to_string(), a.clone(), b.clone()));
                    }
                }
            }
        }
        let (mut keys, mut pairs) = (BTreeSet::new(), BTreeSet::new());
        for c in &found {
            let [a, b] = &c.claims;
            prop_assert_ne!(a.owner(), b.owner(), "{}", c.message);
            match (on_address(a), on_address(b)) {
                (None, None) => {
                    prop_assert_eq!((&a.protocol, a.port), (&b.protocol, b.port));
                    let apart = matches!((&a.address, &b.address), (Some(x), Some(y)) if x != y);
                    prop_assert!(!apart, "{} and {} are on different hostIPs: {}", a.owner(), b.owner(), c.message);
                    prop_assert!(keys.insert((a.protocol.clone(), a.port)), "{} reported twice", c.message);
                }
                (Some(x), Some(y)) if x == y => {
                    let (p, q) = if a.owner() < b.owner() { (a.owner(), b.owner()) } else { (b.owner(), a.owner()) };
                    prop_assert!(pairs.insert((x.to_string(), p, q)), "{} reported twice", c.message);
                }
                _ => prop_assert!(false, "a conflict between the node and an address: {}", c.message),
            }
        }
        prop_assert_eq!(keys, expected_keys);
        prop_assert_eq!(pairs, expected_pairs);
    }
}
