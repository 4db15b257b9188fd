//! Generated routes over random Services, proxy kinds and host templates: every route svcpolicy
//! writes reads back (as Go reads it), has a valid name, host and paths, and points at a port its
//! Service has; and a second run generates nothing more.

use crate::support::route_parts;
use proptest::prelude::*;
use serde_json::Value;
use svcpolicy::input::cluster::ClusterState;
use svcpolicy::input::Input;
use svcpolicy::k8s::names::{check_host, check_path, is_dns1123_subdomain};
use svcpolicy::plan::proxy::MARKER;
use svcpolicy::policy;

fn service() -> impl Strategy<Value = (String, Vec<(String, u16)>)> {
    let port = (
        prop::sample::select(vec!["http", "https", "web", "metrics", "grpc", "admin-ui"]),
        prop::sample::select(vec![80u16, 443, 8080, 8443, 3000, 9090]),
    );
    ("s[a-z0-9]{0,10}(-[a-z0-9]{1,8}){0,2}", prop::collection::vec(port, 1..4)).prop_map(|(name, ports)| {
        let (mut names, mut numbers) = (std::collections::HashSet::new(), std::collections::HashSet::new());
        let ports = ports
            .into_iter()
            .filter(|(n, p)| names.insert(*n) & numbers.insert(*p))
            .map(|(n, p)| (n.to_string(), p))
            .collect();
        (name, ports)
    })
}

fn proxy_section() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["Ingress", "HTTPRoute", "IngressRoute"]),
        prop::sample::select(vec!["hosts", "paths"]),
        prop::sample::select(vec!["/", "/app", "/a-b/c"]),
        any::<bool>(),
    )
        .prop_map(|(kind, multiple, path, tls)| {
            let tls = if tls { "  tls: {secretName: wildcard-tls}\n" } else { "" };
            format!(
                "proxy:\n  kind: {kind}\n  host: \"{{portName}}.{{service}}.{{namespace}}.home.lan\"\n  path: {path}\n  multiplePorts: {multiple}\n  gateway: {{name: main, namespace: gw}}\n  entryPoints: [websecure]\n{tls}"
            )
        })
}

fn render(input: &str, policy: &policy::Policy) -> Vec<u8> {
    let (out, report) = svcpolicy::render(
        Input { path: None, bytes: input.as_bytes().to_vec() },
        policy,
        "default",
        &ClusterState::default(),
    );
    out.unwrap_or_else(|| panic!("{}", report.to_text(false)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_routes_are_valid_and_point_at_their_service(services in prop::collection::vec(service(), 1..4), section in proxy_section()) {
        let mut input = String::new();
        let mut seen = std::collections::HashSet::new();
        let mut services_in = Vec::new();
        for (name, ports) in &services {
            if !seen.insert(name.clone()) {
                continue;
            }
            services_in.push((name.clone(), ports.clone()));
            let ports: String = ports.iter().map(|(n, p)| format!("    - name: {n}\n      port: {p}\n")).collect();
            input.push_str(&format!("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: apps\nspec:\n  ports:\n{ports}"));
        }
        let policy = policy::parse(&format!("apiVersion: svcpolicy/v1\nkind: ServicePolicy\n{section}rules:\n  - expose: {{kind: proxy, ports: [http, https, web, 80, 443, 8080, 8443]}}\n")).unwrap();
        let out = render(&input, &policy);
        let docs = crate::support::go_documents(&out);
        let services: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "Service").collect();
        let routes: Vec<&Value> = docs.iter().filter(|d| d["metadata"]["labels"][MARKER] == "true").collect();
        // Every Service with a port the rule exposes (by the generator's names and numbers, not
        // svcpolicy's matching) is the backend of some route.
        let web = |(n, p): &(String, u16)| ["http", "https", "web"].contains(&n.as_str()) || [80, 443, 8080, 8443].contains(p);
        let exposed: std::collections::BTreeSet<&String> = services_in.iter().filter(|(_, ports)| ports.iter().any(web)).map(|(n, _)| n).collect();
        let backends: std::collections::BTreeSet<String> = routes.iter().flat_map(|r| route_parts(r).1).map(|(s, _)| s).collect();
        for name in &exposed {
            prop_assert!(backends.contains(name.as_str()), "no route for {name} (routes: {})", routes.len());
        }
        prop_assert!(exposed.is_empty() || !routes.is_empty());
        for r in &routes {
            let name = r["metadata"]["name"].as_str().unwrap();
            prop_assert!(is_dns1123_subdomain(name), "{name}");
            let (hosts, backends, paths) = route_parts(r);
            for h in &hosts {
                prop_assert!(check_host(h).is_ok(), "{h}");
            }
            for p in &paths {
                prop_assert!(check_path(p).is_ok(), "{p}");
            }
            for (svc, port) in backends {
                let target = services.iter().find(|s| s["metadata"]["name"] == svc.as_str());
                prop_assert!(target.is_some_and(|s| s["spec"]["ports"].as_array().unwrap().iter().any(|p| p["port"] == port)), "{svc}:{port}");
            }
        }
        let again = render(&String::from_utf8(out.clone()).unwrap(), &policy);
        prop_assert_eq!(again, out);
    }
}
