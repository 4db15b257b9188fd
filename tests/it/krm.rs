//! svcpolicy as a KRM function, with the real orchestrators on these machines: kpt
//! (`fn eval --exec`, a ResourceList with the policy as functionConfig) and kubectl's kustomize
//! (`--enable-alpha-plugins`, through the exec-plugin wrapper in docs/integrations.md: kubectl's
//! kustomize offers no `--enable-exec`, so it cannot run KRM exec functions at all).

use crate::support::*;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const LIST: &str = r#"apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: web
    namespace: media
    # kept
  spec:
    type: NodePort
    ports:
    - name: http
      port: 80
      nodePort: 30080
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: cfg
  data:
    on: "yes"
functionConfig:
  apiVersion: svcpolicy/v1
  kind: ServicePolicy
  metadata:
    name: behind-proxy
  rules:
  - name: behind-proxy
    type: ClusterIP
"#;

fn read_list(bytes: &[u8]) -> Value {
    svcpolicy::yaml::read(std::str::from_utf8(bytes).unwrap()).unwrap().unwrap()
}

#[test]
fn a_resource_list_gets_its_items_edited_and_results() {
    let out = svcpolicy().write_stdin(LIST).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("    # kept\n"), "items are edited in place:\n{text}");
    let list = read_list(text.as_bytes());
    assert_eq!(
        list["items"][0]["spec"],
        serde_json::json!({"type": "ClusterIP", "ports": [{"name": "http", "port": 80}]})
    );
    // A plain `on:` key is the key "true" to Go, and stays so.
    assert_eq!(list["items"][1]["data"]["true"], "yes");
    let results = list["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["severity"], "info");
    assert_eq!(
        results[0]["resourceRef"],
        serde_json::json!({"apiVersion": "v1", "kind": "Service", "name": "web", "namespace": "media"})
    );
    assert_eq!(
        results[0]["field"],
        serde_json::json!({"path": "spec.type", "currentValue": "NodePort", "proposedValue": "ClusterIP"})
    );
}

#[test]
fn a_failing_function_still_answers_with_its_results() {
    let denying = LIST.replace("    type: ClusterIP\n", "    deny: no NodePorts here\n");
    let out = svcpolicy().write_stdin(denying).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let list = read_list(&out.stdout);
    assert_eq!(list["items"][0]["spec"]["type"], "NodePort", "items come back unchanged");
    assert_eq!(list["results"][0]["severity"], "error");
    assert_eq!(list["results"][0]["message"], "denied: no NodePorts here");
}

#[test]
fn an_invalid_function_config_is_an_error() {
    svcpolicy()
        .write_stdin(LIST.replace("    type: ClusterIP\n", "    tyep: ClusterIP\n"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("the functionConfig is not a valid ServicePolicy")
                .and(predicate::str::contains("did you mean `type`?")),
        );
}

fn policy_file(dir: &Path) -> std::path::PathBuf {
    write_policy(
        dir,
        "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nmetadata:\n  name: policy\nrules:\n  - type: ClusterIP\n",
    )
}

#[test]
fn kpt_runs_it_as_an_exec_function() {
    let dir = tempfile_dir();
    let policy = policy_file(&dir);
    let input = std::fs::read(repo().join("testdata/corpus/nginx-nodeport.yaml")).unwrap();
    let out = Command::new("kpt")
        .args(["fn", "eval", "-", "-o", "unwrap", "--exec"])
        .arg(assert_cmd::cargo::cargo_bin("svcpolicy"))
        .arg("--fn-config")
        .arg(&policy)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&input)?;
            child.wait_with_output()
        })
        .expect("kpt is on these machines");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let services: Vec<Value> = go_documents(&out.stdout).into_iter().filter(|d| d["kind"] == "Service").collect();
    assert!(!services.is_empty());
    for s in &services {
        assert_eq!(s["spec"]["type"], "ClusterIP", "{s}");
    }
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("[info] v1/Service/web/web-nginx spec.type"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn kubectl_kustomize_runs_it_as_an_exec_plugin() {
    let dir = tempfile_dir();
    let plugin = dir.join("plugins/svcpolicy/v1/servicepolicy");
    std::fs::create_dir_all(&plugin).unwrap();
    let wrapper = plugin.join("ServicePolicy");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec '{}' -q -p \"$1\"\n", assert_cmd::cargo::cargo_bin("svcpolicy").display()),
    )
    .unwrap();
    Command::new("chmod").arg("+x").arg(&wrapper).status().unwrap();
    let build = dir.join("app");
    std::fs::create_dir(&build).unwrap();
    std::fs::copy(repo().join("testdata/sample.yaml"), build.join("release.yaml")).unwrap();
    std::fs::copy(policy_file(&dir), build.join("policy.yaml")).unwrap();
    std::fs::write(build.join("kustomization.yaml"), "resources:\n- release.yaml\ntransformers:\n- policy.yaml\n")
        .unwrap();
    let out = Command::new("kubectl")
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(&build)
        .env("KUSTOMIZE_PLUGIN_HOME", dir.join("plugins"))
        .output()
        .expect("kubectl is on these machines");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let services: Vec<Value> = go_documents(&out.stdout).into_iter().filter(|d| d["kind"] == "Service").collect();
    assert_eq!(services.len(), 2);
    for s in &services {
        assert_eq!(s["spec"]["type"], "ClusterIP", "{s}");
        assert!(s["spec"]["ports"][0].get("nodePort").is_none());
    }
}
