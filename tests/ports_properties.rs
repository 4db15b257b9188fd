//! The conflict finder over generated claims: where two different resources claim one
//! (protocol, port) of a node, a conflict is reported, and every conflict reported is such a pair
//! (or, for per-service LoadBalancer addresses, two Services on one address).

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use svcpolicy::ports::{conflicts, Claim, ClaimKind};

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
