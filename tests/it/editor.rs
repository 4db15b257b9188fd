//! svcpolicy's JSON Schema in the real YAML language server (yaml-language-server, what VS Code's
//! YAML extension, Neovim, Helix and others run), set up as docs/policy.md ("Editors") tells users
//! to: `svcpolicy schema > svcpolicy.schema.json` and a policy file whose first line is
//! `# yaml-language-server: $schema=./svcpolicy.schema.json`. A small client drives the server over
//! stdio with the Language Server Protocol (JSON-RPC behind `Content-Length` headers), as an editor
//! does: valid policies get no error marks, a misspelt key and a wrong value get one on their line,
//! hover shows the schema's descriptions, completion offers the keys and values, and the server
//! judges the policies `cli::policy_variants` lists as svcpolicy's loader does (the verdicts
//! `the_schema_and_the_loader_agree` holds the loader and Python's validator to).
//!
//! The server pulls its settings: after `initialized` (and after every
//! `workspace/didChangeConfiguration`, whose payload it ignores) it sends `workspace/configuration`
//! for the sections `yaml`, `http`, `[yaml]` and `editor`, and again for `[yaml]` before it
//! validates a document. The client answers `yaml` with validation, hover and completion on and
//! the schema stores off (they would fetch schemas from the network), the rest with null.
//!
//! The server comes from the npm registry through scripts/tools.sh. Where it could not be had,
//! each test fails with the reason tools.sh wrote (yaml-language-server/UNAVAILABLE), unless the
//! run opts in to skipping with SVCPOLICY_SKIP_YAML_LANGUAGE_SERVER=1, which it then prints; under
//! CI=true skipping is refused.

use crate::support::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MODELINE: &str = "# yaml-language-server: $schema=./svcpolicy.schema.json\n";

/// How long the server may take to answer one message, on a busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// The server's entry point (run with `node`), or `None` (with the reason printed) when it could
/// not be had and the run opted in to skipping (SVCPOLICY_SKIP_YAML_LANGUAGE_SERVER=1, not under
/// CI=true). SVCPOLICY_YAML_LANGUAGE_SERVER points at another one.
fn server() -> Option<PathBuf> {
    let dir = cache_dir().join("yaml-language-server");
    let bin = std::env::var_os("SVCPOLICY_YAML_LANGUAGE_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("node_modules/yaml-language-server/bin/yaml-language-server"));
    if bin.exists() {
        return Some(bin);
    }
    let why = std::fs::read_to_string(dir.join("UNAVAILABLE"))
        .map_or("never installed".to_string(), |w| w.lines().next().unwrap_or("").to_string());
    let skip = std::env::var("SVCPOLICY_SKIP_YAML_LANGUAGE_SERVER").is_ok_and(|v| v == "1");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !(skip && ci),
        "SVCPOLICY_SKIP_YAML_LANGUAGE_SERVER=1 is refused under CI=true: no YAML language server ({why})"
    );
    if skip {
        eprintln!(
            "SKIPPED (SVCPOLICY_SKIP_YAML_LANGUAGE_SERVER=1): no YAML language server at {}: {why}",
            bin.display()
        );
        return None;
    }
    panic!(
        "the YAML language server is not at {} ({why}): run scripts/tools.sh, or set SVCPOLICY_SKIP_YAML_LANGUAGE_SERVER=1 to skip the editor tests on this machine",
        bin.display()
    );
}

/// The `yaml` settings the client gives the server.
fn settings() -> Value {
    json!({
        "validate": true,
        "hover": true,
        "completion": true,
        "schemaStore": {"enable": false},
        "kubernetesCRDStore": {"enable": false}
    })
}

/// An editor with one workspace folder, talking to its own server.
struct Editor {
    folder: PathBuf,
    child: Child,
    stdin: ChildStdin,
    /// The server's messages, read off its stdout by a thread; closed when the server exits.
    messages: Receiver<Result<Value, String>>,
    stderr: Arc<Mutex<String>>,
    next_id: u64,
    /// Diagnostics published while the client waited for something else: (uri, diagnostics).
    published: Vec<(String, Vec<Value>)>,
    /// The sections the server asked for and was given.
    configured: Vec<String>,
}

impl Editor {
    /// Starts the server on `folder`, initializes it and answers its first pull of the settings.
    fn start(server: &Path, folder: &Path) -> Editor {
        let mut child = Command::new("node")
            .arg(server)
            .arg("--stdio")
            // Elsewhere: the modeline's path is relative to the policy file, not to the server.
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs (the YAML language server needs it on PATH)");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (tx, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            while let Some(message) = read_message(&mut out) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut editor = Editor {
            folder: folder.to_path_buf(),
            child,
            stdin,
            messages,
            stderr,
            next_id: 0,
            published: Vec::new(),
            configured: Vec::new(),
        };
        let root = uri(folder);
        let init = editor.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "clientInfo": {"name": "svcpolicy-tests"},
                "rootUri": root,
                "workspaceFolders": [{"uri": root, "name": "policies"}],
                "capabilities": {
                    "workspace": {"configuration": true, "workspaceFolders": true},
                    "textDocument": {
                        "synchronization": {},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "completion": {"completionItem": {"snippetSupport": false}},
                        "publishDiagnostics": {}
                    }
                }
            }),
        );
        assert_eq!(init["serverInfo"]["name"], "yaml-language-server", "{init}");
        assert_eq!(init["capabilities"]["hoverProvider"], true, "{init}");
        assert!(init["capabilities"]["completionProvider"].is_object(), "{init}");
        editor.notify("initialized", json!({}));
        // The settings reach the server when it asks for them.
        editor.wait("a request for its settings", |m| {
            m["method"] == "workspace/configuration"
                && m["params"]["items"].as_array().is_some_and(|i| i.iter().any(|i| i["section"] == "yaml"))
        });
        assert!(editor.configured.iter().any(|s| s == "yaml"));
        editor
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result; an error answer fails the test.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let answer = self.wait(&format!("an answer to {method}"), |m| m["id"] == id && m.get("method").is_none());
        assert!(answer.get("error").is_none(), "{method} failed: {answer}");
        answer["result"].clone()
    }

    /// Reads messages until one satisfies `wanted`, answering the server's requests and keeping
    /// the diagnostics it publishes on the way. Fails after PATIENCE, or if the server exits.
    fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(Ok(message)) => message,
                Ok(Err(e)) => panic!("the YAML language server broke the protocol: {e}\n{}", self.stderr()),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("waited {PATIENCE:?} for {what} from the YAML language server, in vain\n{}", self.stderr())
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().unwrap();
                    panic!("the YAML language server exited ({status}) before {what}\n{}", self.stderr())
                }
            };
            if message.get("method").is_some() && message.get("id").is_some() {
                self.answer(&message);
            }
            if wanted(&message) {
                return message;
            }
            if message["method"] == "textDocument/publishDiagnostics" {
                let params = &message["params"];
                self.published.push((params["uri"].as_str().unwrap().to_string(), diagnostics_of(params)));
            }
        }
    }

    /// Answers a request from the server: its settings, and null to anything else
    /// (`client/registerCapability`, `window/workDoneProgress/create`, ...).
    fn answer(&mut self, request: &Value) {
        let result = if request["method"] == "workspace/configuration" {
            let items = request["params"]["items"].as_array().expect("configuration items");
            Value::Array(
                items
                    .iter()
                    .map(|item| {
                        let section = item["section"].as_str().unwrap_or_default().to_string();
                        let value = if section == "yaml" { settings() } else { Value::Null };
                        self.configured.push(section);
                        value
                    })
                    .collect(),
            )
        } else {
            Value::Null
        };
        self.send(json!({"jsonrpc": "2.0", "id": request["id"], "result": result}));
    }

    fn stderr(&self) -> String {
        format!("the server's stderr:\n{}", self.stderr.lock().unwrap())
    }

    /// Writes a policy into the folder, opens it as an editor does and returns the diagnostics
    /// the server publishes for it (an empty list is an answer too; no answer fails the test).
    fn open(&mut self, name: &str, text: &str) -> (String, Vec<Value>) {
        let uri = self.show(name, text);
        let diagnostics = self.diagnostics(&uri);
        (uri, diagnostics)
    }

    /// Writes a policy into the folder and opens it; returns its URI.
    fn show(&mut self, name: &str, text: &str) -> String {
        let path = self.folder.join(name);
        std::fs::write(&path, text).unwrap();
        let uri = uri(&path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        uri
    }

    /// The diagnostics the server publishes for an open document (it validates a document a
    /// moment after it opens, each on its own timer).
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.published.iter().position(|(u, _)| u == uri) {
            return self.published.remove(i).1;
        }
        let message = self.wait(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        diagnostics_of(&message["params"])
    }

    /// The hover text (Markdown) at a position, with the markdown escapes (`\``) taken out.
    fn hover(&mut self, uri: &str, line: usize, character: usize) -> String {
        let result = self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        let text = result["contents"]["value"].as_str().unwrap_or_else(|| panic!("no hover text: {result}"));
        let range = &result["range"]["start"];
        assert_eq!(range["line"], line, "the hover is for another line: {result}");
        unescape_markdown(text)
    }

    /// The completions offered at a position: (label, the text it inserts).
    fn complete(&mut self, uri: &str, line: usize, character: usize) -> Vec<(String, String)> {
        let result = self.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        let items = result.get("items").unwrap_or(&result);
        items
            .as_array()
            .unwrap_or_else(|| panic!("no completion items: {result}"))
            .iter()
            .map(|i| {
                let label = i["label"].as_str().unwrap().to_string();
                let text = i["textEdit"]["newText"].as_str().or(i["insertText"].as_str()).unwrap_or(&label).to_string();
                (label, text)
            })
            .collect()
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.next_id += 1;
            let id = self.next_id;
            self.send(json!({"jsonrpc": "2.0", "id": id, "method": "shutdown"}));
            self.wait("an answer to shutdown", |m| m["id"] == id && m.get("method").is_none());
            self.notify("exit", Value::Null);
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if self.child.try_wait().unwrap().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One message off the server's stdout: `Content-Length` headers, a blank line, a JSON body.
/// `None` at the end of the output.
fn read_message(out: &mut impl BufRead) -> Option<Result<Value, String>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let Some(length) = length else { return Some(Err("a message without Content-Length".into())) };
    let mut body = vec![0; length];
    if out.read_exact(&mut body).is_err() {
        return Some(Err(format!("a message cut short (Content-Length {length})")));
    }
    Some(serde_json::from_slice(&body).map_err(|e| format!("a message that is not JSON ({e})")))
}

fn diagnostics_of(params: &Value) -> Vec<Value> {
    params["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("publishDiagnostics without diagnostics: {params}"))
        .clone()
}

fn uri(path: &Path) -> String {
    let path = path.to_str().unwrap();
    assert!(
        path.starts_with('/') && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b)),
        "{path} would need percent-encoding in a URI"
    );
    format!("file://{path}")
}

/// Markdown with its backslash escapes taken out (the server escapes `` ` ``, `*`, `_`, `[`, ...).
fn unescape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out
}

/// A folder with `svcpolicy schema` in svcpolicy.schema.json, as docs/policy.md says; returns the
/// folder and the schema.
fn folder_with_schema() -> (PathBuf, Value) {
    let dir = tempfile_dir();
    let out = svcpolicy().arg("schema").output().unwrap();
    assert!(out.status.success());
    std::fs::write(dir.join("svcpolicy.schema.json"), &out.stdout).unwrap();
    (dir, serde_json::from_slice(&out.stdout).unwrap())
}

/// The line (0-based) of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

/// The complete example of docs/policy.md: its first YAML block after "## A complete example".
fn docs_example() -> String {
    let docs = std::fs::read_to_string(repo().join("docs/policy.md")).unwrap();
    let section = docs.split_once("## A complete example").expect("docs/policy.md has a complete example").1;
    let block = section.split_once("```yaml\n").expect("a YAML block").1;
    block.split_once("```").unwrap().0.to_string()
}

fn show(diagnostics: &[Value]) -> String {
    diagnostics.iter().map(|d| format!("\n  line {}: {}", d["range"]["start"]["line"], d["message"])).collect()
}

/// The home-lab policy of docs/policy.md and the built-in policy get no error marks, and hover on
/// a key shows what `svcpolicy schema` says about it (which proves the schema was applied).
#[test]
fn editor_shows_valid_policies_clean_and_hovers_with_the_schema() {
    let Some(server) = server() else { return };
    let (dir, schema) = folder_with_schema();
    let mut editor = Editor::start(&server, &dir);

    let homelab = format!("{MODELINE}{}", docs_example());
    let (uri, diagnostics) = editor.open("homelab.yaml", &homelab);
    assert!(diagnostics.is_empty(), "the home-lab policy of docs/policy.md gets error marks:{}", show(&diagnostics));

    // Hover on a rule's `type` and on `rules`: the schema's descriptions, whole.
    let line = line_of(&homelab, "    type: LoadBalancer");
    let hover = editor.hover(&uri, line, 5);
    let description = schema["$defs"]["Rule"]["properties"]["type"]["description"].as_str().unwrap();
    assert!(hover.contains(description), "hover on `type` shows\n{hover}\nnot the schema's\n{description}");
    let hover = editor.hover(&uri, line_of(&homelab, "rules:"), 1);
    let description = schema["properties"]["rules"]["description"].as_str().unwrap();
    assert!(hover.contains(description), "hover on `rules` shows\n{hover}\nnot the schema's\n{description}");

    let builtin = svcpolicy().args(["policy", "default"]).output().unwrap();
    assert!(builtin.status.success());
    let builtin = format!("{MODELINE}{}", String::from_utf8(builtin.stdout).unwrap());
    let (uri, diagnostics) = editor.open("builtin.yaml", &builtin);
    assert!(diagnostics.is_empty(), "the built-in policy gets error marks:{}", show(&diagnostics));
    let hover = editor.hover(&uri, line_of(&builtin, "nodePorts:"), 1);
    let description = schema["properties"]["nodePorts"]["description"].as_str().unwrap();
    assert!(hover.contains(description), "hover on `nodePorts` shows\n{hover}\nnot the schema's\n{description}");
}

/// A misspelt rule key and a type that is none get an error mark each, on their own line, naming
/// the key and the allowed values; nothing else is marked.
#[test]
fn editor_marks_a_misspelt_key_and_a_wrong_type() {
    let Some(server) = server() else { return };
    let (dir, schema) = folder_with_schema();
    let mut editor = Editor::start(&server, &dir);
    let policy = format!(
        "{MODELINE}apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: typo\n    tyep: ClusterIP\n  - name: case\n    type: Clusterip\n"
    );
    let (_, diagnostics) = editor.open("policy.yaml", &policy);
    let title = schema["title"].as_str().unwrap();
    let on = |line: usize| diagnostics.iter().filter(|d| d["range"]["start"]["line"] == line).collect::<Vec<_>>();
    let typo = on(line_of(&policy, "tyep:"));
    assert!(
        typo.len() == 1 && typo[0]["message"].as_str().unwrap().contains("tyep"),
        "the misspelt key is not marked by name:{}",
        show(&diagnostics)
    );
    let wrong = on(line_of(&policy, "Clusterip"));
    assert!(
        wrong.len() == 1
            && ["ClusterIP", "NodePort", "LoadBalancer"]
                .iter()
                .all(|t| wrong[0]["message"].as_str().unwrap().contains(t)),
        "the wrong type is not marked with the allowed ones:{}",
        show(&diagnostics)
    );
    assert_eq!(diagnostics.len(), 2, "more than the two mistakes are marked:{}", show(&diagnostics));
    for d in &diagnostics {
        assert_eq!(d["severity"], 1, "not an error: {d}");
        assert!(d["source"].as_str().is_some_and(|s| s.contains(title)), "not from svcpolicy's schema: {d}");
    }
}

/// Completion offers a rule's keys, and for `type` the three types a rule retypes to.
#[test]
fn editor_completes_rule_keys_and_types() {
    let Some(server) = server() else { return };
    let (dir, _) = folder_with_schema();
    let mut editor = Editor::start(&server, &dir);
    let policy = format!(
        "{MODELINE}apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - name: a\n    \n  - name: b\n    type: \n"
    );
    let (uri, _) = editor.open("policy.yaml", &policy);
    let keys: Vec<String> =
        editor.complete(&uri, line_of(&policy, "name: a") + 1, 4).into_iter().map(|c| c.0).collect();
    for key in ["match", "type", "expose", "nodePorts", "patch", "mergePatch", "deny", "warn", "externalTrafficPolicy"]
    {
        assert!(keys.iter().any(|k| k == key), "{key} is not offered in a rule: {keys:?}");
    }
    // The three types, and `null` (the schema's default: the type stays), under its own label
    // and as "Default value"; not ExternalName.
    let types = editor.complete(&uri, line_of(&policy, "type: "), 10);
    let mut offered: Vec<&str> = types.iter().filter(|c| c.1 != "null").map(|c| c.0.as_str()).collect();
    offered.sort_unstable();
    assert_eq!(offered, ["ClusterIP", "LoadBalancer", "NodePort"], "a rule's type: {types:?}");
}

/// The error marks match svcpolicy's loader on every policy the schema test judges
/// (`cli::policy_variants`): none for a valid one, at least one for an invalid one.
#[test]
fn editor_judges_policies_as_svcpolicy_does() {
    let Some(server) = server() else { return };
    let (dir, _) = folder_with_schema();
    let mut editor = Editor::start(&server, &dir);
    let mut disagreements = Vec::new();
    // All open at once, as the server validates each a moment after it opens.
    let variants = crate::cli::policy_variants();
    let uris: Vec<String> = (variants.iter().enumerate())
        .map(|(i, (_, policy, _))| editor.show(&format!("variant-{i}.yaml"), &format!("{MODELINE}{policy}\n")))
        .collect();
    for ((what, policy, valid), uri) in variants.into_iter().zip(uris) {
        let diagnostics = editor.diagnostics(&uri);
        if diagnostics.is_empty() != valid {
            disagreements.push(format!(
                "{what} ({}): {policy}{}",
                if valid { "valid" } else { "invalid" },
                show(&diagnostics)
            ));
        }
    }
    assert!(disagreements.is_empty(), "the server judges otherwise:\n{}", disagreements.join("\n"));
}

/// tools.sh says why it has no server when npm cannot install it.
#[test]
fn editor_server_unavailable_is_explained_by_tools_sh() {
    // A cache with everything else, so tools.sh only installs the server; a registry that is not there.
    let cache = tempfile_dir();
    for tool in ["yaml2json", "go-yaml-events", "helm3", "helm4"] {
        std::os::unix::fs::symlink(cache_dir().join(tool), cache.join(tool)).unwrap();
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let stderr = tools_sh_with_registry(&cache, &format!("http://127.0.0.1:{closed}/"));
    let dir = cache.join("yaml-language-server");
    assert!(!dir.join("node_modules").exists(), "a half-installed server is left behind");
    let why = std::fs::read_to_string(dir.join("UNAVAILABLE")).unwrap();
    assert!(why.starts_with("registry unreachable: "), "{why}");
    assert!(stderr.contains("tools: the YAML language server not installed: registry unreachable: "), "{stderr}");
}
