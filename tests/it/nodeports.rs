//! NodePorts through the command line: pins, cluster state (a file, a List, or kubectl), several
//! releases at once, `--in-place`, and the corpus's NodePort renders as one GitOps repository.

use crate::support::*;
use predicates::prelude::*;
use serde_json::Value;
use std::collections::HashMap;

const TRUENAS: &str =
    "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts:\n  range: \"9000-65535\"\n  reserved: [9443]\n";

fn svc(name: &str, port: u16, node_port: Option<u16>) -> String {
    let np = node_port.map_or(String::new(), |n| format!("\n      nodePort: {n}"));
    format!("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: media\nspec:\n  type: NodePort\n  ports:\n    - name: http\n      port: {port}{np}\n")
}

/// Every nodePort in a stream, by `namespace/name/port`.
fn node_ports(stream: &[u8]) -> HashMap<String, u64> {
    let docs = go_documents(stream);
    let mut out = HashMap::new();
    for d in docs.iter().filter(|d| d["kind"] == "Service") {
        for p in d["spec"]["ports"].as_array().into_iter().flatten() {
            if let Some(n) = p.get("nodePort").and_then(Value::as_u64) {
                let ns = d["metadata"]["namespace"].as_str().unwrap_or("default");
                out.insert(
                    format!("{ns}/{}/{}/{}", d["metadata"]["name"].as_str().unwrap(), p["port"], p["protocol"]),
                    n,
                );
            }
        }
    }
    out
}

#[test]
fn a_pin_is_honoured_and_two_pins_on_one_number_are_an_error_naming_both() {
    let dir = tempfile_dir();
    let policy = write_policy(
        &dir,
        &format!("{TRUENAS}rules:\n  - name: plex\n    match: {{name: \"plex*\"}}\n    type: NodePort\n    nodePorts: {{http: 32400}}\n"),
    );
    let out = svcpolicy().arg("-p").arg(&policy).write_stdin(svc("plex", 32400, None)).assert().success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("nodePort: 32400"));
    let input = format!("{}{}", svc("plex", 32400, None), svc("plex-two", 8080, None));
    svcpolicy().arg("-p").arg(&policy).write_stdin(input).assert().code(2).stdout("").stderr(predicate::str::contains(
        "the nodePort 32400 is pinned twice: for media/plex/32400 and for media/plex-two/8080",
    ));
}

#[test]
fn a_pin_on_a_number_the_cluster_holds_is_an_error_naming_the_holder() {
    let dir = tempfile_dir();
    let policy =
        write_policy(&dir, &format!("{TRUENAS}rules:\n  - match: {{name: plex}}\n    nodePorts: {{http: 32400}}\n"));
    let state = dir.join("state.yaml");
    std::fs::write(&state, "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: emby, namespace: media}\n  spec: {type: NodePort, ports: [{port: 8096, nodePort: 32400}]}\n").unwrap();
    svcpolicy()
        .arg("-p")
        .arg(&policy)
        .arg("--cluster-state")
        .arg(&state)
        .write_stdin(svc("plex", 32400, None))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the pinned nodePort 32400 for media/plex/32400 is held by Service media/emby in the cluster",
        ));
}

#[test]
fn an_upgrade_keeps_the_numbers_the_cluster_holds() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, TRUENAS);
    let first = svcpolicy().arg("-p").arg(&policy).write_stdin(svc("jellyfin", 8096, None)).output().unwrap();
    assert!(first.status.success());
    let held = node_ports(&first.stdout)["media/jellyfin/8096/null"];
    assert!((9000..9128).contains(&held), "a fresh number comes from the static band: {held}");
    // The cluster state is the previous output; the next render adds a Service that would like
    // jellyfin's number, and jellyfin keeps it.
    let state = dir.join("state.yaml");
    std::fs::write(&state, &first.stdout).unwrap();
    let next = format!("{}{}", svc("jellyfin", 8096, None), svc("sonarr", 8989, Some(held as u16)));
    let out = svcpolicy().arg("-p").arg(&policy).arg("--cluster-state").arg(&state).write_stdin(next).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ports = node_ports(&out.stdout);
    assert_eq!(ports["media/jellyfin/8096/null"], held);
    assert_ne!(ports["media/sonarr/8989/null"], held);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{held} is held in the cluster by media/jellyfin/8096, which keeps it")),
        "{stderr}"
    );
}

#[test]
fn several_files_are_one_cluster_written_in_place_or_as_one_stream() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, TRUENAS);
    let (a, b) = (dir.join("a.yaml"), dir.join("b.yaml"));
    std::fs::write(&a, svc("radarr", 7878, Some(9100))).unwrap();
    std::fs::write(&b, svc("lidarr", 8686, Some(9100)).trim_start_matches("---\n")).unwrap();
    // check finds the collision between the two files.
    svcpolicy()
        .arg("check")
        .arg("-p")
        .arg(&policy)
        .arg(&a)
        .arg(&b)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("9100 is also used by media/lidarr/8686, which keeps it"));
    // One stream on stdout: the second file's first document stays a document of its own.
    let out = svcpolicy().arg("-p").arg(&policy).arg(&a).arg(&b).output().unwrap();
    assert!(out.status.success());
    assert_eq!(go_documents(&out.stdout).len(), 2);
    // In place: each file gets its own output.
    svcpolicy().arg("-p").arg(&policy).arg("--in-place").arg(&a).arg(&b).assert().success().stdout("");
    let (ra, rb) = (node_ports(&std::fs::read(&a).unwrap()), node_ports(&std::fs::read(&b).unwrap()));
    assert_eq!(rb["media/lidarr/8686/null"], 9100);
    assert_ne!(ra["media/radarr/7878/null"], 9100);
}

#[test]
fn the_corpus_nodeport_renders_as_one_repository() {
    let files: Vec<_> = corpus_files().into_iter().filter(|f| f.to_string_lossy().ends_with("nodeport.yaml")).collect();
    assert!(files.len() >= 8);
    let dir = tempfile_dir();
    let policy = write_policy(&dir, TRUENAS);
    let out = svcpolicy().arg("-p").arg(&policy).arg("-q").args(&files).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs = go_documents(&out.stdout);
    let mut owner: HashMap<u64, (String, String)> = HashMap::new();
    let mut count = 0;
    for d in docs.iter().filter(|d| d["kind"] == "Service") {
        let t = d["spec"]["type"].as_str().unwrap_or("ClusterIP");
        for p in d["spec"]["ports"].as_array().into_iter().flatten() {
            let n = p.get("nodePort").and_then(Value::as_u64);
            if t == "NodePort" {
                let n = n.expect("every NodePort port has a number");
                assert!((9000..=65535).contains(&n) && n != 9443);
                let me = (format!("{}/{}", d["metadata"]["namespace"], d["metadata"]["name"]), p["port"].to_string());
                let prev = owner.insert(n, me.clone());
                assert!(prev.is_none() || prev == Some(me), "{n} is used twice");
                count += 1;
            }
        }
    }
    assert!(count > 20, "{count}");
    // Stable: the same files in another order give the same numbers.
    let mut reversed = files.clone();
    reversed.reverse();
    let again = svcpolicy().arg("-p").arg(&policy).arg("-q").args(&reversed).output().unwrap();
    let sorted = |s: &[u8]| {
        let mut v: Vec<String> = go_documents(s).iter().map(|d| d.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&out.stdout), sorted(&again.stdout));
}

/// The numbers a `reserved:` list in policy text names, read by the test itself: a number is
/// one entry, `"a-b"` a range.
fn reserved_in(policy_text: &str) -> std::collections::HashSet<u64> {
    let line = policy_text.lines().find_map(|l| l.trim().strip_prefix("reserved:")).expect("a reserved list");
    let inner = line.trim().trim_start_matches('[').trim_end_matches(']');
    let mut out = std::collections::HashSet::new();
    for item in inner.split(',') {
        let item = item.trim().trim_matches('"');
        match item.split_once('-') {
            Some((a, b)) => out.extend(a.parse::<u64>().unwrap()..=b.parse::<u64>().unwrap()),
            None => {
                out.insert(item.parse::<u64>().unwrap());
            }
        }
    }
    out
}

#[test]
fn reserved_numbers_are_never_handed_out() {
    // The range 30000-30999 has a static band of 31 numbers (30000-30030); the reserved list
    // covers all of it but 30027-30029 and most of the rest, so nearly every first choice is
    // reserved and 60 Services must find the few free numbers.
    let text = "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts:\n  range: \"30000-30999\"\n  reserved: [\"30000-30026\", 30030, \"30031-30940\", 30950, 30999]\n";
    let reserved = reserved_in(text);
    assert_eq!(reserved.len(), 27 + 1 + 910 + 2);
    let dir = tempfile_dir();
    let policy = write_policy(&dir, text);
    let input: String = (0..60).map(|i| svc(&format!("app{i}"), 8000 + i, None)).collect();
    let out = svcpolicy().arg("-p").arg(&policy).arg("-q").write_stdin(input).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ports = node_ports(&out.stdout);
    assert_eq!(ports.len(), 60, "every Service got a number: {ports:?}");
    for (who, n) in &ports {
        assert!((30000..=30999).contains(n), "{who} got {n}, outside the range");
        assert!(!reserved.contains(n), "{who} got the reserved number {n}");
    }
}

/// A stand-in kubectl that accepts exactly `[--context <ctx>] get services --all-namespaces
/// --output json` and prints one Service holding 9200; anything else fails.
fn strict_kubectl(dir: &std::path::Path, context: Option<&str>) -> std::path::PathBuf {
    let kubectl = dir.join("kubectl");
    let expected = match context {
        Some(c) => format!("--context {c} get services --all-namespaces --output json"),
        None => "get services --all-namespaces --output json".to_string(),
    };
    std::fs::write(
        &kubectl,
        format!("#!/bin/sh\n[ $# -eq {} ] && [ \"$*\" = \"{expected}\" ] || {{ echo \"bad args: $*\" >&2; exit 1; }}\necho '{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{{\"name\":\"emby\",\"namespace\":\"media\"}},\"spec\":{{\"type\":\"NodePort\",\"ports\":[{{\"port\":8096,\"nodePort\":9200}}]}}}}]}}'\n", expected.split(' ').count()),
    )
    .unwrap();
    std::process::Command::new("chmod").arg("+x").arg(&kubectl).status().unwrap();
    kubectl
}

#[test]
fn from_cluster_asks_kubectl_for_all_services_as_json() {
    for context in [None, Some("lab")] {
        let dir = tempfile_dir();
        let kubectl = strict_kubectl(&dir, context);
        let policy = write_policy(&dir, TRUENAS);
        let mut cmd = svcpolicy();
        cmd.env("SVCPOLICY_KUBECTL", &kubectl).arg("-p").arg(&policy).arg("--from-cluster");
        if let Some(c) = context {
            cmd.args(["--kube-context", c]);
        }
        cmd.write_stdin(svc("plex", 32400, Some(9200)))
            .assert()
            .success()
            .stderr(predicate::str::contains("9200 is held by Service media/emby in the cluster"));
    }
}

/// A kubeconfig whose one cluster is 127.0.0.1 on a port nothing listens on, and that port.
fn unreachable_kubeconfig(dir: &std::path::Path) -> (std::path::PathBuf, u16) {
    // A port that was free a moment ago: bind, read it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster: {{server: \"https://127.0.0.1:{port}\"}}\nusers:\n- name: me\n  user: {{token: nothing}}\ncontexts:\n- name: lab\n  context: {{cluster: lab, user: me}}\ncurrent-context: lab\n"),
    )
    .unwrap();
    (path, port)
}

#[test]
fn from_cluster_with_real_kubectl_fails_clearly() {
    let version = std::process::Command::new("kubectl").args(["version", "--client"]).output();
    assert!(version.is_ok_and(|v| v.status.success()), "kubectl is on these machines (and in CI)");
    let dir = tempfile_dir();
    let (kubeconfig, port) = unreachable_kubeconfig(&dir);
    let policy = write_policy(&dir, TRUENAS);
    // A failed kubectl fails the run: exit 2, nothing on stdout, kubectl's words on stderr.
    let failing = |extra: &[&str]| {
        let out = svcpolicy()
            .env_remove("SVCPOLICY_KUBECTL")
            .env("KUBECONFIG", &kubeconfig)
            .arg("-p")
            .arg(&policy)
            .arg("--from-cluster")
            .args(extra)
            .write_stdin(svc("plex", 32400, None))
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty(), "a failed run wrote to stdout");
        assert!(stderr.contains("kubectl get services failed: "), "{stderr}");
        stderr
    };
    // An unreachable apiserver.
    let stderr = failing(&[]);
    assert!(stderr.contains(&format!("127.0.0.1:{port}")) && stderr.contains("refused"), "{stderr}");
    // An unknown context.
    let stderr = failing(&["--kube-context", "no-such-context"]);
    assert!(stderr.contains("no-such-context"), "{stderr}");
}
