//! Fixture cases: `testdata/cases/<case>/{input.yaml,policy.yaml}` (and `cluster-state.yaml`,
//! passed as `--cluster-state`, where a case has one), each rendered through the binary. The snapshot holds the exit status, the change to the stream as a unified diff (empty
//! means byte for byte), and the report. Every case that renders must also be idempotent.

use crate::support::*;
use std::fmt::Write as _;

#[test]
fn fixture_cases() {
    insta::glob!("../../testdata/cases", "*/input.yaml", |input_path| {
        let dir = input_path.parent().unwrap();
        let input = std::fs::read(input_path).unwrap();
        let policy = dir.join("policy.yaml");
        let report = tempfile_dir().join("report.json");
        let state = dir.join("cluster-state.yaml");
        let state_args: Vec<&std::path::Path> =
            if state.exists() { vec!["--cluster-state".as_ref(), &state] } else { vec![] };
        let out = svcpolicy()
            .args(&state_args)
            .arg("--policy")
            .arg(&policy)
            .arg("--report")
            .arg(&report)
            .write_stdin(input.clone())
            .output()
            .unwrap();
        let code = out.status.code().unwrap();
        if code != 0 {
            assert!(out.stdout.is_empty(), "a failed run wrote to stdout");
        }
        let mut snap = format!("exit: {code}\n--- diff\n");
        if code == 0 {
            let before = String::from_utf8_lossy(&input);
            let after = String::from_utf8_lossy(&out.stdout);
            let diff = similar::TextDiff::from_lines(before.as_ref(), after.as_ref());
            let _ = write!(snap, "{}", diff.unified_diff().context_radius(2).header("input", "output"));
            let again = svcpolicy()
                .args(&state_args)
                .arg("--policy")
                .arg(&policy)
                .write_stdin(out.stdout.clone())
                .output()
                .unwrap();
            let case = dir.file_name().unwrap().to_string_lossy();
            assert_eq!(
                again.status.code(),
                Some(0),
                "{case}: a second run failed: {}",
                String::from_utf8_lossy(&again.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&again.stdout), after, "{case}: not idempotent");
        }
        let _ = write!(snap, "--- report\n{}", std::fs::read_to_string(&report).unwrap());
        insta::assert_snapshot!(snap);
    });
}

/// The corpus's NodePort renders as one GitOps repository under a TrueNAS-style policy: the
/// snapshot is every change svcpolicy makes, so a change in allocation shows up in review.
#[test]
fn corpus_nodeport_releases_as_one_repository() {
    let mut files: Vec<_> =
        corpus_files().into_iter().filter(|f| f.to_string_lossy().ends_with("nodeport.yaml")).collect();
    files.sort();
    let dir = tempfile_dir();
    let policy =
        write_policy(&dir, "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"9000-65535\"}\n");
    let out = svcpolicy().arg("check").arg("-p").arg(&policy).args(&files).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let corpus = files[0].parent().unwrap().to_string_lossy().into_owned();
    insta::assert_snapshot!(text.replace(&corpus, "corpus"));
}

/// The port plan of the corpus's LoadBalancer, hostNetwork and hostPort renders as one cluster,
/// under the built-in policy: what a person reads before picking a port.
#[test]
fn corpus_port_plan() {
    let names = [
        "pihole-lb.yaml",
        "traefik-hostport.yaml",
        "ingress-nginx-hostnet.yaml",
        "metallb-default.yaml",
        "nginx-lb.yaml",
    ];
    let files: Vec<_> = corpus_files().into_iter().filter(|f| names.iter().any(|n| f.ends_with(n))).collect();
    assert_eq!(files.len(), names.len());
    let out = svcpolicy().current_dir(tempfile_dir()).arg("ports").args(&files).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

/// The snapshots above compare line by line and cannot see line ends: a CRLF stream must come
/// out CRLF on every line, the generated route's lines included.
#[test]
fn a_crlf_stream_with_a_generated_route_is_crlf_throughout() {
    let dir = repo().join("testdata/cases/proxy-crlf");
    let input = std::fs::read(dir.join("input.yaml")).unwrap();
    assert!(input.windows(2).any(|w| w == b"\r\n"), "the fixture is CRLF");
    let out = svcpolicy().arg("--policy").arg(dir.join("policy.yaml")).write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\nkind: Ingress"), "a route was generated:\n{text}");
    assert!(text.ends_with("\r\n"), "the last line ends with CRLF");
    for (i, line) in text.split_inclusive('\n').enumerate() {
        assert!(line.ends_with("\r\n"), "line {} ends with a bare LF: {line:?}", i + 1);
    }
}
