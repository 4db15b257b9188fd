//! The real Helm renders in testdata/corpus, through the binary:
//! - a policy that asks for nothing leaves every file byte for byte (invariant 1);
//! - an all-ClusterIP policy changes only Services, Go's YAML reader sees nothing else change
//!   (invariant 2), every Service ends up ClusterIP, and a second run changes nothing (5);
//! - a one-line proxy policy exposes every render, each route to a port of its Service.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;
use svcpolicy::input::stream;

#[test]
fn a_policy_that_asks_for_nothing_changes_no_byte() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, NOTHING);
    for file in corpus_files() {
        let input = std::fs::read(&file).unwrap();
        let out = svcpolicy().arg("-p").arg(&policy).write_stdin(input.clone()).output().unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        // Renders that a real cluster would refuse or break, and what svcpolicy says of them.
        let known: &[(&str, i32, &str)] = &[
            // Two Services on nodePort 30053: the apiserver refuses the second.
            ("pihole-nodeport", 0, "pihole-dns-udp: spec.ports[0].nodePort 30053 -> "),
            // node-exporter's nodePort 9100 shadows its own hostNetwork port on every node.
            ("kube-prometheus-stack-nodeport", 0, ": 9100 is a host port of DaemonSet monitoring/kps-prometheus-node-exporter"),
            // MetalLB shares an address only between Services with one traffic policy.
            ("pihole-lb", 1, "port conflict: Service default/pihole-dhcp and Service default/pihole-web: they share 192.168.10.53 but only one has externalTrafficPolicy: Local"),
        ];
        if let Some((_, code, says)) = known.iter().find(|(prefix, _, _)| name.starts_with(prefix)) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(*code), "{name}: {stderr}");
            assert!(stderr.contains(says), "{name}: {stderr}");
            continue;
        }
        assert_eq!(out.status.code(), Some(0), "{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout == input, "{} changed", file.display());
        assert!(out.stderr.is_empty(), "{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn all_cluster_ip_changes_services_only_and_keeps_meaning() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    let (mut services_changed, mut proxies_kept, mut node_ports_dropped) = (0, 0, 0);
    for file in corpus_files() {
        let name = file.display();
        let input = std::fs::read(&file).unwrap();
        let out = svcpolicy().arg("-p").arg(&policy).arg("-q").write_stdin(input.clone()).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let output = out.stdout;

        // Byte level: only Service documents differ, and the document count is kept.
        let (a, b) = (stream::split(&input).unwrap(), stream::split(&output).unwrap());
        assert_eq!(a.len(), b.len(), "{name}: document count changed");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                x.separator.as_ref().map(|s| &input[s.clone()]),
                y.separator.as_ref().map(|s| &output[s.clone()])
            );
            let (bx, by) = (&input[x.body.clone()], &output[y.body.clone()]);
            if bx != by {
                let text = String::from_utf8_lossy(bx);
                assert!(
                    text.contains("kind: Service") || text.contains("\"kind\": \"Service\""),
                    "{name}: a non-Service document changed"
                );
                services_changed += 1;
            }
        }

        // Meaning, as Go reads it: equal except the fields a move to ClusterIP removes.
        let (ga, gb) = (go_documents(&input), go_documents(&output));
        assert_eq!(ga.len(), gb.len(), "{name}");
        for (x, y) in ga.iter().zip(&gb) {
            if x != y {
                assert_eq!(
                    without_type_fields(x),
                    without_type_fields(y),
                    "{name}: meaning changed beyond the intended fields"
                );
            }
            if y.get("kind") == Some(&Value::from("Service")) {
                let t = y.pointer("/spec/type").and_then(Value::as_str).unwrap_or("ClusterIP");
                // The reverse proxy's own Services are never put behind themselves.
                let app = y.pointer("/metadata/labels/app.kubernetes.io~1name").and_then(Value::as_str);
                if matches!(app, Some("traefik" | "ingress-nginx")) {
                    assert_eq!(y.pointer("/spec/type"), x.pointer("/spec/type"), "{name}: the proxy was retyped");
                    proxies_kept += 1;
                } else {
                    assert!(t == "ClusterIP" || t == "ExternalName", "{name}: a Service is still {t}");
                }
                // A ClusterIP Service has no nodePort on any port (the apiserver refuses one; null
                // and 0 mean none).
                let unset = |p: &Value| matches!(p.get("nodePort"), None | Some(Value::Null)) || p["nodePort"] == 0;
                if t == "ClusterIP" {
                    let ports =
                        |d: &Value| d.pointer("/spec/ports").and_then(Value::as_array).cloned().unwrap_or_default();
                    for p in ports(y) {
                        assert!(unset(&p), "{name}: a ClusterIP Service keeps a nodePort: {p}");
                    }
                    node_ports_dropped += ports(x).iter().filter(|p| !unset(p)).count();
                }
            }
        }

        let again = svcpolicy().arg("-p").arg(&policy).arg("-q").write_stdin(output.clone()).output().unwrap();
        assert!(again.status.success() && again.stdout == output, "{name}: a second run changed the output");
    }
    assert!(
        services_changed > 40,
        "only {services_changed} Services changed: the corpus has many more NodePort and LoadBalancer Services"
    );
    assert!(proxies_kept > 10, "only {proxies_kept} Services of Traefik and ingress-nginx seen");
    assert!(node_ports_dropped > 20, "only {node_ports_dropped} nodePorts were removed: the corpus has many more");
}

/// A Service without the fields that depend on its type.
fn without_type_fields(doc: &Value) -> Value {
    let mut d = doc.clone();
    if d.get("kind") != Some(&Value::from("Service")) {
        return d;
    }
    if let Some(spec) = d.get_mut("spec").and_then(Value::as_object_mut) {
        for k in [
            "type",
            "externalTrafficPolicy",
            "loadBalancerIP",
            "healthCheckNodePort",
            "allocateLoadBalancerNodePorts",
            "loadBalancerClass",
            "loadBalancerSourceRanges",
        ] {
            spec.remove(k);
        }
        for p in spec.get_mut("ports").and_then(Value::as_array_mut).into_iter().flatten() {
            p.as_object_mut().map(|p| p.remove("nodePort"));
        }
    }
    if let Some(ann) = d.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
        ann.retain(|k, _| {
            !(k.starts_with("metallb.")
                || k.starts_with("lbipam.cilium.io/")
                || k.starts_with("kube-vip.io/")
                || k == "service.beta.kubernetes.io/load-balancer-source-ranges")
        });
    }
    // svcpolicy drops an annotations map its removals empty.
    let emptied = d.pointer("/metadata/annotations").and_then(Value::as_object).is_some_and(|a| a.is_empty());
    if emptied && doc.pointer("/metadata/annotations").and_then(Value::as_object).is_some_and(|a| !a.is_empty()) {
        d["metadata"].as_object_mut().map(|m| m.remove("annotations"));
    }
    d
}

/// The corpus's host-network renders with a policy that strips host networking: only pod specs
/// change, Go sees nothing else change, nothing of the host is left, and a second run agrees.
#[test]
fn stripping_host_networking_changes_pod_specs_only() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"1-65535\", assignMissing: false}\nhostNetwork: {action: strip}\nhostPorts: {action: strip}\n");
    let files: Vec<_> = corpus_files()
        .into_iter()
        .filter(|f| ["hostnet", "hostport", "metallb"].iter().any(|k| f.to_string_lossy().contains(k)))
        .filter(|f| !f.to_string_lossy().contains("pihole-nodeport"))
        .collect();
    assert!(files.len() >= 8);
    let mut stripped = 0;
    for file in files {
        let name = file.display();
        let input = std::fs::read(&file).unwrap();
        let out = svcpolicy().arg("-p").arg(&policy).arg("-q").write_stdin(input.clone()).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let (ga, gb) = (go_documents(&input), go_documents(&out.stdout));
        assert_eq!(ga.len(), gb.len());
        for (x, y) in ga.iter().zip(&gb) {
            if x != y {
                stripped += 1;
                assert_eq!(without_host(x), without_host(y), "{name}: more than host networking changed");
            }
            assert_eq!(without_host(y), *y, "{name}: host networking left in {}", y["metadata"]["name"]);
        }
        let again = svcpolicy().arg("-p").arg(&policy).arg("-q").write_stdin(out.stdout.clone()).output().unwrap();
        assert!(again.stdout == out.stdout, "{name}: a second run changed the output");
    }
    assert!(stripped >= 8, "{stripped}");
}

/// A document without hostNetwork, its DNS policy, hostPorts and hostIPs, wherever a pod spec is.
fn without_host(doc: &Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if m.get("hostNetwork") == Some(&Value::Bool(true)) {
                    m.remove("hostNetwork");
                    if m.get("dnsPolicy") == Some(&Value::from("ClusterFirstWithHostNet")) {
                        m.remove("dnsPolicy");
                    }
                }
                if m.get("hostPort").and_then(Value::as_u64).is_some_and(|p| p > 0) {
                    m.remove("hostPort");
                    m.remove("hostIP");
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut d = doc.clone();
    // The built-in kinds with a pod spec, written out here rather than taken from svcpolicy.
    let workload = matches!(
        (d["apiVersion"].as_str(), d["kind"].as_str()),
        (Some("v1"), Some("Pod" | "ReplicationController" | "PodTemplate"))
            | (Some("apps/v1"), Some("Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet"))
            | (Some("batch/v1"), Some("Job" | "CronJob"))
    );
    if workload {
        strip(&mut d);
    }
    d
}

/// Every web port of the real renders put behind the proxy, each on a host of its own.
#[test]
fn exposing_the_corpus_generates_valid_routes_once() {
    let files = corpus_files().into_iter().filter(|f| f.to_string_lossy().ends_with("-default.yaml")).collect();
    let (_, routes, _) = expose_corpus(
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"1-65535\", assignMissing: false}\nhostNetwork: {action: allow}\nhostPorts: {action: allow}\nproxy:\n  kind: Ingress\n  className: traefik\n  host: \"{portName}{port}.{service}.{namespace}.home.lan\"\nrules:\n  - expose: proxy\n",
        files,
    );
    assert!(routes >= 10, "only {routes} routes");
}

/// A home lab's one-line proxy policy over every render of the corpus: each exposes without a
/// policy error; a Service with an `http` and an `https` port gets one route, to its primary web
/// port.
#[test]
fn a_one_line_proxy_policy_exposes_every_render() {
    let (renders, routes, routed) = expose_corpus(
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nproxy: {kind: Ingress, host: \"{service}.{namespace}.home.lan\"}\nrules: [{expose: proxy}]\n",
        corpus_files(),
    );
    for service in ["blog-wordpress", "web-nginx", "pihole-web", "kps-grafana", "cert-manager-webhook"] {
        assert!(routed.contains(service), "{service} got no route (routed: {routed:?})");
    }
    assert!(renders > 50 && routes > 60, "{renders} renders, {routes} routes");
}

/// Renders `files` under a policy that exposes Services: each renders with no error, every route
/// it generates points, as Go reads the output, at a port its Service has, and a second run adds
/// nothing. Returns how many renders and routes there were, and the Services routed to.
fn expose_corpus(policy: &str, files: Vec<std::path::PathBuf>) -> (usize, usize, BTreeSet<String>) {
    let policy = write_policy(&tempfile_dir(), policy);
    let (mut renders, mut routes, mut routed) = (0, 0, BTreeSet::new());
    for file in files {
        let name = file.display();
        let input = std::fs::read(&file).unwrap();
        let out = svcpolicy().arg("-p").arg(&policy).write_stdin(input).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
        assert!(!stderr.contains("error:"), "{name}: {stderr}");
        renders += 1;
        let docs = go_documents(&out.stdout);
        assert!(docs.iter().all(|d| !d.is_string()), "{name}: Go cannot read the output");
        for route in docs.iter().filter(|d| d["metadata"]["labels"]["svcpolicy.io/generated"] == "true") {
            routes += 1;
            let ns = &route["metadata"]["namespace"];
            for (service, port) in route_parts(route).1 {
                let svc = docs.iter().find(|d| {
                    d["kind"] == "Service"
                        && d["metadata"]["name"] == service.as_str()
                        && &d["metadata"]["namespace"] == ns
                });
                let svc = svc.unwrap_or_else(|| panic!("{name}: no Service {service} for {route}"));
                let ports = svc["spec"]["ports"].as_array().unwrap();
                assert!(ports.iter().any(|p| p["port"] == port), "{name}: {service} has no port {port}: {route}");
                routed.insert(service);
            }
        }
        let again = svcpolicy().arg("-p").arg(&policy).arg("-q").write_stdin(out.stdout.clone()).output().unwrap();
        assert!(again.status.success() && again.stdout == out.stdout, "{name}: a second run changed the output");
    }
    (renders, routes, routed)
}

/// `go_documents` holds its reader to account: a reader that fails, or prints nothing for a
/// stream with content, fails the test that asked, and the real one reads one value per
/// non-null document.
#[test]
fn go_documents_fails_on_a_reader_that_reads_nothing() {
    let stream = b"# Source: a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# nothing\n---\nnull\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n";
    let docs = go_documents(stream);
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert_eq!((docs[0]["kind"].as_str(), docs[1]["kind"].as_str()), (Some("ConfigMap"), Some("Secret")));
    assert!(go_documents(b"# only a comment\n---\n").is_empty());
    for tool in ["/bin/true", "/bin/false"] {
        let r = std::panic::catch_unwind(|| go_documents_with(std::path::Path::new(tool), stream));
        assert!(r.is_err(), "{tool} passed for Go's reader");
    }
}
