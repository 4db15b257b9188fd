//! Hostile input gets a clear error (exit 2) or a correct result: never a panic, a hang, a stack
//! overflow or unbounded memory. Each input of issue 7's list is one test. Inputs are built in
//! memory; sizes are the real ones.

use crate::support::*;
use predicates::prelude::*;
use std::time::{Duration, Instant};

const SVC_HEAD: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: bomb\n";

/// Runs the binary with a time limit well above what a correct run takes, so a hang fails the
/// test instead of stalling CI. (Not a benchmark: speed is measured in benches/.)
fn run(input: Vec<u8>, policy: Option<&str>) -> std::process::Output {
    let mut cmd = svcpolicy();
    if let Some(p) = policy {
        cmd.arg("-p").arg(write_policy(&tempfile_dir(), p));
    }
    cmd.timeout(Duration::from_secs(120)).write_stdin(input).output().unwrap()
}

fn assert_clean_failure(out: &std::process::Output, wording: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(wording), "expected '{wording}' in: {stderr}");
}

#[test]
fn an_alias_bomb_is_refused_quickly() {
    let mut doc = format!("{SVC_HEAD}  annotations:\n    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        doc.push_str(&format!("    a{i}: &a{i} [{refs}]\n"));
    }
    doc.push_str("spec:\n  ports: [{port: 80}]\n");
    let start = Instant::now();
    let out = run(doc.into_bytes(), None);
    assert_clean_failure(&out, "document contains excessive aliasing");
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn nesting_beyond_gos_limit_is_refused_without_overflowing_the_stack() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let doc = format!(
            "{SVC_HEAD}  labels: {}x{}\nspec:\n  ports: [{{port: 80}}]\n",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        assert_clean_failure(&run(doc.into_bytes(), None), "exceeded max depth of 10000");
    }
    // Block sequences nest a level per `- ` on one line: 10,001 of them are one too many for Go.
    let block = format!("{SVC_HEAD}  labels:\n    x:\n      {}1\n", "- ".repeat(10_001));
    assert_clean_failure(&run(block.into_bytes(), None), "exceeded max depth of 10000");
    // Block mappings need a column per level, so 2,000 levels (2 MB) stand for them: Go reads
    // them, so svcpolicy does.
    let mut block = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n");
    for depth in 0..2_000 {
        block.push_str(&format!("{}k:\n", " ".repeat(depth + 2)));
    }
    let out = run(block.into_bytes(), None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Nesting just under Go's limit is read, on every thread.
    let deep = format!(
        "{SVC_HEAD}  labels: {{x: {}1{}}}\nspec:\n  ports: [{{port: 80}}]\n",
        "[".repeat(9_990),
        "]".repeat(9_990)
    );
    let many: String =
        (0..600).map(|i| format!("---\n{}", deep.replace("name: bomb", &format!("name: s{i}")))).collect();
    let out = run(many.into_bytes(), None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_200_mb_scalar_is_read_and_kept() {
    let big = "x".repeat(200 << 20);
    let doc = format!("{SVC_HEAD}  annotations:\n    big: {big}\nspec:\n  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 30080\n");
    let out = run(doc.into_bytes(), Some(ALL_CLUSTER_IP));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.len() > 200 << 20);
    let tail = String::from_utf8_lossy(&out.stdout[out.stdout.len() - 200..]).into_owned();
    assert!(tail.contains("type: ClusterIP") && !tail.contains("nodePort"), "{tail}");
}

#[test]
fn invalid_utf8_names_the_document() {
    let mut input = b"---\n# Source: c/templates/ok.yaml\napiVersion: v1\nkind: ConfigMap\n---\n# Source: c/templates/bad.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: \xff\xfe\n".to_vec();
    input.extend_from_slice(b"spec: {}\n");
    assert_clean_failure(
        &run(input, None),
        "document 2 (line 10, c/templates/bad.yaml): invalid YAML: invalid leading UTF-8 octet (column 9)",
    );
}

#[test]
fn nul_bytes_name_the_document() {
    let input = b"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\0b\n".to_vec();
    assert_clean_failure(&run(input, None), "document 1 (line 4): invalid YAML: control characters are not allowed");
}

#[test]
fn a_byte_order_mark_is_read_and_kept() {
    let input = format!("\u{feff}{SVC_HEAD}spec:\n  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 30080\n");
    let out = run(input.into_bytes(), Some(ALL_CLUSTER_IP));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with("\u{feff}apiVersion: v1\n".as_bytes()));
    assert!(String::from_utf8_lossy(&out.stdout).contains("type: ClusterIP"));
}

#[test]
fn a_million_empty_documents_pass_through() {
    let input = "---\n".repeat(1_000_000).into_bytes();
    let out = run(input.clone(), None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout == input);
}

#[test]
fn a_policy_with_10000_rules_is_read_and_applied() {
    let mut policy = String::from("apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n");
    for i in 0..10_000 {
        policy.push_str(&format!(
            "  - name: r{i}\n    match: {{name: \"app-{i}-*\", labels: {{tier: \"t{i}\"}}}}\n    type: ClusterIP\n"
        ));
    }
    policy.push_str("  - name: last\n    type: LoadBalancer\n");
    let input = format!("{SVC_HEAD}spec:\n  ports:\n    - port: 80\n");
    svcpolicy()
        .arg("-p")
        .arg(write_policy(&tempfile_dir(), &policy))
        .timeout(Duration::from_secs(120))
        .write_stdin(input)
        .assert()
        .success()
        .stdout(predicate::str::contains("type: LoadBalancer"))
        .stderr(predicate::str::contains("rule 'last'"));
}

#[test]
fn a_glob_that_would_backtrack_matches_in_linear_time() {
    let policy = "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: evil\n    match: {name: \"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\"}\n    deny: never\n";
    let name = "a".repeat(60);
    let input = format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  ports: [{{port: 80}}]\n");
    let start = Instant::now();
    let out = run(input.into_bytes(), Some(policy));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn garbage_never_panics() {
    let samples: [&[u8]; 8] = [
        b"kind: Service\n: : :\n",
        b"kind: Service\n- [\n",
        b"kind: Service\nspec: {ports: [{port: *nope}]}\n",
        b"kind: Service\n\t\tbad: tabs\n",
        b"kind: Service\nmetadata: \"unterminated\n",
        b"{\"kind\": \"Service\", \"spec\": {\"ports\": [1, 2, {\"port\": \"x\"}]}}",
        b"kind: Service\nspec: !!int notanumber\n",
        b"kind: Service\nspec:\n  ports:\n  - port: 80\n    nodePort: 99999999999999999999999\n",
    ];
    for input in samples {
        let out = run(input.to_vec(), None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(out.status.code() == Some(2) || out.status.code() == Some(0), "{stderr}");
        if out.status.code() == Some(2) {
            assert!(out.stdout.is_empty());
        }
    }
}
