//! Helpers shared by the integration tests: the binary, the corpus, Go's YAML reader, and the
//! hosts, backends and paths of a route.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where scripts/tools.sh keeps what it fetched and built.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("SVCPOLICY_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
        home.join(".cache/svcpolicy")
    })
}

pub fn svcpolicy() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("svcpolicy").expect("the binary builds");
    // Tests must not pick up a policy or namespace from the developer's environment.
    cmd.env_remove("SVCPOLICY_POLICY").env_remove("HELM_NAMESPACE");
    cmd
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The corpus of real Helm renders the repository carries (testdata/corpus; SVCPOLICY_CORPUS
/// points elsewhere).
pub fn corpus_files() -> Vec<PathBuf> {
    let dir = std::env::var_os("SVCPOLICY_CORPUS").map(PathBuf::from).unwrap_or_else(|| repo().join("testdata/corpus"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus is not at {} ({e}); set SVCPOLICY_CORPUS", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() > 50, "the corpus at {} looks incomplete", dir.display());
    files
}

/// Go's YAML reader (go-yaml v2 through ghodss/yaml, what Helm and kubectl use), built by
/// `scripts/tools.sh`. Without it the tests that need it fail: they are the proof of
/// invariant 2 and must not pass by skipping.
pub fn yaml2json() -> PathBuf {
    let path =
        std::env::var_os("SVCPOLICY_YAML2JSON").map(PathBuf::from).unwrap_or_else(|| cache_dir().join("yaml2json"));
    assert!(
        path.exists(),
        "Go's YAML reader is not at {}: run scripts/tools.sh (or set SVCPOLICY_YAML2JSON)",
        path.display()
    );
    path
}

/// One JSON value per non-empty document, as Go reads the stream (errors as strings).
pub fn go_documents(stream: &[u8]) -> Vec<Value> {
    go_documents_with(&yaml2json(), stream)
}

/// `go_documents` with a given reader. It fails when the reader fails, prints a line that is
/// neither JSON nor an ERROR, prints more lines than the stream has documents, or prints nothing
/// for a stream with content: a test must not pass on a reader that reads nothing.
pub fn go_documents_with(tool: &Path, stream: &[u8]) -> Vec<Value> {
    let dir = tempfile_dir();
    let file = dir.join("stream.yaml");
    std::fs::write(&file, stream).unwrap();
    let out = Command::new(tool).arg(&file).output().expect("yaml2json runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{} failed ({}): {}",
        tool.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("yaml2json prints UTF-8");
    assert!(text.is_empty() || text.ends_with('\n'), "yaml2json's output is cut short: {text:?}");
    let docs: Vec<Value> = text
        .lines()
        .map(|l| {
            if l.starts_with("ERROR") {
                Value::String(l.to_string())
            } else {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("yaml2json printed a line that is not JSON ({e}): {l}"))
            }
        })
        .collect();
    // The documents, split as the reader splits them (on lines that start with `---`).
    let text = String::from_utf8_lossy(stream);
    let pieces = 1 + text.lines().filter(|l| l.starts_with("---")).count();
    assert!(docs.len() <= pieces, "yaml2json printed {} documents for a stream of at most {pieces}", docs.len());
    // Content: a line that is not blank, a comment, a marker or a null.
    let content = text.lines().map(str::trim).any(|l| {
        !(l.is_empty() || l.starts_with('#') || l.starts_with("---") || l.starts_with("...") || l == "null" || l == "~")
    });
    assert!(!content || !docs.is_empty(), "yaml2json printed nothing for a stream with content");
    docs
}

pub fn tempfile_dir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "svcpolicy-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write_policy(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("policy.yaml");
    std::fs::write(&p, text).unwrap();
    p
}

pub const ALL_CLUSTER_IP: &str =
    "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: all-clusterip\n    type: ClusterIP\n";

/// Asks for nothing: every valid manifest passes unchanged.
pub const NOTHING: &str = "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"1-65535\", assignMissing: false}\nhostNetwork: {action: allow}\nhostPorts: {action: allow}\n";

/// go-yaml v2.4.0's own event parser (tools/go-yaml-events, what Helm and kubectl read YAML
/// with, driven as yaml.Unmarshal drives it), built by `scripts/tools.sh`. Without it the tests
/// that need it fail: they prove that src/yaml/events reads as Go does, and must not pass by
/// skipping.
pub fn go_yaml_events() -> PathBuf {
    let path = std::env::var_os("SVCPOLICY_GO_YAML_EVENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache_dir().join("go-yaml-events"));
    assert!(
        path.exists(),
        "go-yaml's event parser is not at {}: run scripts/tools.sh (or set SVCPOLICY_GO_YAML_EVENTS)",
        path.display()
    );
    path
}

/// Hosts, (service, port) backends and paths of a route of any kind.
pub fn route_parts(r: &Value) -> (Vec<String>, Vec<(String, u64)>, Vec<String>) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let arr = |v: &Value| v.as_array().cloned().unwrap_or_default();
    match r["kind"].as_str() {
        Some("Ingress") => {
            let rules = arr(&r["spec"]["rules"]);
            let paths: Vec<Value> = rules.iter().flat_map(|x| arr(&x["http"]["paths"])).collect();
            (
                rules.iter().map(|x| s(&x["host"])).collect(),
                paths
                    .iter()
                    .map(|p| {
                        (
                            s(&p["backend"]["service"]["name"]),
                            p["backend"]["service"]["port"]["number"].as_u64().unwrap(),
                        )
                    })
                    .collect(),
                paths.iter().map(|p| s(&p["path"])).collect(),
            )
        }
        Some("HTTPRoute") => {
            let rules = arr(&r["spec"]["rules"]);
            (
                arr(&r["spec"]["hostnames"]).iter().map(s).collect(),
                rules
                    .iter()
                    .flat_map(|x| arr(&x["backendRefs"]))
                    .map(|b| (s(&b["name"]), b["port"].as_u64().unwrap()))
                    .collect(),
                rules.iter().flat_map(|x| arr(&x["matches"])).map(|m| s(&m["path"]["value"])).collect(),
            )
        }
        _ => {
            let routes = arr(&r["spec"]["routes"]);
            let matches: Vec<String> = routes.iter().map(|x| s(&x["match"])).collect();
            let between = |m: &str, key: &str| {
                m.split(key).nth(1).and_then(|t| t.split('`').nth(1)).unwrap_or_default().to_string()
            };
            (
                matches.iter().map(|m| between(m, "Host(")).collect(),
                routes
                    .iter()
                    .flat_map(|x| arr(&x["services"]))
                    .map(|b| (s(&b["name"]), b["port"].as_u64().unwrap()))
                    .collect(),
                matches.iter().map(|m| between(m, "PathPrefix(")).collect(),
            )
        }
    }
}

/// Runs `scripts/tools.sh` against the npm registry at `registry`, with its cache in `cache`, and
/// asserts it finished (a tool it cannot fetch is written down, not a failure of the script).
pub fn tools_sh_with_registry(cache: &Path, registry: &str) -> String {
    let out = Command::new(repo().join("scripts/tools.sh"))
        .env("SVCPOLICY_CACHE", cache)
        .env("npm_config_registry", registry)
        .env("npm_config_fetch_retries", "0")
        .env("npm_config_cache", cache.join("npm"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}
