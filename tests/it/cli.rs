//! The command line as users meet it: exit statuses, the wording of errors, nothing on stdout
//! on failure, policy and namespace lookup, the report file, `check` and `policy default`.

use crate::support::*;
use predicates::prelude::*;

const NODEPORT_SVC: &str = "---\n# Source: demo/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  ports:\n    - name: http\n      port: 80\n      nodePort: 30080\n";

const DENY_LB: &str = "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: no-lb\n    match: {type: NodePort}\n    deny: NodePorts need a ticket\n";

#[test]
fn renders_stdin_to_stdout_and_reports_changes_on_stderr() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    svcpolicy()
        .arg("-p")
        .arg(&policy)
        .write_stdin(NODEPORT_SVC)
        .assert()
        .success()
        .stdout(predicate::str::contains("  type: ClusterIP\n").and(predicate::str::contains("nodePort").not()))
        .stderr(predicate::str::contains(
            "svcpolicy: change: document 1 (line 2, demo/templates/service.yaml) Service default/web: spec.type \"NodePort\" -> \"ClusterIP\": rule 'all-clusterip'",
        ));
}

#[test]
fn a_denial_exits_1_with_nothing_on_stdout_and_a_report() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, DENY_LB);
    let report = dir.join("report.json");
    svcpolicy()
        .arg("-p")
        .arg(&policy)
        .arg("--report")
        .arg(&report)
        .write_stdin(NODEPORT_SVC)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("error: document 1 (line 2, demo/templates/service.yaml) Service default/web: denied: NodePorts need a ticket [rule 'no-lb']"));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["errors"][0]["problem"], "denied");
    assert_eq!(json["errors"][0]["location"]["name"], "web");
}

#[test]
fn broken_yaml_exits_2_naming_document_line_and_column() {
    let input = format!("{NODEPORT_SVC}---\n# Source: demo/templates/bad.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n");
    svcpolicy().write_stdin(input).assert().code(2).stdout("").stderr(
        // Go finds the problem where the text ends, and names where the unclosed list began.
        predicate::str::contains("error: document 2 (line 19, demo/templates/bad.yaml): invalid YAML: did not find expected ',' or ']' (column 1, while parsing a flow sequence that starts at line 18, column 9)"),
    );
}

#[test]
fn an_invalid_service_the_policy_cannot_fix_exits_2_naming_the_field() {
    let input = NODEPORT_SVC.replace("port: 80", "port: 0");
    svcpolicy().write_stdin(input).assert().code(2).stdout("").stderr(predicate::str::contains(
        "Service default/web: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
    ));
}

#[test]
fn a_bad_separator_is_refused_like_kubectl_refuses_it() {
    svcpolicy()
        .write_stdin("a: 1\n---apiVersion: v1\nkind: Service\n")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("line 2: '---apiVersion: v1' is not a document separator"));
}

#[test]
fn a_bad_policy_exits_2_with_a_suggestion() {
    let dir = tempfile_dir();
    let policy =
        write_policy(&dir, "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: x\n    tyep: ClusterIP\n");
    svcpolicy().arg("-p").arg(&policy).write_stdin(NODEPORT_SVC).assert().code(2).stdout("").stderr(
        predicate::str::contains("is not valid: unknown key `tyep` in rules[0]")
            .and(predicate::str::contains("did you mean `type`?")),
    );
}

#[test]
fn usage_errors_and_missing_files_exit_2() {
    svcpolicy().arg("--no-such-flag").assert().code(2).stdout("");
    svcpolicy()
        .arg("/no/such/file.yaml")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("cannot read /no/such/file.yaml"));
    svcpolicy()
        .arg("-p")
        .arg("/no/such/policy.yaml")
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the policy file"));
}

#[test]
fn empty_input_gives_one_comment_line() {
    for input in ["", "\n\n  \n"] {
        svcpolicy().write_stdin(input).assert().success().stdout("# svcpolicy: the chart rendered no resources\n");
    }
}

#[test]
fn policy_lookup_order_is_flag_env_local_file_builtin() {
    let dir = tempfile_dir();
    let deny = write_policy(&dir, DENY_LB);
    let cwd = tempfile_dir();
    // Built-in: nothing retyped.
    svcpolicy().current_dir(&cwd).write_stdin(NODEPORT_SVC).assert().success().stdout(NODEPORT_SVC);
    // ./svcpolicy.yaml beats the built-in.
    std::fs::write(cwd.join("svcpolicy.yaml"), ALL_CLUSTER_IP).unwrap();
    svcpolicy()
        .current_dir(&cwd)
        .write_stdin(NODEPORT_SVC)
        .assert()
        .success()
        .stdout(predicate::str::contains("type: ClusterIP"));
    // $SVCPOLICY_POLICY beats ./svcpolicy.yaml; -p beats both.
    svcpolicy().current_dir(&cwd).env("SVCPOLICY_POLICY", &deny).write_stdin(NODEPORT_SVC).assert().code(1);
    let allow = write_policy(&tempfile_dir(), NOTHING);
    svcpolicy()
        .current_dir(&cwd)
        .env("SVCPOLICY_POLICY", &deny)
        .arg("-p")
        .arg(&allow)
        .write_stdin(NODEPORT_SVC)
        .assert()
        .success()
        .stdout(NODEPORT_SVC);
}

#[test]
fn namespace_comes_from_the_flag_then_helm_namespace_then_default() {
    let dir = tempfile_dir();
    let policy = write_policy(
        &dir,
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - match: {namespace: prod}\n    deny: not in prod\n",
    );
    svcpolicy().arg("-p").arg(&policy).write_stdin(NODEPORT_SVC).assert().success();
    svcpolicy()
        .arg("-p")
        .arg(&policy)
        .env("HELM_NAMESPACE", "prod")
        .write_stdin(NODEPORT_SVC)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Service prod/web"));
    svcpolicy()
        .arg("-p")
        .arg(&policy)
        .env("HELM_NAMESPACE", "dev")
        .arg("--namespace")
        .arg("prod")
        .write_stdin(NODEPORT_SVC)
        .assert()
        .code(1);
}

#[test]
fn check_exits_1_when_a_render_would_change_something() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    svcpolicy().arg("check").arg("-p").arg(&policy).write_stdin(NODEPORT_SVC).assert().code(1).stdout(
        predicate::str::contains(
            "change: document 1 (line 2, demo/templates/service.yaml) Service default/web: spec.type",
        ),
    );
    svcpolicy()
        .arg("check")
        .arg("-p")
        .arg(&policy)
        .write_stdin(NODEPORT_SVC.replace("NodePort", "ClusterIP").replace("      nodePort: 30080\n", ""))
        .assert()
        .success()
        .stdout("");
    let out = svcpolicy()
        .arg("check")
        .arg("-p")
        .arg(&policy)
        .arg("--format")
        .arg("json")
        .write_stdin(NODEPORT_SVC)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["changes"].as_array().unwrap().len(), 2);
    svcpolicy()
        .arg("check")
        .arg("-p")
        .arg(&policy)
        .arg("--format")
        .arg("github")
        .write_stdin(NODEPORT_SVC)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("::error line=2::"));
}

#[test]
fn check_reads_several_files() {
    let dir = tempfile_dir();
    let (a, b) = (dir.join("a.yaml"), dir.join("b.yaml"));
    std::fs::write(&a, NODEPORT_SVC).unwrap();
    std::fs::write(
        &b,
        "kind: Service\napiVersion: v1\nmetadata: {name: x}\nspec: {ports: [{port: 1, nodePort: 30001}]}\n",
    )
    .unwrap();
    svcpolicy().arg("check").arg(&a).arg(&b).assert().code(1).stdout(predicate::str::contains(
        "b.yaml: document 1 (line 1) Service default/x: removed spec.ports[0].nodePort (was 30001)",
    ));
}

#[test]
fn policy_default_prints_the_built_in_policy() {
    svcpolicy().args(["policy", "default"]).assert().success().stdout(
        predicate::str::contains("apiVersion: svcpolicy/v1").and(predicate::str::contains("range: \"9000-65535\"")),
    );
}

#[test]
fn version_is_printed() {
    svcpolicy().arg("--version").assert().success().stdout(predicate::str::starts_with("svcpolicy "));
}

#[test]
fn a_rule_a_second_run_would_undo_is_pointed_out() {
    let dir = tempfile_dir();
    let policy = write_policy(
        &dir,
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: lb-to-nodeport\n    match: {type: LoadBalancer}\n    type: NodePort\n  - name: rest\n    type: ClusterIP\n",
    );
    svcpolicy().arg("-p").arg(&policy).write_stdin(NODEPORT_SVC).assert().success().stderr(predicate::str::contains(
        "warning: policy: rule 'lb-to-nodeport' retypes Services to NodePort but matches only LoadBalancer; on a second run (over svcpolicy's own output) they match rule 'rest' instead",
    ));
}

#[test]
fn diff_shows_the_change_and_exits_1() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    svcpolicy()
        .args(["diff", "--color", "never", "-p"])
        .arg(&policy)
        .write_stdin(NODEPORT_SVC)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("--- a/stdin\n+++ b/stdin\n")
                .and(predicate::str::contains("-  type: NodePort\n+  type: ClusterIP\n")),
        )
        .stdout(predicate::str::contains("-      nodePort: 30080\n"));
    svcpolicy()
        .args(["diff", "-p"])
        .arg(&policy)
        .write_stdin("apiVersion: v1\nkind: ConfigMap\n")
        .assert()
        .success()
        .stdout("");
}

#[test]
fn test_runs_fixtures_shows_diffs_and_updates() {
    let dir = tempfile_dir();
    std::fs::write(dir.join("policy.yaml"), ALL_CLUSTER_IP).unwrap();
    for case in ["web", "denied"] {
        std::fs::create_dir(dir.join(case)).unwrap();
        std::fs::write(dir.join(case).join("input.yaml"), NODEPORT_SVC).unwrap();
    }
    std::fs::write(dir.join("denied/policy.yaml"), DENY_LB).unwrap();
    svcpolicy().arg("test").arg(&dir).assert().code(1).stdout(predicate::str::contains("fixtures: 0 passed, 2 failed"));
    svcpolicy()
        .arg("test")
        .arg(&dir)
        .arg("--update")
        .assert()
        .success()
        .stdout(predicate::str::contains("updated denied\nupdated web\n"));
    svcpolicy().arg("test").arg(&dir).assert().success().stdout("fixtures: 2 passed, 0 failed\n");
    let errors = std::fs::read_to_string(dir.join("denied/expected-errors.txt")).unwrap();
    assert!(errors.contains("denied: NodePorts need a ticket"), "{errors}");
    // A policy change shows as a diff of the expected output.
    std::fs::write(dir.join("policy.yaml"), NOTHING).unwrap();
    svcpolicy().args(["test", "--color", "never"]).arg(&dir).assert().code(1).stdout(
        predicate::str::contains("FAILED web: expected.yaml differs:")
            .and(predicate::str::contains("-  type: ClusterIP\n+  type: NodePort\n")),
    );
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    svcpolicy()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_svcpolicy()").and(predicate::str::contains("--cluster-state")));
    svcpolicy().args(["completions", "zsh"]).assert().success().stdout(predicate::str::contains("#compdef svcpolicy"));
    svcpolicy()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH svcpolicy 1").and(predicate::str::contains("post\\-renderer")));
}

#[test]
fn a_reader_that_stops_early_gets_no_panic() {
    use std::io::Read;
    let dir = tempfile_dir();
    let big = dir.join("big.yaml");
    std::fs::write(&big, "---\napiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n".repeat(200_000)).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("svcpolicy"))
        .arg(&big)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn the_schema_describes_every_policy_key() {
    let out = svcpolicy().arg("schema").output().unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["required"], serde_json::json!(["apiVersion", "kind"]));
    assert_eq!(schema["additionalProperties"], false);
    let keys: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    for k in
        ["apiVersion", "kind", "metadata", "nodePorts", "loadBalancer", "hostNetwork", "hostPorts", "proxy", "rules"]
    {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    let rule = &schema["$defs"]["Rule"];
    assert_eq!(rule["additionalProperties"], false, "unknown rule keys are errors, in editors too");
    for k in ["match", "type", "patch", "mergePatch", "deny", "warn", "nodePorts", "expose", "externalTrafficPolicy"] {
        assert!(rule["properties"].get(k).is_some(), "rules[].{k} missing");
    }
    // One described `const` per value, or a bare `enum`: either way, these values.
    assert_eq!(
        allowed_values(&schema, &schema["$defs"]["ServiceType"]).unwrap(),
        ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
    );
    // What the loader refuses, the schema refuses (the_schema_and_the_loader_agree checks more).
    assert_eq!(schema["properties"]["apiVersion"]["const"], "svcpolicy/v1");
    assert_eq!(schema["properties"]["kind"]["const"], "ServicePolicy");
    assert_eq!(
        allowed_values(&schema, &schema["$defs"]["RetypeTo"]).unwrap(),
        ["ClusterIP", "NodePort", "LoadBalancer"]
    );
    assert_eq!(rule["properties"]["type"]["anyOf"][0]["$ref"], "#/$defs/RetypeTo");
    assert_eq!(rule["properties"]["nodePorts"]["additionalProperties"]["$ref"], "#/$defs/NodePortNumber");
    assert_eq!(schema["$defs"]["NodePortNumber"]["minimum"], 1);
    assert_eq!(schema["$defs"]["NodePortNumber"]["maximum"], 65535);
}

/// Editors show a key's `description` on hover and as it is completed: every key of the policy,
/// at every depth, has one, and every key with a fixed set of values names them (in its own
/// description, or in its definition's, or one described `const` per value).
#[test]
fn the_schema_describes_every_key_and_its_allowed_values() {
    let out = svcpolicy().arg("schema").output().unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut problems = Vec::new();
    check_keys(&schema, &schema, "#", &mut problems);
    for (name, def) in schema["$defs"].as_object().expect("the schema has $defs") {
        let at = format!("#/$defs/{name}");
        if !has_description(def) {
            problems.push(format!("{at}: no description"));
        }
        check_keys(&schema, def, &at, &mut problems);
    }
    assert!(problems.is_empty(), "{} problems in the schema:\n{}", problems.len(), problems.join("\n"));
}

fn has_description(node: &serde_json::Value) -> bool {
    node["description"].as_str().is_some_and(|d| !d.trim().is_empty())
}

/// Checks the keys of `node` and of every schema inside it (a `$ref` is checked where it points).
fn check_keys(root: &serde_json::Value, node: &serde_json::Value, at: &str, problems: &mut Vec<String>) {
    if let Some(properties) = node["properties"].as_object() {
        for (key, property) in properties {
            let here = format!("{at}/properties/{key}");
            if !has_description(property) {
                problems.push(format!("{here}: no description"));
            }
            for value in allowed_values(root, property).unwrap_or_default() {
                let own = property["description"].as_str().is_some_and(|d| names(d, &value));
                if !own && !value_described(root, property, &value) {
                    problems.push(format!("{here}: allows {value} but no description names it"));
                }
            }
            check_keys(root, property, &here, problems);
        }
    }
    for list in ["oneOf", "anyOf"] {
        for (i, sub) in node[list].as_array().into_iter().flatten().enumerate() {
            check_keys(root, sub, &format!("{at}/{list}/{i}"), problems);
        }
    }
    for inner in ["items", "additionalProperties"] {
        if node[inner].is_object() {
            check_keys(root, &node[inner], &format!("{at}/{inner}"), problems);
        }
    }
}

/// The schema a `$ref` points to, or the node itself.
fn resolve<'s>(root: &'s serde_json::Value, node: &'s serde_json::Value) -> &'s serde_json::Value {
    match node["$ref"].as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => &root["$defs"][name],
        None => node,
    }
}

/// The values a key allows when they are a fixed set (`enum`, `const`, or alternatives of those,
/// also as a list's items); `None` for anything else. `null` (an absent optional key) is left out.
fn allowed_values(root: &serde_json::Value, node: &serde_json::Value) -> Option<Vec<String>> {
    let node = resolve(root, node);
    let text = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    if let Some(values) = node["enum"].as_array() {
        return Some(values.iter().filter(|v| !v.is_null()).map(text).collect());
    }
    if !node["const"].is_null() {
        return Some(vec![text(&node["const"])]);
    }
    if node["type"] == "array" {
        return allowed_values(root, &node["items"]);
    }
    let alternatives = node["oneOf"].as_array().or_else(|| node["anyOf"].as_array())?;
    let mut values = Vec::new();
    for alternative in alternatives.iter().filter(|a| a["type"] != "null") {
        for value in allowed_values(root, alternative)? {
            if !values.contains(&value) {
                values.push(value);
            }
        }
    }
    Some(values)
}

/// Whether the definition behind `node` names `value`: in its description, or as a `const`
/// alternative with a description of its own.
fn value_described(root: &serde_json::Value, node: &serde_json::Value, value: &str) -> bool {
    let node = resolve(root, node);
    if node["description"].as_str().is_some_and(|d| names(d, value)) {
        return true;
    }
    if node["type"] == "array" {
        return value_described(root, &node["items"], value);
    }
    let alternatives = node["oneOf"].as_array().or_else(|| node["anyOf"].as_array());
    alternatives
        .into_iter()
        .flatten()
        .any(|a| (a["const"].as_str() == Some(value) && has_description(a)) || value_described(root, a, value))
}

/// Whether `text` names `word` as a word of its own (`Cluster` is not named by `ClusterIP`).
fn names(text: &str, word: &str) -> bool {
    let part_of_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(part_of_word)
            && !text[i + word.len()..].chars().next().is_some_and(part_of_word)
    })
}

/// Runs with `--report` that fail before there is a report of findings still write one.
fn failing_run_report(args: &[&std::ffi::OsStr], env: &[(&str, &std::path::Path)]) -> serde_json::Value {
    let dir = tempfile_dir();
    let report = dir.join("report.json");
    let mut cmd = svcpolicy();
    cmd.args(args).arg("--report").arg(&report).write_stdin(NODEPORT_SVC);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.assert().code(2).stdout("");
    let text = std::fs::read_to_string(&report).unwrap_or_else(|e| panic!("no report for {args:?}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["errors"].as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(json["changes"], serde_json::json!([]));
    json["errors"][0].clone()
}

#[test]
fn a_run_that_fails_outright_still_writes_the_report() {
    let dir = tempfile_dir();
    let typo =
        write_policy(&dir, "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: x\n    tyep: ClusterIP\n");
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    // A policy typo, in the render and in check.
    for sub in [None, Some("check"), Some("diff"), Some("ports")] {
        let mut args: Vec<&std::ffi::OsStr> = sub.map(std::ffi::OsStr::new).into_iter().collect();
        args.extend([os("-p"), typo.as_os_str()]);
        let e = failing_run_report(&args, &[]);
        assert_eq!(e["problem"], "invalid-policy", "{sub:?}: {e}");
        assert_eq!(e["location"]["file"], typo.display().to_string());
        let message = e["message"].as_str().unwrap();
        assert!(message.contains("is not valid: unknown key `tyep` in rules[0]"), "{message}");
    }
    // A missing policy file.
    let e = failing_run_report(&[os("-p"), os("/no/such/policy.yaml")], &[]);
    assert_eq!(e["problem"], "invalid-policy");
    assert!(e["message"].as_str().unwrap().starts_with("cannot read the policy file /no/such/policy.yaml: "), "{e}");
    // An input file that cannot be read.
    let e = failing_run_report(&[os("/no/such/input.yaml")], &[]);
    assert_eq!(e["problem"], "invalid-input");
    assert_eq!(e["location"]["file"], "/no/such/input.yaml");
    assert!(e["message"].as_str().unwrap().starts_with("cannot read /no/such/input.yaml: "), "{e}");
    // kubectl failing under --from-cluster.
    let kubectl = dir.join("kubectl");
    std::fs::write(
        &kubectl,
        "#!/bin/sh\necho 'error: You must be logged in to the server (Unauthorized)' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&kubectl, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let e = failing_run_report(&[os("--from-cluster")], &[("SVCPOLICY_KUBECTL", &kubectl)]);
    assert_eq!(e["problem"], "cluster-state");
    assert_eq!(e["message"], "kubectl get services failed: error: You must be logged in to the server (Unauthorized)");
    // A cluster-state file that cannot be read.
    let e = failing_run_report(&[os("--cluster-state"), os("/no/such/state.yaml")], &[]);
    assert_eq!(e["problem"], "cluster-state");
}

#[test]
fn check_format_github_annotates_the_lines_of_the_files_given() {
    let dir = tempfile_dir();
    let policy = write_policy(
        &dir,
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: legacy\n    match: {name: old}\n    warn: old is going away\n  - name: all-clusterip\n    type: ClusterIP\n",
    );
    let (a, b) = (dir.join("a.yaml"), dir.join("b.yaml"));
    std::fs::write(&a, NODEPORT_SVC).unwrap();
    std::fs::write(&b, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n\napiVersion: v1\nkind: Service\nmetadata:\n  name: old\nspec:\n  ports:\n    - port: 80\n").unwrap();
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let out = svcpolicy().args(["check", "--format", "github", "-p"]).arg(&policy).arg(&a).arg(&b).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let expected = format!(
        "::error file={a},line=2::{a}: document 1 (line 2, demo/templates/service.yaml) Service default/web: spec.type \"NodePort\" -> \"ClusterIP\": rule 'all-clusterip'\n\
         ::error file={a},line=2::{a}: document 1 (line 2, demo/templates/service.yaml) Service default/web: removed spec.ports[0].nodePort (was 30080): nodePort may not be used when type is 'ClusterIP'\n\
         ::warning file={b},line=5::{b}: document 2 (line 5) Service default/old: old is going away [rule 'legacy']\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    // From stdin there is no file to name; a denial is an error; -q counts the changes.
    let deny = write_policy(&tempfile_dir(), DENY_LB);
    svcpolicy().args(["check", "--format", "github", "-p"]).arg(&deny).write_stdin(NODEPORT_SVC).assert().code(1).stdout(
        "::error line=2::document 1 (line 2, demo/templates/service.yaml) Service default/web: denied: NodePorts need a ticket [rule 'no-lb']\n",
    );
    svcpolicy()
        .args(["check", "-q", "--format", "github", "-p"])
        .arg(&policy)
        .arg(&a)
        .assert()
        .code(1)
        .stdout("::error::a render would make 2 changes (run without -q to see them)\n");
    // A policy that cannot be read fails the job too.
    let typo = write_policy(&tempfile_dir(), "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrulez: []\n");
    let out = svcpolicy().args(["check", "--format", "github", "-p"]).arg(&typo).arg(&a).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with(&format!("::error file={}::the policy file", typo.display())), "{stdout}");
}

#[test]
fn check_quiet_prints_errors_but_not_each_change() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    svcpolicy()
        .args(["check", "-q", "-p"])
        .arg(&policy)
        .write_stdin(NODEPORT_SVC)
        .assert()
        .code(1)
        .stdout("a render would make 2 changes (run without -q to see them)\n");
    let deny = write_policy(&tempfile_dir(), DENY_LB);
    svcpolicy().args(["check", "-q", "-p"]).arg(&deny).write_stdin(NODEPORT_SVC).assert().code(1).stdout(
        "error: document 1 (line 2, demo/templates/service.yaml) Service default/web: denied: NodePorts need a ticket [rule 'no-lb']\n",
    );
}

#[test]
fn in_place_is_refused_by_the_commands_that_never_write_files() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    let file = dir.join("app.yaml");
    std::fs::write(&file, NODEPORT_SVC).unwrap();
    for sub in ["check", "diff", "ports"] {
        svcpolicy()
            .args([sub, "--in-place", "-p"])
            .arg(&policy)
            .arg(&file)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("unexpected argument '--in-place'"));
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), NODEPORT_SVC);
}

/// Two pods on one hostPort: a conflict in every form of `ports`.
fn host_port_pod(name: &str) -> String {
    format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n    - name: c\n      image: x\n      ports: [{{containerPort: 80, hostPort: 8080}}]\n")
}

#[test]
fn ports_draws_the_map_as_html_or_svg_and_exits_as_the_table_does() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, NOTHING);
    let (one, two) = (host_port_pod("a"), host_port_pod("a") + &host_port_pod("b"));
    for (format, starts) in [("html", "<!DOCTYPE html>\n<html lang=\"en\">"), ("svg", "<svg xmlns=")] {
        let run = |stream: &str, code: i32| {
            let out = svcpolicy()
                .args(["ports", "--format", format, "-p"])
                .arg(&policy)
                .write_stdin(stream)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(code), "{format}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap()
        };
        let clean = run(&one, 0);
        assert!(clean.starts_with(starts) && clean.contains("No conflicts"), "{format}:\n{clean}");
        let clash = run(&two, 1);
        assert!(clash.contains(" data-conflict=\"0\"") && clash.contains("Pod default/b"), "{format}:\n{clash}");
    }
    let help = svcpolicy().args(["ports", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("- html:") && help.contains("- svg:"), "{help}");
}

#[test]
fn the_man_page_names_no_page_that_does_not_exist() {
    let out = svcpolicy().arg("man").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(!page.contains("(1)"), "the man page names pages `svcpolicy man` never writes:\n{page}");
    for sub in ["check", "diff", "test", "ports", "schema", "policy"] {
        assert!(page.contains(&format!("\\fBsvcpolicy {sub}\\fR")), "{sub} missing:\n{page}");
    }
    assert!(page.contains(".SH SUBCOMMANDS") && page.contains(".SH OPTIONS"), "{page}");
}

#[test]
fn in_place_edits_the_target_of_a_symlink_and_keeps_the_link() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    let (rendered, links) = (dir.join("rendered"), dir.join("links"));
    std::fs::create_dir_all(&rendered).unwrap();
    std::fs::create_dir_all(&links).unwrap();
    let target = rendered.join("app.yaml");
    std::fs::write(&target, NODEPORT_SVC).unwrap();
    let link = links.join("app.yaml");
    std::os::unix::fs::symlink("../rendered/app.yaml", &link).unwrap();
    svcpolicy().arg("-p").arg(&policy).arg("--in-place").arg(&link).assert().success().stdout("");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert_eq!(std::fs::read_link(&link).unwrap(), std::path::Path::new("../rendered/app.yaml"));
    let edited = std::fs::read_to_string(&target).unwrap();
    assert!(edited.contains("type: ClusterIP") && !edited.contains("nodePort"), "{edited}");
    // Nothing left behind beside the link or the target.
    let names = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(names(&links), ["app.yaml"]);
    assert_eq!(names(&rendered), ["app.yaml"]);
}

#[test]
fn in_place_keeps_the_mode_and_owner_of_the_file() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    let file = dir.join("secrets-and-services.yaml");
    std::fs::write(&file, NODEPORT_SVC).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    // As root (CI containers), give the file away first: the edit must keep the owner too.
    let root = std::fs::metadata(&file).unwrap().uid() == 0;
    if root {
        std::os::unix::fs::chown(&file, Some(4321), Some(4322)).unwrap();
    }
    let before = std::fs::metadata(&file).unwrap();
    svcpolicy().arg("-p").arg(&policy).arg("--in-place").arg(&file).assert().success();
    let after = std::fs::metadata(&file).unwrap();
    assert!(std::fs::read_to_string(&file).unwrap().contains("type: ClusterIP"));
    assert_eq!(after.mode() & 0o7777, 0o640, "the mode changed");
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()), "the owner changed");
}

#[test]
fn in_place_writes_through_a_fresh_temporary_file_in_the_same_directory() {
    let dir = tempfile_dir();
    let policy = write_policy(&dir, ALL_CLUSTER_IP);
    let work = dir.join("release");
    std::fs::create_dir_all(&work).unwrap();
    let file = work.join("app.yaml");
    std::fs::write(&file, NODEPORT_SVC).unwrap();
    // A file of the user's with the name a predictable temporary file would take survives.
    std::fs::write(work.join("app.svcpolicy-tmp"), "mine\n").unwrap();
    svcpolicy().current_dir(&dir).arg("-p").arg(&policy).arg("--in-place").arg("release/app.yaml").assert().success();
    assert!(std::fs::read_to_string(&file).unwrap().contains("type: ClusterIP"));
    let mut names: Vec<String> =
        std::fs::read_dir(&work).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["app.svcpolicy-tmp", "app.yaml"], "a temporary file was left behind or a file lost");
    assert_eq!(std::fs::read_to_string(work.join("app.svcpolicy-tmp")).unwrap(), "mine\n");
}

#[test]
fn a_patch_removing_a_missing_path_is_done_but_replacing_one_is_an_error() {
    let dir = tempfile_dir();
    let remove = write_policy(
        &dir,
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: tidy\n    patch:\n      - {op: remove, path: /metadata/annotations/old}\n",
    );
    svcpolicy().arg("-p").arg(&remove).write_stdin(NODEPORT_SVC).assert().success().stdout(NODEPORT_SVC).stderr("");
    let replace = write_policy(
        &tempfile_dir(),
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: tidy\n    patch:\n      - {op: replace, path: /metadata/annotations/old, value: x}\n",
    );
    svcpolicy().arg("-p").arg(&replace).write_stdin(NODEPORT_SVC).assert().code(2).stdout("").stderr(
        predicate::str::contains("Service default/web: its patch (operation 0, ")
            .and(predicate::str::contains("does not apply to this Service: "))
            .and(predicate::str::contains("[rule 'tidy']")),
    );
}

/// Policies the schema and the loader must judge alike: (what it is, the policy, valid?).
pub(crate) fn policy_variants() -> Vec<(&'static str, serde_json::Value, bool)> {
    use serde_json::json;
    let head = |extra: serde_json::Value| {
        let mut p = json!({"apiVersion": "svcpolicy/v1", "kind": "ServicePolicy"});
        p.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        p
    };
    let rule = |r: serde_json::Value| head(json!({"nodePorts": {"range": "1-65535"}, "rules": [r]}));
    vec![
        ("the least policy", head(json!({})), true),
        ("metadata, as a KRM functionConfig", head(json!({"metadata": {"name": "p"}})), true),
        (
            "a range and reserved ports",
            head(json!({"nodePorts": {"range": "9000-65535", "reserved": [9090, "9100-9200"]}})),
            true,
        ),
        ("an implementation", head(json!({"loadBalancer": {"implementation": "metallb"}})), true),
        (
            "the proxy's own Services",
            head(
                json!({"proxy": {"services": [{"namespace": "edge", "name": "haproxy*"}, {"labels": {"app": "envoy"}}]}}),
            ),
            true,
        ),
        ("a proxy Service by kind", head(json!({"proxy": {"services": [{"kind": "Service"}]}})), false),
        ("proxy services as a mapping", head(json!({"proxy": {"services": {"name": "traefik"}}})), false),
        ("host networking allowed", head(json!({"hostNetwork": {"action": "allow"}})), true),
        ("retype to ClusterIP", rule(json!({"name": "a", "type": "ClusterIP"})), true),
        ("retype to NodePort", rule(json!({"type": "NodePort"})), true),
        (
            "retype to LoadBalancer with an address",
            rule(json!({"type": "LoadBalancer", "loadBalancer": {"ip": "10.0.0.1"}})),
            true,
        ),
        ("an address, no type", rule(json!({"loadBalancer": {"sharingKey": "k"}})), true),
        ("type null", rule(json!({"type": null})), true),
        ("match ExternalName, deny", rule(json!({"match": {"type": "ExternalName"}, "deny": "no ExternalName"})), true),
        ("pin the lowest port", rule(json!({"type": "NodePort", "nodePorts": {"http": 1}})), true),
        ("pin the highest port", rule(json!({"type": "NodePort", "nodePorts": {"80": 65535}})), true),
        ("a patch", rule(json!({"patch": [{"op": "add", "path": "/metadata/labels/a", "value": "b"}]})), true),
        ("a merge patch", rule(json!({"mergePatch": {"metadata": {"labels": {"a": null}}}})), true),
        ("a null merge patch", rule(json!({"mergePatch": null})), true),
        ("a warning", rule(json!({"warn": "look"})), true),
        ("externalTrafficPolicy", rule(json!({"externalTrafficPolicy": "Local"})), true),
        ("another apiVersion", json!({"apiVersion": "v1", "kind": "ServicePolicy"}), false),
        ("no apiVersion", json!({"kind": "ServicePolicy"}), false),
        ("another kind", json!({"apiVersion": "svcpolicy/v1", "kind": "Policy"}), false),
        ("no kind", json!({"apiVersion": "svcpolicy/v1"}), false),
        ("an unknown top-level key", head(json!({"rulez": []})), false),
        ("retype to ExternalName", rule(json!({"type": "ExternalName"})), false),
        ("retype to a type that is none", rule(json!({"type": "Headless"})), false),
        ("pin 0", rule(json!({"type": "NodePort", "nodePorts": {"http": 0}})), false),
        ("pin 65536", rule(json!({"type": "NodePort", "nodePorts": {"http": 65536}})), false),
        ("pin -1", rule(json!({"type": "NodePort", "nodePorts": {"http": -1}})), false),
        ("pin a name", rule(json!({"type": "NodePort", "nodePorts": {"http": "x"}})), false),
        ("an unknown rule key", rule(json!({"tyep": "ClusterIP"})), false),
        ("an empty denial", rule(json!({"deny": ""})), false),
        ("a blank denial", rule(json!({"deny": "  "})), false),
        ("a merge patch that is a list", rule(json!({"mergePatch": [1, 2]})), false),
        ("a merge patch that is a string", rule(json!({"mergePatch": "x"})), false),
        (
            "an address on a ClusterIP rule",
            rule(json!({"type": "ClusterIP", "loadBalancer": {"ip": "10.0.0.1"}})),
            false,
        ),
        ("an address on a NodePort rule", rule(json!({"type": "NodePort", "loadBalancer": {"ip": "10.0.0.1"}})), false),
        ("an unknown traffic policy", rule(json!({"externalTrafficPolicy": "Nearest"})), false),
        ("rules that are not a list", head(json!({"rules": {"type": "ClusterIP"}})), false),
    ]
}

/// The schema's verdict on each policy, from the `jsonschema` Python package (draft 2020-12).
fn schema_verdicts(schema: &std::path::Path, policies: &std::path::Path) -> Vec<bool> {
    let script = "import json, sys\nimport jsonschema\nv = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))\nfor p in json.load(open(sys.argv[2])):\n    print('valid' if v.is_valid(p) else 'invalid')\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(schema)
        .arg(policies)
        .output()
        .expect("python3 runs (the schema test needs it, with `pip install jsonschema`)");
    assert!(
        out.status.success(),
        "the jsonschema Python package is needed (pip install jsonschema): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l == "valid").collect()
}

#[test]
fn the_schema_and_the_loader_agree() {
    let dir = tempfile_dir();
    let out = svcpolicy().arg("schema").output().unwrap();
    let schema_file = dir.join("schema.json");
    std::fs::write(&schema_file, &out.stdout).unwrap();
    let variants = policy_variants();
    let policies: Vec<&serde_json::Value> = variants.iter().map(|(_, p, _)| p).collect();
    let policies_file = dir.join("policies.json");
    std::fs::write(&policies_file, serde_json::to_vec(&policies).unwrap()).unwrap();
    let by_schema = schema_verdicts(&schema_file, &policies_file);
    assert_eq!(by_schema.len(), variants.len());
    let mut disagreements = Vec::new();
    for ((what, policy, valid), schema_says) in variants.iter().zip(by_schema) {
        // JSON is YAML: the loader reads the same text.
        let file = write_policy(&tempfile_dir(), &policy.to_string());
        let run = svcpolicy().arg("-p").arg(&file).write_stdin("").output().unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        let loader_says = run.status.success();
        assert!(loader_says || stderr.contains("is not valid"), "{what}: {stderr}");
        if (loader_says, schema_says) != (*valid, *valid) {
            disagreements.push(format!(
                "{what}: expected {}, loader {}, schema {} ({policy}) {stderr}",
                verdict(*valid),
                verdict(loader_says),
                verdict(schema_says)
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // The built-in policy passes the schema too.
    let builtin: serde_json::Value =
        serde_yaml::from_slice(&svcpolicy().args(["policy", "default"]).output().unwrap().stdout).unwrap();
    std::fs::write(&policies_file, serde_json::to_vec(&[builtin]).unwrap()).unwrap();
    assert_eq!(schema_verdicts(&schema_file, &policies_file), [true], "the built-in policy fails the schema");
}

fn verdict(valid: bool) -> &'static str {
    if valid {
        "valid"
    } else {
        "invalid"
    }
}

/// A previous render of a chart that names no namespace, fed back as the cluster state, is in
/// the same namespace as the render (`-n`, then `$HELM_NAMESPACE`, then `default`): its ports
/// are the release's own, and an upgrade keeps them.
#[test]
fn cluster_state_without_namespaces_takes_the_render_namespace() {
    let dir = tempfile_dir();
    let policy =
        write_policy(&dir, "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"9000-65535\"}\n");
    let chart = "---\n# Source: exporter/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: exporter\nspec:\n  type: NodePort\n  ports:\n    - name: metrics\n      port: 9100\n    - name: admin\n      port: 8080\n";
    let first = svcpolicy().args(["-n", "media", "-p"]).arg(&policy).write_stdin(chart).output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let state = dir.join("previous.yaml");
    std::fs::write(&state, &first.stdout).unwrap();
    let ports = |out: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(out).lines().filter(|l| l.contains("nodePort:")).map(str::to_string).collect()
    };
    assert_eq!(ports(&first.stdout).len(), 2);
    for env in [None, Some("media")] {
        let mut cmd = svcpolicy();
        match env {
            Some(ns) => cmd.env("HELM_NAMESPACE", ns),
            None => cmd.args(["-n", "media"]),
        };
        let upgrade =
            cmd.arg("-p").arg(&policy).arg("--cluster-state").arg(&state).write_stdin(chart).output().unwrap();
        assert!(upgrade.status.success(), "{}", String::from_utf8_lossy(&upgrade.stderr));
        assert_eq!(ports(&upgrade.stdout), ports(&first.stdout), "the upgrade moved the node ports");
        assert_eq!(upgrade.stdout, first.stdout);
    }
}

/// Helm tells a post-renderer no namespace: a Service without `metadata.namespace` under a
/// policy that matches on namespaces, with no `--namespace` and no `$HELM_NAMESPACE`, is a
/// warning (in the report too) that says how to pass it.
#[test]
fn a_missing_namespace_is_a_warning_when_the_policy_matches_on_namespaces() {
    let dir = tempfile_dir();
    let policy = write_policy(
        &dir,
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"30000-32767\"}\nrules:\n  - name: media-on-nodeports\n    match: {namespace: media}\n    type: NodePort\n  - name: rest\n    type: ClusterIP\n",
    );
    let report = dir.join("report.json");
    let hint = "--post-renderer-args=--namespace=";
    svcpolicy()
        .arg("-p")
        .arg(&policy)
        .arg("--report")
        .arg(&report)
        .write_stdin(NODEPORT_SVC)
        .assert()
        .success()
        .stderr(
            predicate::str::contains(
                "svcpolicy: warning: document 1 (line 2, demo/templates/service.yaml) Service default/web: ",
            )
            .and(predicate::str::contains("no metadata.namespace"))
            .and(predicate::str::contains("rule 'media-on-nodeports'"))
            .and(predicate::str::contains(hint))
            .and(predicate::str::contains("HELM_NAMESPACE")),
        );
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert!(
        json["warnings"].as_array().unwrap().iter().any(|w| w["message"].as_str().unwrap().contains(hint)),
        "{json}"
    );
    // A namespace given either way, a Service that names its own, or a policy that never asks:
    // nothing to warn about.
    let quiet = |cmd: &mut assert_cmd::Command, stdin: &str| {
        cmd.write_stdin(stdin.to_string()).assert().success().stderr(predicate::str::contains(hint).not());
    };
    quiet(svcpolicy().arg("-p").arg(&policy).args(["-n", "media"]), NODEPORT_SVC);
    quiet(svcpolicy().arg("-p").arg(&policy).env("HELM_NAMESPACE", "media"), NODEPORT_SVC);
    quiet(
        svcpolicy().arg("-p").arg(&policy),
        &NODEPORT_SVC.replace("  name: web\n", "  name: web\n  namespace: media\n"),
    );
    let plain = write_policy(&tempfile_dir(), ALL_CLUSTER_IP);
    quiet(svcpolicy().arg("-p").arg(&plain), NODEPORT_SVC);
    // The exceptions of hostNetwork are namespace matches too.
    let host = write_policy(
        &tempfile_dir(),
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nhostNetwork:\n  action: strip\n  except: [{namespace: kube-system}]\n",
    );
    let pod = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: a\n          image: a\n";
    svcpolicy()
        .arg("-p")
        .arg(&host)
        .write_stdin(pod)
        .assert()
        .success()
        .stderr(predicate::str::contains("hostNetwork.except").and(predicate::str::contains(hint)));
    // A pod that only takes a host port is on the host too.
    let ports = write_policy(
        &tempfile_dir(),
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nhostPorts:\n  action: strip\n  except: [{namespace: kube-system}]\n",
    );
    let host_port = pod
        .replace("      hostNetwork: true\n", "")
        .replace("image: a\n", "image: a\n          ports: [{containerPort: 80, hostPort: 8080}]\n");
    svcpolicy()
        .arg("-p")
        .arg(&ports)
        .write_stdin(host_port.clone())
        .assert()
        .success()
        .stderr(predicate::str::contains("hostPorts.except").and(predicate::str::contains(hint)));
    quiet(svcpolicy().arg("-p").arg(&ports), &host_port.replace("hostPort: 8080", "hostPort: null"));
    // The proxy's own Services named by namespace are a namespace match; named by label alone, not.
    let proxy = |services: &str| {
        write_policy(
            &tempfile_dir(),
            &format!(
                "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nproxy:\n  kind: Ingress\n  host: \"{{service}}.home.lan\"\n  services: [{services}]\n"
            ),
        )
    };
    svcpolicy()
        .arg("-p")
        .arg(proxy("{namespace: edge}"))
        .write_stdin(NODEPORT_SVC)
        .assert()
        .success()
        .stderr(predicate::str::contains("proxy.services").and(predicate::str::contains(hint)));
    quiet(svcpolicy().arg("-p").arg(proxy("{labels: {app: haproxy}}")), NODEPORT_SVC);
}

#[test]
fn files_join_into_one_stream_only_where_no_value_changes() {
    let dir = tempfile_dir();
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let block = file("block.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: |\n    text");
    let plain = file("plain.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: text");
    let next = file("next.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
    // A line break after `|` text would make its value "text\n": refused, nothing written.
    svcpolicy().arg(&block).arg(&next).assert().code(2).stdout("").stderr(predicate::str::contains(
        "block.yaml cannot be joined to the next file: its last document ends inside a block scalar",
    ));
    // After a plain scalar the line break changes nothing: joined, and Go reads both values.
    let out = svcpolicy().arg(&plain).arg(&next).assert().success().get_output().stdout.clone();
    let docs = crate::support::go_documents(&out);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["data"]["x"], "text");
}

/// `ports` says which claims are inferred: a hostNetwork pod that declares no containerPort for
/// what a Service sends it holds the Service's targetPort, named in a last table column, in the
/// JSON's `inferredFrom` and in the conflict; a port the pod declares is claimed once, as declared.
#[test]
fn ports_names_the_services_a_host_network_claim_is_inferred_from() {
    let dir = repo().join("testdata/cases/host-network-ports-inferred");
    let ports = |format: &str| {
        let mut cmd = svcpolicy();
        cmd.args(["ports", "--format", format, "-p"]).arg(dir.join("policy.yaml")).arg(dir.join("input.yaml"));
        cmd
    };
    ports("table").assert().code(1).stdout(
        "PORT   PROTOCOL  CLAIM        RESOURCE    NAMESPACE  NAME            ADDRESS  INFERRED FROM
8123   TCP       hostNetwork  Deployment  home       home-assistant  *        Service home/home-assistant
8123   TCP       hostNetwork  Deployment  lab        hass-test       *
12321  TCP       hostNetwork  Deployment  home       home-assistant  *

1 conflict:
  TCP/8123 on every node is claimed by Deployment home/home-assistant (hostNetwork, inferred from Service home/home-assistant) and Deployment lab/hass-test (hostNetwork)
",
    );
    let out = ports("json").output().unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let claims: Vec<(u64, &str, Option<&serde_json::Value>)> = plan["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["port"].as_u64().unwrap(), c["name"].as_str().unwrap(), c.get("inferredFrom")))
        .collect();
    let inferred = serde_json::json!(["Service home/home-assistant"]);
    assert_eq!(
        claims,
        [(12321, "home-assistant", None), (8123, "home-assistant", Some(&inferred)), (8123, "hass-test", None)]
    );
}
