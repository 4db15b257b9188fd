//! The whole pipeline on arbitrary bytes, with a policy that retypes and allocates: never a
//! panic; a clean run is idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;
use svcpolicy::input::cluster::ClusterState;
use svcpolicy::input::Input;

fuzz_target!(|data: &[u8]| {
    let policy = svcpolicy::policy::parse(
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"30000-30100\"}\nrules:\n  - match: {ports: [53]}\n    type: LoadBalancer\n  - match: {name: \"a*\"}\n    type: NodePort\n  - type: ClusterIP\n",
    )
    .unwrap();
    let render = |bytes: Vec<u8>| svcpolicy::render(Input { path: None, bytes }, &policy, "default", &ClusterState::default()).0;
    if let Some(first) = render(data.to_vec()) {
        let second = render(first.clone()).expect("svcpolicy's own output renders again");
        assert_eq!(second, first, "a second run changed the output");
    }
});
