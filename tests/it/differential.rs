//! The differential suite: svcpolicy reads every document as Go reads it (go-yaml v2 through
//! ghodss/yaml, what Helm and kubectl use), judged against Go itself (`yaml2json`, see
//! tests/it/support/mod.rs).
//!
//! Rule (a), per document: where both read it, svcpolicy's value equals Go's (numbers compared
//! as f64, as Go's went through float64); where Go reads nothing (`null`), svcpolicy reads
//! nothing; where Go errs, svcpolicy errs, and the other way round (svcpolicy may also refuse
//! what kubectl refuses: a kind without an apiVersion, a kind that is not a string, items that
//! are not a list).
//! Rule (b), per stream: `svcpolicy check` under a policy that denies LoadBalancers and
//! hostNetwork denies exactly where Go reads such a Service or workload, and exits 2 exactly
//! where Go errs.
//!
//! Classes: 1. Services, Lists and Deployments in many spellings of the same meaning (rules a
//! and b); 2. Knative and CRD "Services" (never denied, never changed); 3. random YAML-ish
//! documents from a grammar of fragments (rule a); 4. the corpus (rule a).
//!
//! Go is run on exactly the pieces its splitter makes (`go_split`), many pieces per call: a
//! piece that starts and ends with a line break can be put between two separator lines without
//! changing a byte of it, with a marker document after it so that a piece Go prints nothing for
//! is still told apart. Generated cases are driven by proptest (fixed seeds), and every failing
//! case is shrunk before it is printed.
//!
//! Excluded, as documented divergences: `---x` separator lines, CR-only line ends, UTF-16, keys
//! that collide after Go's key stringification (Go's own output is random there).

use crate::support::*;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

// ---------------------------------------------------------------------------------------------
// Go's side

/// What Go makes of one piece of the stream.
#[derive(Debug, Clone, PartialEq)]
enum GoDoc {
    /// `null`: Go prints nothing for it.
    Null,
    Json(Value),
    Error(String),
}

impl GoDoc {
    fn line(&self) -> String {
        match self {
            GoDoc::Null => "(nothing: null)".to_string(),
            GoDoc::Json(v) => v.to_string(),
            GoDoc::Error(e) => e.clone(),
        }
    }
}

/// The pieces Go's splitter makes: `regexp.MustCompile("(?m)^---.*$").Split(s, -1)`.
fn go_split(b: &[u8]) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut beg = 0;
    let mut at = 0;
    while at + 3 <= b.len() {
        let line_start = at == 0 || b[at - 1] == b'\n';
        if line_start && &b[at..at + 3] == b"---" {
            let end = b[at..].iter().position(|&c| c == b'\n').map_or(b.len(), |i| at + i);
            pieces.push(beg..at);
            beg = end;
            at = end.max(at + 1);
            continue;
        }
        // Jump to the next line start.
        match b[at..].iter().position(|&c| c == b'\n') {
            Some(i) => at += i + 1,
            None => break,
        }
    }
    pieces.push(beg..b.len());
    pieces
}

const MARKER_KEY: &str = "__differential_marker";

enum Slot {
    Piece(usize),
    Marker(usize),
}

/// Go's reading of every piece, exactly: the pieces are batched into as few yaml2json runs as
/// their edges allow, each followed by a marker document.
fn go_eval(pieces: &[Vec<u8>]) -> Vec<GoDoc> {
    let mut out: Vec<Option<GoDoc>> = vec![None; pieces.len()];
    let (mut heads, mut middles, mut tails, mut solos) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, p) in pieces.iter().enumerate() {
        if p.is_empty() {
            out[i] = Some(GoDoc::Null);
            continue;
        }
        match (p.first() == Some(&b'\n'), p.last() == Some(&b'\n')) {
            (true, true) => middles.push(i),
            (false, true) => heads.push(i),
            (true, false) => tails.push(i),
            (false, false) => solos.push(i),
        }
    }
    // Each batch: at most one head (first), middles, at most one tail (last).
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let n = heads.len().max(tails.len()).max(1);
    for k in 0..n {
        let mut b = Vec::new();
        if let Some(&h) = heads.get(k) {
            b.push(h);
        }
        if k == 0 {
            b.extend(middles.iter().copied());
        }
        if let Some(&t) = tails.get(k) {
            b.push(t);
        }
        if !b.is_empty() {
            batches.push(b);
        }
    }
    batches.extend(solos.iter().map(|&s| vec![s]));
    // Split big batches so that two cores can share the work.
    let mut split: Vec<Vec<usize>> = Vec::new();
    for b in batches {
        if b.len() > 400 {
            // Middles only can be split freely; keep head with the first and tail with the last.
            let chunks: Vec<Vec<usize>> = b.chunks(400).map(|c| c.to_vec()).collect();
            split.extend(chunks);
        } else {
            split.push(b);
        }
    }
    let results: Vec<Vec<(usize, GoDoc)>> = parallel(&split, |batch| run_batch(pieces, batch));
    for r in results {
        for (i, d) in r {
            out[i] = Some(d);
        }
    }
    out.into_iter().map(|d| d.expect("every piece judged")).collect()
}

/// Runs yaml2json on one batch; `batch` lists piece numbers, a head first and a tail last.
fn run_batch(pieces: &[Vec<u8>], batch: &[usize]) -> Vec<(usize, GoDoc)> {
    let mut stream = Vec::new();
    let mut slots = Vec::new();
    for (k, &i) in batch.iter().enumerate() {
        let p = &pieces[i];
        if k > 0 {
            stream.extend_from_slice(b"---");
        }
        stream.extend_from_slice(p);
        slots.push(Slot::Piece(i));
        if p.last() == Some(&b'\n') && p.first() != Some(&b'\n') && k > 0 {
            unreachable!("a head piece is always first");
        }
        // A marker after every piece that ends a line (a tail, which does not, is last).
        if p.last() == Some(&b'\n') {
            stream.extend_from_slice(format!("---\n{MARKER_KEY}: {k}\n").as_bytes());
            slots.push(Slot::Marker(k));
        }
    }
    // Between a marker and the next piece, the next `---` is written at the loop's top; a head
    // piece is first, so `stream` starts with it exactly.
    let dir = tempfile_dir();
    let file = dir.join("batch.yaml");
    std::fs::write(&file, &stream).unwrap();
    let out = Command::new(yaml2json()).arg(&file).output().expect("yaml2json runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "yaml2json failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // Records: an ERROR line with its continuation lines, or a JSON line.
    let mut records: Vec<(Option<usize>, String)> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("ERROR doc ") {
            let n: usize = rest.split(':').next().unwrap().parse().unwrap();
            records.push((Some(n), line.to_string()));
        } else if parse_json(line).is_some() || records.is_empty() {
            records.push((None, line.to_string()));
        } else {
            let last = records.last_mut().unwrap();
            last.1.push('\n');
            last.1.push_str(line);
        }
    }
    let mut r = 0;
    let mut res = Vec::new();
    for (go_index, slot) in slots.iter().enumerate() {
        match slot {
            Slot::Marker(k) => {
                let want = serde_json::json!({ MARKER_KEY: *k });
                let got = records.get(r).map(|(_, l)| parse_json(l));
                assert_eq!(got, Some(Some(want)), "lost alignment in a yaml2json batch:\n{text}");
                r += 1;
            }
            Slot::Piece(i) => {
                let doc = match records.get(r) {
                    Some((Some(n), l)) if *n == go_index => {
                        r += 1;
                        GoDoc::Error(l.clone())
                    }
                    None => GoDoc::Null,
                    Some((None, l)) => {
                        let v: Value = parse_json(l).expect("a JSON line");
                        if v.get(MARKER_KEY).is_some() && matches!(slots.get(go_index + 1), Some(Slot::Marker(_))) {
                            GoDoc::Null
                        } else {
                            r += 1;
                            GoDoc::Json(v)
                        }
                    }
                    Some((Some(_), _)) => GoDoc::Null,
                };
                res.push((*i, doc));
            }
        }
    }
    assert_eq!(r, records.len(), "unread yaml2json output:\n{text}");
    res
}

/// One line of Go's JSON; without serde_json's depth limit (Go's lines can nest deeper).
fn parse_json(line: &str) -> Option<Value> {
    fn value(s: &[u8], i: &mut usize) -> Option<Value> {
        let skip = |i: &mut usize| {
            while *i < s.len() && s[*i].is_ascii_whitespace() {
                *i += 1
            }
        };
        skip(i);
        match *s.get(*i)? {
            b'[' => {
                *i += 1;
                let mut items = Vec::new();
                skip(i);
                if s.get(*i) == Some(&b']') {
                    *i += 1;
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(value(s, i)?);
                    skip(i);
                    match *s.get(*i)? {
                        b',' => *i += 1,
                        b']' => {
                            *i += 1;
                            return Some(Value::Array(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                *i += 1;
                let mut map = serde_json::Map::new();
                skip(i);
                if s.get(*i) == Some(&b'}') {
                    *i += 1;
                    return Some(Value::Object(map));
                }
                loop {
                    skip(i);
                    let Value::String(k) = value(s, i)? else { return None };
                    skip(i);
                    if *s.get(*i)? != b':' {
                        return None;
                    }
                    *i += 1;
                    let v = value(s, i)?;
                    map.insert(k, v);
                    skip(i);
                    match *s.get(*i)? {
                        b',' => *i += 1,
                        b'}' => {
                            *i += 1;
                            return Some(Value::Object(map));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => {
                let start = *i;
                *i += 1;
                while *s.get(*i)? != b'"' {
                    *i += if s[*i] == b'\\' { 2 } else { 1 };
                }
                *i += 1;
                serde_json::from_slice(&s[start..*i]).ok()
            }
            _ => {
                let start = *i;
                while *i < s.len() && !matches!(s[*i], b',' | b']' | b'}') && !s[*i].is_ascii_whitespace() {
                    *i += 1;
                }
                serde_json::from_slice(&s[start..*i]).ok()
            }
        }
    }
    let s = line.as_bytes();
    let mut i = 0;
    let v = value(s, &mut i)?;
    s[i..].iter().all(u8::is_ascii_whitespace).then_some(v)
}

/// `f` over `items` on two threads, in order (with room on the stack for deep documents).
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = 2;
    let chunk = items.len().div_ceil(workers).max(1);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| {
                std::thread::Builder::new()
                    .stack_size(64 << 20)
                    .spawn_scoped(s, move || c.iter().map(f).collect::<Vec<R>>())
                    .unwrap()
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

// ---------------------------------------------------------------------------------------------
// svcpolicy's side

/// svcpolicy's reading of one piece: its value and its errors.
#[derive(Debug, Clone)]
struct SvcDoc {
    value: Option<Value>,
    errors: Vec<String>,
}

/// svcpolicy's reading of a stream, piece by piece as Go splits it (a piece matches the
/// document whose body ends where it ends), and any error about the stream itself.
fn svc_read(stream: &[u8], pieces: &[Range<usize>]) -> (Vec<Option<SvcDoc>>, Vec<String>) {
    let (manifests, errors) =
        svcpolicy::input::read(vec![svcpolicy::input::Input { path: None, bytes: stream.to_vec() }]);
    let m = &manifests[0];
    let stream_errors: Vec<String> =
        errors.iter().filter(|e| e.location.document == 0).map(|e| e.to_string()).collect();
    let docs = pieces
        .iter()
        .map(|p| {
            let (i, d) = m.docs.iter().enumerate().find(|(_, d)| d.body.end == p.end)?;
            let mut errors: Vec<String> =
                errors.iter().filter(|e| e.location.document == d.index).map(|e| e.to_string()).collect();
            // `read` keeps the values of the documents svcpolicy acts on only; the others were
            // read for their verdict, and are read again here, by the same reader, for their value.
            let kept = m.values.get(i).cloned().flatten();
            let value = match (kept, errors.is_empty()) {
                (Some(v), _) => Some(v),
                (None, false) => None,
                (None, true) => match svcpolicy::yaml::read(&stream[d.body.clone()]) {
                    Ok(v) => v,
                    Err(e) => {
                        errors.push(format!("(input::read found no error, svcpolicy::yaml::read did) {}", e.message));
                        None
                    }
                },
            };
            Some(SvcDoc { value, errors })
        })
        .collect();
    (docs, stream_errors)
}

/// JSON equality with numbers compared as f64.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// What kubectl refuses in an object's identity (svcpolicy refuses it too, as input errors).
fn shape_refused(doc: &Value) -> bool {
    let Some(map) = doc.as_object() else { return false };
    if map.contains_key("items") {
        return match &doc["items"] {
            Value::Array(items) => items.iter().any(shape_refused),
            Value::Null => false,
            _ => true,
        };
    }
    match (map.get("apiVersion"), map.get("kind")) {
        (_, None) => false,
        (_, Some(k)) if !k.is_string() => true,
        (None, Some(_)) => true,
        (Some(v), Some(_)) => !v.is_string(),
    }
}

/// Rule (a) for one piece.
fn judge_piece(go: &GoDoc, svc: Option<&SvcDoc>, stream_errors: &[String]) -> Result<(), String> {
    if !stream_errors.is_empty() {
        return match go {
            GoDoc::Error(_) => Ok(()),
            _ => Err(format!("svcpolicy refused the stream: {stream_errors:?}")),
        };
    }
    let empty = SvcDoc { value: None, errors: vec![] };
    let svc = svc.unwrap_or(&empty);
    match go {
        GoDoc::Error(_) if svc.errors.is_empty() => Err("Go errs, svcpolicy reads it".into()),
        GoDoc::Error(_) => Ok(()),
        GoDoc::Null if !svc.errors.is_empty() => Err("Go reads null, svcpolicy errs".into()),
        GoDoc::Null => match &svc.value {
            None | Some(Value::Null) => Ok(()),
            Some(_) => Err("Go reads null, svcpolicy reads a value".into()),
        },
        GoDoc::Json(v) => {
            let refused = shape_refused(v);
            if !svc.errors.is_empty() {
                return if refused { Ok(()) } else { Err("Go reads it, svcpolicy errs".into()) };
            }
            if refused {
                return Err("Go reads what kubectl refuses, svcpolicy does not refuse it".into());
            }
            match &svc.value {
                Some(s) if json_eq(s, v) => Ok(()),
                Some(_) => Err("values differ".into()),
                None => Err("Go reads a value, svcpolicy reads nothing".into()),
            }
        }
    }
}

fn svc_line(svc: Option<&SvcDoc>, stream_errors: &[String]) -> String {
    if !stream_errors.is_empty() {
        return format!("stream errors {stream_errors:?}");
    }
    match svc {
        None => "(no document)".into(),
        Some(d) if !d.errors.is_empty() => format!("errors {:?} (value {})", d.errors, show(&d.value)),
        Some(d) => show(&d.value),
    }
}

fn show(v: &Option<Value>) -> String {
    v.as_ref().map_or("None".to_string(), |v| v.to_string())
}

// ---------------------------------------------------------------------------------------------
// Rule (b): what `svcpolicy check` must do

const DENY: &str = "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"1-65535\", assignMissing: false}\nhostNetwork: {action: deny}\nhostPorts: {action: allow}\nrules:\n  - name: no-lb\n    match: {type: LoadBalancer}\n    deny: \"no LoadBalancers\"\n";

/// The objects of a document as kubectl flattens lists.
fn objects<'v>(v: &'v Value, out: &mut Vec<&'v Value>) {
    if !v.is_object() {
        return;
    }
    if v.get("items").is_some() {
        if let Value::Array(items) = &v["items"] {
            for i in items {
                objects(i, out);
            }
        }
        return;
    }
    out.push(v);
}

fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, k| v.as_object()?.get(*k))
}

/// Whether Go's reading holds a v1 LoadBalancer Service or a workload on the host network.
fn go_denies(v: &Value) -> bool {
    let mut objs = Vec::new();
    objects(v, &mut objs);
    objs.iter().any(|o| {
        let api = o.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = o.get("kind").and_then(Value::as_str).unwrap_or("");
        let group = api.split_once('/').map_or("", |(g, _)| g);
        if api == "v1" && kind == "Service" {
            return at(o, &["spec", "type"]) == Some(&Value::String("LoadBalancer".into()));
        }
        let pod: &[&str] = match (api, group, kind) {
            ("v1", _, "Pod") => &["spec"],
            ("v1", _, "PodTemplate") => &["template", "spec"],
            ("v1", _, "ReplicationController") => &["spec", "template", "spec"],
            (_, "apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | (_, "extensions", "Deployment" | "ReplicaSet" | "DaemonSet")
            | (_, "batch", "Job") => &["spec", "template", "spec"],
            (_, "batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
            _ => return false,
        };
        let mut p = pod.to_vec();
        p.push("hostNetwork");
        at(o, &p) == Some(&Value::Bool(true))
    })
}

/// A core Service the apiserver would refuse (a `spec.type` spelling that folds to "Node Port",
/// a decoy `kind: Service` on a Deployment, so no ports): svcpolicy refuses it as the apiserver
/// would (exit 2, not for its YAML), which is no question of reading YAML.
fn bad_service(v: &Value) -> bool {
    let mut objs = Vec::new();
    objects(v, &mut objs);
    objs.iter().any(|o| {
        o.get("apiVersion") == Some(&Value::String("v1".into()))
            && o.get("kind") == Some(&Value::String("Service".into()))
            && (at(o, &["spec", "type"]).is_some_and(|t| {
                !matches!(t.as_str(), Some("ClusterIP" | "ExternalName" | "LoadBalancer" | "NodePort"))
            }) || at(o, &["spec", "ports"]).and_then(Value::as_array).is_none_or(|p| p.is_empty())
                || !at(o, &["metadata", "name"]).is_some_and(Value::is_string))
    })
}

fn policy_file() -> PathBuf {
    use std::sync::OnceLock;
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| write_policy(&tempfile_dir(), DENY)).clone()
}

/// Rule (b) for a whole stream; `never_changed` asks for exit 0 where nothing is denied.
fn judge_check(stream: &[u8], go: &[GoDoc], never_changed: bool) -> Result<(), String> {
    let out = svcpolicy().arg("check").arg("-p").arg(policy_file()).write_stdin(stream.to_vec()).output().unwrap();
    let code = out.status.code();
    // The findings go to stdout, problems to stderr: read both.
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let errs = go.iter().any(|d| match d {
        GoDoc::Error(_) => true,
        GoDoc::Json(v) => shape_refused(v),
        GoDoc::Null => false,
    });
    let denies = go.iter().any(|d| matches!(d, GoDoc::Json(v) if go_denies(v)));
    let bad_type = go.iter().any(|d| matches!(d, GoDoc::Json(v) if bad_service(v)));
    let ok = if errs {
        code == Some(2)
    } else if bad_type {
        (code == Some(2) && !said.contains("invalid YAML")) || (denies && code == Some(1) && said.contains("denied"))
    } else if denies {
        code == Some(1) && said.contains("denied")
    } else if never_changed {
        code == Some(0) && !said.contains("denied")
    } else {
        matches!(code, Some(0 | 1)) && !said.contains("denied")
    };
    let want = if errs {
        "exit 2 (Go errs)"
    } else if bad_type {
        "exit 2 (a Service the apiserver refuses), or 1 denied"
    } else if denies {
        "exit 1, denied"
    } else if never_changed {
        "exit 0"
    } else {
        "no denial, exit 0 or 1"
    };
    if ok {
        Ok(())
    } else {
        Err(format!("check: want {want}, got exit {code:?}; output: {}", said.trim()))
    }
}

// ---------------------------------------------------------------------------------------------
// Judging a case

/// One generated case: a whole stream, and the spelling features it uses (for the report).
#[derive(Debug, Clone)]
struct Case {
    text: Vec<u8>,
    features: BTreeSet<String>,
}

/// What was wrong with a case.
#[derive(Debug, Clone)]
struct Failure {
    /// A short name of the kind of failure, for grouping.
    kind: String,
    detail: String,
}

/// Rules (a) and (b) for a case, with Go's reading of its pieces given.
fn judge_case(case: &Case, go: &[GoDoc], check: Option<bool>) -> Result<(), Failure> {
    let ranges = go_split(&case.text);
    let (svc, stream_errors) = svc_read(&case.text, &ranges);
    for (k, r) in ranges.iter().enumerate() {
        if let Err(kind) = judge_piece(&go[k], svc[k].as_ref(), &stream_errors) {
            return Err(Failure {
                kind: format!("(a) {kind}{}", cause(&go[k], svc[k].as_ref())),
                detail: format!(
                    "piece {k}: {:?}\n  Go:        {}\n  svcpolicy: {}",
                    String::from_utf8_lossy(&case.text[r.clone()]),
                    go[k].line(),
                    svc_line(svc[k].as_ref(), &stream_errors)
                ),
            });
        }
    }
    if let Some(never_changed) = check {
        if let Err(e) = judge_check(&case.text, go, never_changed) {
            let kind = e.split(';').next().unwrap().to_string();
            let lines: Vec<String> = go.iter().map(GoDoc::line).collect();
            return Err(Failure { kind: format!("(b) {kind}"), detail: format!("{e}\n  Go: {lines:?}") });
        }
    }
    Ok(())
}

/// The gist of the message behind a failure (no line or column numbers), to tell failures
/// of one kind but different causes apart.
fn cause(go: &GoDoc, svc: Option<&SvcDoc>) -> String {
    let msg = match (go, svc) {
        (GoDoc::Error(e), _) => e.split_once(": ").map_or(e.as_str(), |(_, m)| m).to_string(),
        (_, Some(d)) if !d.errors.is_empty() => {
            let e = &d.errors[0];
            e.split_once("): ").map_or(e.as_str(), |(_, m)| m).to_string()
        }
        _ => return String::new(),
    };
    let gist: String = msg.chars().filter(|c| !c.is_ascii_digit()).take(70).collect();
    format!(": {gist}")
}

fn pieces_of(text: &[u8]) -> Vec<Vec<u8>> {
    go_split(text).into_iter().map(|r| text[r].to_vec()).collect()
}

/// Go's reading of many cases at once, case by case.
fn go_eval_cases(cases: &[Case]) -> Vec<Vec<GoDoc>> {
    let mut all = Vec::new();
    let mut counts = Vec::new();
    for c in cases {
        let p = pieces_of(&c.text);
        counts.push(p.len());
        all.extend(p);
    }
    let mut docs = go_eval(&all).into_iter();
    counts.iter().map(|&n| docs.by_ref().take(n).collect()).collect()
}

/// Generates `n` cases from choice bytes (fixed seed), judges them all, shrinks the first
/// failure of each kind, prints them, and fails if any failed.
fn run_class(name: &str, n: usize, max_len: usize, render: fn(&[u8]) -> Case, check: Option<bool>) {
    let started = Instant::now();
    let strategy = proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..max_len);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &seed(name)),
    );
    // SVCPOLICY_DIFFERENTIAL_CASES=N runs N times as many cases (a deeper run, other seeds too).
    let scale: usize = std::env::var("SVCPOLICY_DIFFERENTIAL_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let n = n * scale.max(1);
    let trees: Vec<_> = (0..n).map(|_| strategy.new_tree(&mut runner).unwrap()).collect();
    let cases: Vec<Case> = trees.iter().map(|t| render(&t.current())).collect();
    let go = go_eval_cases(&cases);
    let idx: Vec<usize> = (0..n).collect();
    let verdicts: Vec<Result<(), Failure>> = parallel(&idx, |&i| judge_case(&cases[i], &go[i], check));
    let failed: Vec<usize> = (0..n).filter(|&i| verdicts[i].is_err()).collect();
    let (mut values, mut nulls, mut errors, mut denied) = (0, 0, 0, 0);
    for g in &go {
        for d in g {
            match d {
                GoDoc::Json(v) => {
                    values += 1;
                    denied += usize::from(go_denies(v));
                }
                GoDoc::Null => nulls += 1,
                GoDoc::Error(_) => errors += 1,
            }
        }
    }
    let mut report = String::new();
    let mut kinds: Vec<String> = Vec::new();
    let mut feature_counts: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (i, c) in cases.iter().enumerate() {
        for f in &c.features {
            let e = feature_counts.entry(f.as_str()).or_default();
            e.0 += 1;
            if verdicts[i].is_err() {
                e.1 += 1;
            }
        }
    }
    for &i in &failed {
        let kind = verdicts[i].as_ref().unwrap_err().kind.clone();
        let count = failed.iter().filter(|&&j| verdicts[j].as_ref().unwrap_err().kind == kind).count();
        if kinds.contains(&kind) || kinds.len() >= 10 {
            continue;
        }
        kinds.push(kind.clone());
        let (c, f) = match shrink(trees[i].current(), &kind, render, check) {
            Some(found) => found,
            None => {
                let f = verdicts[i].clone().unwrap_err();
                let again = judge_case(&cases[i], &go_eval_cases(std::slice::from_ref(&cases[i])).remove(0), check);
                let f = Failure {
                    kind: f.kind,
                    detail: format!("{}\n  NOT REPEATED when judged alone (now: {again:?})", f.detail),
                };
                (cases[i].clone(), f)
            }
        };
        report.push_str(&format!(
            "\n[{name}] {kind} ({count} of {n} cases)\n  minimal case: {:?}\n  features: {:?}\n  {}\n",
            String::from_utf8_lossy(&c.text),
            c.features,
            f.detail
        ));
    }
    let by_feature: Vec<String> = feature_counts
        .iter()
        .filter(|(_, (_, bad))| *bad > 0)
        .map(|(f, (all, bad))| format!("{f}: {bad}/{all}"))
        .collect();
    eprintln!(
        "[{name}] {n} cases ({values} documents Go reads, {denied} of them denied; {nulls} null; {errors} Go errors), {} failed, {:.1}s{}",
        failed.len(),
        started.elapsed().as_secs_f64(),
        if by_feature.is_empty() { String::new() } else { format!("; failing by feature: {}", by_feature.join(", ")) }
    );
    assert!(failed.is_empty(), "{} of {n} {name} cases fail:{report}", failed.len());
}

/// The simplest choice bytes (shorter, then smaller) whose case still fails as `kind` does:
/// greedy passes of truncations, removals, zeroings and halvings, judged 16 at a time.
/// None if the case does not fail again when judged alone (so Go or svcpolicy is not
/// deterministic on it).
fn shrink(bytes: Vec<u8>, kind: &str, render: fn(&[u8]) -> Case, check: Option<bool>) -> Option<(Case, Failure)> {
    let judge_cases = |cases: &[Case]| -> Vec<Option<(Case, Failure)>> {
        let go = go_eval_cases(cases);
        let idx: Vec<usize> = (0..cases.len()).collect();
        parallel(&idx, |&i| match judge_case(&cases[i], &go[i], check) {
            Err(f) if f.kind == kind => Some((cases[i].clone(), f)),
            _ => None,
        })
    };
    let judge = |cands: &[Vec<u8>]| judge_cases(&cands.iter().map(|b| render(b)).collect::<Vec<_>>());
    let mut cur = bytes;
    let mut best = judge(std::slice::from_ref(&cur)).pop().flatten()?;
    let mut evaluations = 0;
    let mut changed = true;
    while changed && evaluations < 2500 {
        changed = false;
        // Shorter first.
        let truncations: Vec<Vec<u8>> = [0, cur.len() / 4, cur.len() / 2, cur.len() * 3 / 4]
            .iter()
            .filter(|&&k| k < cur.len())
            .map(|&k| cur[..k].to_vec())
            .collect();
        evaluations += truncations.len();
        if let Some((i, found)) = judge(&truncations).into_iter().enumerate().find_map(|(i, v)| Some((i, v?))) {
            cur = truncations[i].clone();
            best = found;
            changed = true;
            continue;
        }
        // Then, position by position (a few at once): remove a run of bytes, or make one smaller.
        let mut i = 0;
        while i < cur.len() && evaluations < 2500 {
            let mut cands = Vec::new();
            for at in i..(i + 3).min(cur.len()) {
                for run in [8, 4, 2, 1] {
                    if at + run <= cur.len() {
                        let mut c = cur.clone();
                        c.drain(at..at + run);
                        cands.push(c);
                    }
                }
                for v in [0, 1, cur[at] / 2, cur[at].saturating_sub(1)] {
                    if v < cur[at] {
                        let mut c = cur.clone();
                        c[at] = v;
                        cands.push(c);
                    }
                }
            }
            cands.dedup();
            evaluations += cands.len();
            match judge(&cands).into_iter().enumerate().find_map(|(k, v)| Some((k, v?))) {
                Some((k, found)) => {
                    cur = cands[k].clone();
                    best = found;
                    changed = true;
                }
                None => i += 3,
            }
        }
    }
    // Last, the text itself: drop whole lines while the case fails the same way.
    let mut i = 0;
    while evaluations < 4000 {
        let lines: Vec<&[u8]> = best.0.text.split_inclusive(|&b| b == b'\n').collect();
        if i >= lines.len() {
            break;
        }
        let cands: Vec<Case> = (i..(i + 8).min(lines.len()))
            .map(|drop| Case {
                text: lines
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != drop)
                    .flat_map(|(_, l)| l.iter().copied())
                    .collect(),
                features: best.0.features.clone(),
            })
            .collect();
        evaluations += cands.len();
        match judge_cases(&cands).into_iter().flatten().next() {
            Some(found) => best = found,
            None => i += 8,
        }
    }
    Some(best)
}

/// The class's fixed seed; SVCPOLICY_DIFFERENTIAL_SEED=text picks other ones.
fn seed(name: &str) -> [u8; 32] {
    let mut s = [0u8; 32];
    let name = match std::env::var("SVCPOLICY_DIFFERENTIAL_SEED") {
        Ok(extra) => format!("{name}/{extra}"),
        Err(_) => name.to_string(),
    };
    for (i, b) in name.bytes().enumerate() {
        s[i % 32] ^= b.wrapping_add(i as u8);
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Choices: every generated case is a function of a byte string; byte 0 (and the end of the
// string) is always the plainest choice, so shrinking towards zeros and shorter strings gives
// the plainest case that still fails.

struct Chooser<'a> {
    bytes: &'a [u8],
    pos: usize,
    features: BTreeSet<String>,
    anchors: usize,
}

impl<'a> Chooser<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Chooser { bytes, pos: 0, features: BTreeSet::new(), anchors: 0 }
    }
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n
    }
    /// True with about `pct` percent; byte 0 is false.
    fn chance(&mut self, pct: u32) -> bool {
        let t = pct * 256 / 100;
        (self.byte() as u32) >= 256 - t
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn feature(&mut self, f: impl Into<String>) {
        self.features.insert(f.into());
    }
    fn anchor(&mut self) -> String {
        self.anchors += 1;
        format!("a{}", self.anchors)
    }
    fn done(self, text: String) -> Case {
        Case { text: text.into_bytes(), features: self.features }
    }
}

// ---------------------------------------------------------------------------------------------
// Class 1 and 2: Services, Lists, Deployments in many spellings

/// A string spelled in one of many ways that Go reads as the same string (most of them), in
/// block context at `indent` (continuation lines go deeper). `anchors` collects anchor
/// definitions that an alias spelling needs written earlier in the document.
fn spell(c: &mut Chooser, s: &str, indent: usize, ctx: Ctx, anchors: &mut Vec<String>) -> String {
    let cont = " ".repeat(indent + 2);
    let mid = s.len() / 2;
    let (a, b) = s.split_at(mid.max(1).min(s.len()));
    let esc_char = |ch: char, unicode: bool| {
        if unicode {
            format!("\\u{:04x}", ch as u32)
        } else {
            format!("\\x{:02x}", ch as u32)
        }
    };
    // Keys: the single-line spellings; flow values: also those that span lines; block values:
    // also block scalars.
    match c.below(match ctx {
        Ctx::Key => 18,
        Ctx::Flow => 21,
        Ctx::Block => 24,
    }) {
        0..=3 => s.to_string(),
        4 => {
            c.feature("single-quoted");
            format!("'{s}'")
        }
        5 => {
            c.feature("double-quoted");
            format!("\"{s}\"")
        }
        6 => {
            c.feature("double-escape-x");
            let ch = b.chars().next().unwrap_or('x');
            format!("\"{a}{}{}\"", esc_char(ch, false), &b[ch.len_utf8().min(b.len())..])
        }
        7 => {
            c.feature("double-escape-u");
            let ch = b.chars().next().unwrap_or('x');
            format!("\"{a}{}{}\"", esc_char(ch, true), &b[ch.len_utf8().min(b.len())..])
        }
        8 => {
            c.feature("tag-str");
            format!("!!str {s}")
        }
        9 => {
            c.feature("tag-verbatim");
            format!("!<tag:yaml.org,2002:str> {s}")
        }
        10 => {
            c.feature("tag-nonspecific");
            format!("! {s}")
        }
        11 => {
            c.feature("alias");
            let name = c.anchor();
            anchors.push(format!("{name}: &{name} {s}"));
            format!("*{name}")
        }
        12 => {
            c.feature("tag-str-quoted");
            format!("!!str '{s}'")
        }
        13 => {
            c.feature("trailing-spaces");
            format!("{s}   ")
        }
        14 => {
            c.feature("anchor-then-tag");
            let name = c.anchor();
            format!("&{name} !!str {s}")
        }
        15 => {
            c.feature("tag-then-anchor");
            let name = c.anchor();
            format!("!!str &{name} \"{s}\"")
        }
        16 => {
            c.feature("hash-without-space");
            format!("{s}#x")
        }
        17 => {
            c.feature("double-escaped-all-u");
            let e: String = s.chars().map(|ch| esc_char(ch, true)).collect();
            format!("\"{e}\"")
        }
        18 => {
            c.feature("double-line-continuation");
            format!("\"{a}\\\n{cont}{b}\"")
        }
        19 => {
            c.feature("single-multiline-folds");
            format!("'{a}\n{cont}{b}'")
        }
        20 => {
            c.feature("plain-multiline-folds");
            format!("{a}\n{cont}{b}")
        }
        21 => {
            c.feature("block-literal-strip");
            format!("|-\n{cont}{s}")
        }
        22 => {
            c.feature("block-folded-strip");
            format!(">-\n{cont}{s}")
        }
        _ => {
            c.feature("invalid-escape");
            format!("\"{a}\\{b}\"")
        }
    }
}

/// Where a spelling goes.
#[derive(Clone, Copy)]
enum Ctx {
    Key,
    Flow,
    Block,
}

/// `key: value` (or an explicit key) at `indent`, the key and value spelled.
fn entry(c: &mut Chooser, key: &str, value: &str, indent: usize, anchors: &mut Vec<String>) -> String {
    let ind = " ".repeat(indent);
    let k = spell(c, key, indent, Ctx::Key, anchors);
    let v = spell(c, value, indent, Ctx::Block, anchors);
    let comment = if c.chance(10) {
        c.feature("comment-after-value");
        "  # a comment: kind: Service"
    } else {
        ""
    };
    if c.chance(6) {
        c.feature("explicit-key");
        return format!("{ind}? {k}\n{ind}: {v}{comment}\n");
    }
    let space = if c.chance(6) {
        c.feature("space-before-colon");
        "  "
    } else {
        ""
    };
    let after = match c.below(16) {
        1 => {
            c.feature("tab-after-colon");
            ":\t".to_string()
        }
        2 => {
            c.feature("value-on-next-line");
            format!(":\n{ind}  ")
        }
        3 => ":    ".to_string(),
        _ => ": ".to_string(),
    };
    format!("{ind}{k}{space}{after}{v}{comment}\n")
}

fn maybe_comment_line(c: &mut Chooser, indent: usize) -> String {
    if c.chance(6) {
        c.feature("comment-line");
        format!("{}# kind: Service\n", " ".repeat(indent))
    } else {
        String::new()
    }
}

/// A decoy before or after the real `kind` (a duplicate key).
fn decoy_kind(c: &mut Chooser, indent: usize, anchors: &mut Vec<String>) -> String {
    let k = c.pick(&["ConfigMap", "Service", "Secret"]);
    entry(c, "kind", k, indent, anchors)
}

/// The body of an object (block mapping at `indent`) with the given apiVersion and kind, the
/// extra entries (`metadata`, `spec`) given as text at indent+0.
fn object(c: &mut Chooser, api: &str, kind: &str, rest: &str, indent: usize) -> String {
    let ind = " ".repeat(indent);
    let mut anchors = Vec::new();
    let mut body = String::new();
    let merge = c.chance(10);
    let decoy = if c.chance(8) { c.below(2) + 1 } else { 0 };
    if decoy == 1 {
        c.feature("duplicate-kind-decoy-first");
        body.push_str(&decoy_kind(c, indent, &mut anchors));
    }
    if merge {
        match c.below(4) {
            0 => {
                c.feature("merge-flow");
                let a = spell(c, api, indent, Ctx::Flow, &mut anchors);
                let k = spell(c, kind, indent, Ctx::Flow, &mut anchors);
                body.push_str(&format!("{ind}<<: {{apiVersion: {a}, kind: {k}}}\n"));
            }
            1 => {
                c.feature("merge-alias-list");
                let name = c.anchor();
                anchors.push(format!("{name}: &{name} {{apiVersion: {api}, kind: {kind}}}"));
                body.push_str(&format!("{ind}<<: [*{name}]\n"));
            }
            2 => {
                c.feature("merge-alias");
                let name = c.anchor();
                anchors.push(format!("{name}: &{name} {{apiVersion: {api}, kind: {kind}}}"));
                body.push_str(&format!("{ind}<<: *{name}\n"));
            }
            _ => {
                c.feature("merge-tagged");
                body.push_str(&format!("{ind}!!merge <<: {{apiVersion: {api}, kind: {kind}}}\n"));
            }
        }
    } else {
        let first_kind = c.chance(30);
        let e1 = entry(c, "apiVersion", api, indent, &mut anchors);
        body.push_str(&maybe_comment_line(c, indent));
        let e2 = entry(c, "kind", kind, indent, &mut anchors);
        if first_kind {
            body.push_str(&e2);
            body.push_str(&e1);
        } else {
            body.push_str(&e1);
            body.push_str(&e2);
        }
    }
    if decoy == 2 {
        c.feature("duplicate-kind-decoy-last");
        body.push_str(&decoy_kind(c, indent, &mut anchors));
    }
    if !merge && c.chance(8) {
        // Keys written out win over merged ones, wherever the merge stands.
        c.feature("merge-decoy");
        let decoy = format!("{ind}<<: {{kind: ConfigMap, apiVersion: v2}}\n");
        if c.chance(50) {
            body.insert_str(0, &decoy);
        } else {
            body.push_str(&decoy);
        }
    }
    body.push_str(&maybe_comment_line(c, indent));
    body.push_str(rest);
    if anchors.is_empty() {
        body
    } else {
        // Anchors go first, inside metadata.labels.
        let mut pre = format!("{ind}metadata:\n{ind}  name: web\n{ind}  labels:\n");
        for a in anchors {
            pre.push_str(&format!("{ind}    {a}\n"));
        }
        // The later `metadata` (in `rest`) is a duplicate key: take it out there.
        let rest_no_meta = strip_metadata(&body, indent);
        pre + &rest_no_meta
    }
}

/// Removes the `metadata:` entry (with its deeper lines) at `indent` from a block mapping.
fn strip_metadata(body: &str, indent: usize) -> String {
    let ind = " ".repeat(indent);
    let mut out = String::new();
    let mut skipping = false;
    for line in body.split_inclusive('\n') {
        if line.starts_with(&format!("{ind}metadata:")) {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with(&format!("{ind}  ")) {
            continue;
        }
        skipping = false;
        out.push_str(line);
    }
    out
}

fn service_rest(c: &mut Chooser, indent: usize, ty: &str) -> String {
    let ind = " ".repeat(indent);
    let mut anchors = Vec::new();
    match c.below(12) {
        1 => {
            c.feature("type-via-merge");
            let t = spell(c, ty, indent + 2, Ctx::Flow, &mut anchors);
            let pre: String = anchors.iter().map(|a| format!("{ind}  x-{a}\n")).collect();
            format!("{ind}metadata:\n{ind}  name: web\n{ind}spec:\n{pre}{ind}  <<: {{type: {t}}}\n{ind}  ports:\n{ind}  - port: 80\n")
        }
        2 => {
            c.feature("flow-spec");
            let t = spell(c, ty, indent + 2, Ctx::Flow, &mut anchors);
            let pre =
                if anchors.is_empty() { String::new() } else { format!("x-anchors: {{{}}}, ", anchors.join(", ")) };
            format!("{ind}metadata: {{name: web}}\n{ind}spec: {{{pre}type: {t}, ports: [{{port: 80}}]}}\n")
        }
        _ => {
            let t = entry(c, "type", ty, indent + 2, &mut anchors);
            // Anchors for `type` are defined inside spec, before it.
            let pre: String = anchors.iter().map(|a| format!("{ind}  x-{a}\n")).collect();
            format!("{ind}metadata:\n{ind}  name: web\n{ind}spec:\n{pre}{t}{ind}  ports:\n{ind}  - port: 80\n")
        }
    }
}

/// Workloads: (apiVersion, kind, where the pod spec is). Some are not workloads at all.
const WORKLOADS: &[(&str, &str, &[&str])] = &[
    ("apps/v1", "Deployment", &["spec", "template", "spec"]),
    ("apps/v1", "Deployment", &["spec", "template", "spec"]),
    ("apps/v1beta2", "DaemonSet", &["spec", "template", "spec"]),
    ("apps/v1", "StatefulSet", &["spec", "template", "spec"]),
    ("apps/v1", "ReplicaSet", &["spec", "template", "spec"]),
    ("extensions/v1beta1", "Deployment", &["spec", "template", "spec"]),
    ("extensions/v1beta1", "DaemonSet", &["spec", "template", "spec"]),
    ("batch/v1", "Job", &["spec", "template", "spec"]),
    ("batch/v1beta1", "CronJob", &["spec", "jobTemplate", "spec", "template", "spec"]),
    ("v1", "Pod", &["spec"]),
    ("v1", "ReplicationController", &["spec", "template", "spec"]),
    ("v1", "PodTemplate", &["template", "spec"]),
    ("example.com/v1", "Deployment", &["spec", "template", "spec"]),
    ("apps.example.com/v1", "DaemonSet", &["spec", "template", "spec"]),
    ("v1", "Deployment", &["spec", "template", "spec"]),
];

/// A workload's `metadata` and the path down to its pod spec, `hostNetwork` spelled many ways.
fn workload_rest(c: &mut Chooser, indent: usize, path: &[&str]) -> String {
    let ind = " ".repeat(indent);
    let mut anchors = Vec::new();
    let b = c.pick(&[
        "true",
        "True",
        "TRUE",
        "yes",
        "Yes",
        "on",
        "On",
        "y",
        "Y",
        "!!bool true",
        "!!bool yes",
        "\"true\"",
        "false",
        "off",
        "no",
        "n",
        "!!str true",
        "~",
        "1",
    ]);
    if b != "true" {
        c.feature("hostNetwork-spelling");
    }
    let mut out = format!("{ind}metadata:\n{ind}  name: web\n");
    let mut depth = indent;
    for seg in path {
        out.push_str(&format!("{}{seg}:\n", " ".repeat(depth)));
        depth += 2;
    }
    let pad = " ".repeat(depth);
    let key = spell(c, "hostNetwork", depth, Ctx::Key, &mut anchors);
    for a in &anchors {
        out.push_str(&format!("{pad}x-{a}\n"));
    }
    out.push_str(&format!("{pad}{key}: {b}\n{pad}containers:\n{pad}- name: c\n{pad}  image: x\n"));
    out
}

/// The whole document in flow style (YAML flow or JSON).
fn flow_service(c: &mut Chooser, api: &str, ty: &str) -> String {
    let mut anchors = Vec::new();
    let json = c.chance(50);
    let q = |s: &str| format!("\"{s}\"");
    if json {
        c.feature("json-style");
        let k = if c.chance(20) { "\"Serv\\u0069ce\"".to_string() } else { q("Service") };
        format!(
            "{{\"apiVersion\": {}, \"kind\": {k}, \"metadata\": {{\"name\": \"web\"}}, \"spec\": {{\"type\": {}, \"ports\": [{{\"port\": 80}}]}}}}\n",
            q(api),
            q(ty)
        )
    } else {
        c.feature("flow-style");
        let a = spell(c, api, 0, Ctx::Flow, &mut anchors);
        let k = spell(c, "Service", 0, Ctx::Flow, &mut anchors);
        let t = spell(c, ty, 0, Ctx::Flow, &mut anchors);
        let pre = if anchors.is_empty() { String::new() } else { format!("x-anchors: {{{}}}, ", anchors.join(", ")) };
        format!("{{{pre}apiVersion: {a}, kind: {k}, metadata: {{name: web}}, spec: {{type: {t}, ports: [{{port: 80}}]}}}}\n")
    }
}

/// Whole-stream wrappers: directives, BOM, CRLF, `...`, separators, a decoy ConfigMap.
fn stream(c: &mut Chooser, doc: String) -> String {
    let mut s = String::new();
    let decoy = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: decoy\ndata:\n  manifest: |\n    apiVersion: v1\n    kind: Service\n    spec:\n      type: LoadBalancer\n";
    let lead = c.below(12);
    match lead {
        1 => {
            c.feature("leading-separator");
            s.push_str("---\n");
        }
        2 => {
            c.feature("directive-yaml");
            s.push_str("%YAML 1.1\n---\n");
        }
        3 => {
            c.feature("directive-tag");
            s.push_str("%TAG !e! tag:example.com,2000:\n--- # a comment\n");
        }
        4 => {
            c.feature("directive-without-separator");
            s.push_str("%YAML 1.1\n");
        }
        5 => {
            c.feature("decoy-configmap-block-scalar");
            s.push_str(decoy);
            s.push_str("---\n");
        }
        6 => {
            c.feature("comment-only-document");
            s.push_str("# Source: chart/templates/x.yaml\n---\n");
        }
        _ => {}
    }
    s.push_str(&doc);
    match c.below(10) {
        1 => {
            c.feature("end-marker-then-text");
            s.push_str("...\nkind: ConfigMap\n");
        }
        2 => {
            c.feature("end-marker-then-comment");
            s.push_str("... # end\n");
        }
        3 => {
            c.feature("trailing-separator");
            s.push_str("---\n");
        }
        4 => {
            c.feature("decoy-configmap-after");
            s.push_str("---\n");
            s.push_str(decoy);
        }
        5 => {
            c.feature("no-final-newline");
            while s.ends_with('\n') {
                s.pop();
            }
        }
        _ => {}
    }
    if c.chance(8) {
        c.feature("crlf");
        s = s.replace('\n', "\r\n");
    }
    if c.chance(6) {
        c.feature("bom");
        s.insert(0, '\u{feff}');
    }
    s
}

fn render_service(bytes: &[u8]) -> Case {
    let mut c = Chooser::new(bytes);
    let ty = c.pick(&["LoadBalancer", "LoadBalancer", "ClusterIP", "NodePort"]);
    let shape = c.below(8);
    let doc = match shape {
        1 => flow_service(&mut c, "v1", ty),
        6 if c.chance(40) => {
            c.feature("list");
            c.feature("list-flow-items");
            let item = flow_service(&mut c, "v1", ty);
            let head = object(&mut c, "v1", "List", "", 0);
            format!("{head}items: [{}]\n", item.trim_end())
        }
        2 | 3 => {
            c.feature("list");
            let list_kind = c.pick(&["List", "ServiceList", "ConfigMapList"]);
            let rest = service_rest(&mut c, 4, ty);
            let item = object(&mut c, "v1", "Service", &rest, 4);
            let mut anchors = Vec::new();
            let head = object(&mut c, "v1", list_kind, "", 0);
            let items_key = spell(&mut c, "items", 0, Ctx::Key, &mut anchors);
            let pre: String = anchors.iter().map(|a| format!("x-{a}\n")).collect();
            format!("{head}{pre}{items_key}:\n  -\n{item}")
        }
        4 => {
            c.feature("workload");
            let (api, kind, path) = c.pick(WORKLOADS);
            if kind != "Deployment" || api != "apps/v1" {
                c.feature("workload-kind");
            }
            let rest = workload_rest(&mut c, 0, path);
            if c.chance(25) {
                // In a list, as kubectl flattens it.
                c.feature("workload-in-list");
                let indented: String = rest.lines().map(|l| format!("    {l}\n")).collect();
                let item = object(&mut c, api, kind, &indented, 4);
                let head = object(&mut c, "v1", "List", "", 0);
                format!("{head}items:\n  -\n{item}")
            } else {
                object(&mut c, api, kind, &rest, 0)
            }
        }
        _ => {
            let rest = service_rest(&mut c, 0, ty);
            object(&mut c, "v1", "Service", &rest, 0)
        }
    };
    let text = stream(&mut c, doc);
    c.done(text)
}

/// Class 2: a Service that is not the core one, spelled likewise.
fn render_custom_service(bytes: &[u8]) -> Case {
    let mut c = Chooser::new(bytes);
    let api = c.pick(&["serving.knative.dev/v1", "example.com/v1", "serving.knative.dev/v1alpha1", "v2", "V1"]);
    let doc = if c.chance(15) {
        flow_service(&mut c, api, "LoadBalancer")
    } else {
        let rest = service_rest(&mut c, 0, "LoadBalancer");
        object(&mut c, api, "Service", &rest, 0)
    };
    let text = stream(&mut c, doc);
    c.done(text)
}

#[test]
fn services_in_every_spelling_read_and_check_as_go_reads_them() {
    run_class("services", 256, 48, render_service, Some(false));
}

#[test]
fn knative_and_crd_services_are_never_denied_nor_changed() {
    run_class("custom-services", 96, 48, render_custom_service, Some(true));
}

// ---------------------------------------------------------------------------------------------
// Class 3: random YAML-ish documents

const WORDS: &[&str] = &["a", "b", "name", "data", "x1", "port"];

/// Scalars of every style; each entry is a complete inline spelling.
const SCALARS: &[&str] = &[
    "web",
    "12",
    "+12",
    "-3",
    "0o17",
    "0x1F",
    "1_000",
    "08",
    "012",
    "1e400",
    "1.5",
    "1e3",
    ".5",
    "-.inf",
    ".inf",
    ".nan",
    ".NaN",
    "true",
    "True",
    "yes",
    "on",
    "y",
    "n",
    "off",
    "NO",
    "~",
    "null",
    "Null",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "'it''s'",
    "\"a\\tb\\u0041\\x41\"",
    "\"\\N\\_\"",
    "!!int 12",
    "!!int \"12\"",
    "!!int foo",
    "!!float 1",
    "!!float x",
    "!!bool yes",
    "!!bool maybe",
    "!!null \"\"",
    "!!null x",
    "!!str 12",
    "!!binary aGVsbG8=",
    "!!binary \"@@\"",
    "!custom x",
    "! 12",
    "!<tag:yaml.org,2002:int> 7",
    "!!timestamp 2001-12-14",
    "0b101",
    "0B1",
    "-0",
    "1.",
    "+.5",
    "1:20",
    "190:20:30",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "0xFFFFFFFFFFFFFFFF",
    "1e-400",
    "\"\"",
    "''",
    "=",
    "<<",
    "\"\\/\"",
    "\"\\e\\a\\v\\0\"",
    "\"\\U0001F600\"",
    "\"\\uD800\"",
    "a b",
    "a #b",
    "-a",
    ":a",
    "?a",
    "@a",
    "`a",
    "!!float .inf",
    "!!int 0x1F",
    "!!int 1_000",
    "!!bool on",
    "!!bool 1",
    // YAML 1.1's odder numbers, which go-yaml v2 resolves its own way.
    "0x_1F",
    "1__0",
    "0b",
    "-0x1F",
    "+0x1F",
    "0_7",
    "1.0e+3",
    "1e",
    "6.8523015e+5",
    "685.230_15e+03",
    "685_230.15",
    "190:20:30.15",
    "-190:20:30",
    "1:2:3:4",
    "0.",
    "-.5e-3",
    "1E3",
    "0xG",
    "00",
    "-0o7",
    "0o8",
    "+.inf",
    ".Inf",
    ".INF",
    "-.Inf",
    "NaN",
    "nan",
    "inf",
    "1e309",
    "-1e309",
    "4.9e-324",
    "2.5e-324",
    "18446744073709551616",
    "!!int 0b101",
    "!!float 1_0.5",
    "!!int 0o17",
    "!!int 1.5",
    "!!float 0x1F",
    "!!int ~",
    "!!bool ~",
    "!!str ~",
    "!!null null",
    "!!int -0",
    "!!float -0",
    "!!float -.inf",
    "!!float .nan",
    "!!timestamp x",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1]",
    "!!seq {a: 1}",
    "!!map [a]",
    "!!str [a]",
    "!!binary AAEC/w==",
    "!!binary \"aGVs\\nbG8=\"",
    "\"\\u00e9\\t\"",
    "'\\x41'",
    "\"\\L\\P\\ \"",
    "2001-12-14T21:59:43Z",
    "2001-12-14 21:59:43.1234567891Z",
    "2002-1-1",
    "2001-12-14T25:00:00Z",
    "!!int 08",
    "!!int 012",
    "Yes",
    "yES",
    "tRUE",
    "Off",
    "oN",
    "Y",
    "N",
    "!!bool Y",
    "!!bool n",
];

/// Keys that are not plain words: at most one of them in a mapping, so that no two keys collide
/// once Go has made strings of them.
const SPECIAL_KEYS: &[&str] = &[
    "1",
    "1.5",
    "1e3",
    "true",
    "on",
    "~",
    "null",
    "0x1F",
    "0o17",
    "1_000",
    "+12",
    "08",
    "[a, b]",
    "{a: 1}",
    "2001-12-14",
    ".inf",
    "-1",
    "!!int 3",
    "'3'",
    "!!str 1",
    "\"\"",
    "!!null ''",
    "no",
    "y",
    ".nan",
    "!!binary aGk=",
];

struct Gen<'a, 'b> {
    c: &'a mut Chooser<'b>,
    /// Anchors defined so far, and whether each is a mapping of plain words only (safe to merge).
    anchors: Vec<(String, bool)>,
    /// Anchored scalars, as aliases.
    scalar_anchors: Vec<String>,
    budget: usize,
}

impl Gen<'_, '_> {
    fn scalar(&mut self) -> String {
        if !self.anchors.is_empty() && self.c.chance(8) {
            self.c.feature("alias");
            let i = self.c.below(self.anchors.len());
            return format!("*{}", self.anchors[i].0);
        }
        if self.c.chance(2) {
            self.c.feature("undefined-alias");
            return "*nowhere".into();
        }
        let s = self.c.pick(SCALARS);
        if s != "web" {
            self.c.feature(format!("scalar {s}"));
        }
        if self.c.chance(8) {
            self.c.feature("anchored-scalar");
            let name = self.c.anchor();
            self.anchors.push((name.clone(), false));
            self.scalar_anchors.push(format!("*{name}"));
            return format!("&{name} {s}");
        }
        s.to_string()
    }

    fn word_key(&mut self) -> String {
        if self.c.chance(1) {
            // go-yaml takes a simple key of at most 1024 characters.
            self.c.feature("long-key");
            let n = self.c.pick(&[1020, 1024, 1025, 1030, 2000]);
            return "k".repeat(n);
        }
        let w = self.c.pick(WORDS);
        match self.c.below(8) {
            1 => format!("'{w}'"),
            2 => format!("\"{w}\""),
            3 => {
                self.c.feature("escaped-key");
                let e: String = w.chars().map(|ch| format!("\\x{:02x}", ch as u32)).collect();
                format!("\"{e}\"")
            }
            4 => format!("!!str {w}"),
            _ => w.to_string(),
        }
    }

    fn flow(&mut self, depth: usize) -> String {
        self.budget = self.budget.saturating_sub(1);
        if depth > 4 || self.budget == 0 {
            return self.scalar();
        }
        match self.c.below(6) {
            1 => {
                self.c.feature("flow-seq");
                let n = self.c.below(4);
                let items: Vec<String> = (0..n).map(|_| self.flow(depth + 1)).collect();
                format!("[{}]", items.join(", "))
            }
            4 if self.c.chance(20) => {
                self.c.feature("tagged-collection");
                let tag = self.c.pick(&["!!map", "!!seq", "!!set", "!!omap", "!!str", "!custom", "!!binary"]);
                let inner = if self.c.chance(50) { "{a: 1}" } else { "[a, 1]" };
                format!("{tag} {inner}")
            }
            2 => {
                self.c.feature("flow-map");
                let n = self.c.below(4);
                let (keys, _) = self.keys(n);
                let items: Vec<String> = keys.iter().map(|k| format!("{k}: {}", self.flow(depth + 1))).collect();
                format!("{{{}}}", items.join(", "))
            }
            3 if self.c.chance(10) => {
                self.c.feature("deep-nesting");
                let d = 1 + self.c.byte() as usize * 4;
                format!("{}a{}", "[".repeat(d), "]".repeat(d))
            }
            _ => self.scalar(),
        }
    }

    /// `n` keys: plain words (duplicates allowed: the same word) and at most one special key.
    fn keys(&mut self, n: usize) -> (Vec<String>, bool) {
        let mut special = false;
        let keys = (0..n)
            .map(|_| {
                if !special && self.c.chance(15) {
                    special = true;
                    let k = self.c.pick(SPECIAL_KEYS);
                    self.c.feature("non-string-key");
                    self.c.feature(format!("key {k}"));
                    k.to_string()
                } else {
                    self.word_key()
                }
            })
            .collect();
        (keys, !special)
    }

    /// What follows `key:` or `-` in block context at `indent`, up to and including the newline.
    fn block_value(&mut self, indent: usize, depth: usize) -> String {
        self.budget = self.budget.saturating_sub(1);
        let deeper = indent + 2;
        let pad = " ".repeat(deeper);
        let comment = if self.c.chance(5) {
            self.c.feature("comment");
            " # c"
        } else {
            ""
        };
        if depth > 3 || self.budget == 0 {
            return format!(" {}{comment}\n", self.scalar());
        }
        match self.c.below(10) {
            1 | 2 => {
                let (anchor, safe_slot) = if self.c.chance(10) {
                    let name = self.c.anchor();
                    (format!(" &{name}"), Some(name))
                } else {
                    (String::new(), None)
                };
                let (text, words_only) = self.block_map(deeper, depth + 1);
                if let Some(name) = safe_slot {
                    self.c.feature("anchored-map");
                    self.anchors.push((name, words_only));
                }
                format!("{anchor}{comment}\n{text}")
            }
            3 => {
                let at = if self.c.chance(40) {
                    self.c.feature("indentless-seq");
                    indent
                } else {
                    deeper
                };
                format!("{comment}\n{}", self.block_seq(at, depth + 1))
            }
            4 => {
                self.c.feature("block-scalar");
                let head = self.c.pick(&["|", ">", "|-", ">+", "|2", ">-", "|+"]);
                let lines = ["one", "  two", "", "three: x", "# not a comment"];
                let n = 1 + self.c.below(lines.len());
                let body: String = lines[..n].iter().map(|l| format!("{pad}{l}\n")).collect();
                format!(" {head}{comment}\n{body}")
            }
            5 => {
                self.c.feature("multiline-scalar");
                match self.c.below(3) {
                    0 => format!(" plain\n{pad}continued{comment}\n"),
                    1 => format!(" \"double\\\n{pad}  joined\n{pad}folded\"{comment}\n"),
                    _ => format!(" 'single\n\n{pad}folded'{comment}\n"),
                }
            }
            6 => format!(" {}{comment}\n", self.flow(depth + 1)),
            7 if self.c.chance(30) => {
                self.c.feature("empty-value");
                format!("{comment}\n")
            }
            _ => format!(" {}{comment}\n", self.scalar()),
        }
    }

    fn block_map(&mut self, indent: usize, depth: usize) -> (String, bool) {
        let ind = " ".repeat(indent);
        let n = 1 + self.c.below(4);
        let (keys, mut words_only) = self.keys(n);
        let mut out = String::new();
        let mut written: Vec<String> = Vec::new();
        for k in keys {
            if self.c.chance(5) {
                self.c.feature("comment-line");
                out.push_str(&format!("{ind}# comment\n"));
            }
            if self.c.chance(8) {
                let safe: Vec<String> = self.anchors.iter().filter(|a| a.1).map(|a| a.0.clone()).collect();
                self.c.feature("merge");
                let v = match (self.c.below(8), safe.is_empty()) {
                    (1, false) => format!("*{}", safe[self.c.below(safe.len())]),
                    (2, false) => format!("[*{}, {{x1: 1}}]", safe[self.c.below(safe.len())]),
                    (3, _) => "[{a: 1}, {b: 2}]".to_string(),
                    (4..=5, _) if !self.scalar_anchors.is_empty() => {
                        // Not a mapping: Go refuses it (a mapping here could bring keys that
                        // collide with this one's once made strings).
                        self.c.feature("merge-scalar-anchor");
                        self.scalar_anchors[self.c.below(self.scalar_anchors.len())].clone()
                    }
                    (6, _) => {
                        self.c.feature("merge-not-a-map");
                        self.c.pick(&["1", "[1]", "~", "[]", "{}", "[{a: 1}, [b]]"]).to_string()
                    }
                    _ => "{name: merged, data: 1}".to_string(),
                };
                out.push_str(&format!("{ind}<<: {v}\n"));
            }
            if !written.is_empty() && self.c.chance(6) {
                self.c.feature("duplicate-key");
                // Two NaN keys are two keys to Go, which then collide as strings (and Go's
                // answer is random): no duplicate of a NaN.
                let d = written[self.c.below(written.len())].clone();
                let d = if d.to_ascii_lowercase().contains("nan") { k.clone() } else { d };
                let v = self.block_value(indent, depth);
                out.push_str(&format!("{ind}{d}:{v}"));
            }
            let v = self.block_value(indent, depth);
            if self.c.chance(2) {
                self.c.feature("complex-explicit-key");
                let key = self.c.pick(&["- a\n", "[a, b]\n", "{a: 1}\n", "|\n{ind}  block key\n", "\n"]);
                let key = key.replace("{ind}", &ind);
                out.push_str(&format!("{ind}? {key}{ind}:{v}"));
            } else if self.c.chance(6) {
                self.c.feature("explicit-key");
                out.push_str(&format!("{ind}? {k}\n{ind}:{v}"));
            } else {
                out.push_str(&format!("{ind}{k}:{v}"));
            }
            if !k.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                words_only = false;
            }
            written.push(k);
        }
        (out, words_only)
    }

    fn block_seq(&mut self, indent: usize, depth: usize) -> String {
        let ind = " ".repeat(indent);
        let n = 1 + self.c.below(3);
        let mut out = String::new();
        for _ in 0..n {
            let v = self.block_value(indent, depth);
            out.push_str(&format!("{ind}-{v}"));
        }
        out
    }
}

fn random_document(c: &mut Chooser) -> String {
    let top = c.below(6);
    let mut g = Gen { c, anchors: Vec::new(), scalar_anchors: Vec::new(), budget: 40 };
    match top {
        1 => g.block_seq(0, 0),
        2 => format!("{}\n", g.flow(0)),
        3 => format!("{}\n", g.scalar()),
        _ => g.block_map(0, 0).0,
    }
}

fn render_random(bytes: &[u8]) -> Case {
    let mut c = Chooser::new(bytes);
    // The stream's shape first, while there are choice bytes left.
    let trailer = c
        .chance(8)
        .then(|| c.pick(&["@\n", "- a\nb: c\n", "%YAML 1.1\n", "'x\n", "{\n", "  b: 1\n", "...\n", "a: 1\n"]));
    let second = c.chance(8).then(|| c.pick(&["---\n", "--- # c\n", "---\n\n"]));
    let directive = c.chance(4);
    let crlf = c.chance(5);
    let bom = c.chance(3);
    let mut text = random_document(&mut c);
    if let Some(t) = trailer {
        // Go reads the first document of a piece only.
        c.feature("after-document-end");
        text.push_str("...\n");
        text.push_str(t);
    }
    if let Some(sep) = second {
        c.feature("second-document");
        text.push_str(sep);
        let doc = random_document(&mut c);
        text.push_str(&doc);
    }
    if directive {
        c.feature("directive");
        text.insert_str(0, "%YAML 1.1\n---\n");
    }
    if crlf {
        c.feature("crlf");
        text = text.replace('\n', "\r\n");
    }
    if bom {
        c.feature("bom");
        text.insert(0, '\u{feff}');
    }
    c.done(text)
}

#[test]
fn random_documents_read_as_go_reads_them() {
    run_class("random", 256, 160, render_random, None);
}

// ---------------------------------------------------------------------------------------------
// Class 4: the corpus

#[test]
fn every_corpus_document_reads_as_go_reads_it() {
    let started = Instant::now();
    let files = corpus_files();
    let texts: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let cases: Vec<Case> = texts.iter().map(|t| Case { text: t.clone(), features: BTreeSet::new() }).collect();
    let go = go_eval_cases(&cases);
    let mut failures = Vec::new();
    let mut docs = 0;
    for (i, f) in files.iter().enumerate() {
        let ranges = go_split(&texts[i]);
        docs += ranges.len();
        let (svc, stream_errors) = svc_read(&texts[i], &ranges);
        for (k, r) in ranges.iter().enumerate() {
            if let Err(kind) = judge_piece(&go[i][k], svc[k].as_ref(), &stream_errors) {
                failures.push(format!(
                    "{} piece {k}: {kind}\n  text: {:?}\n  Go:        {}\n  svcpolicy: {}",
                    name_of(f),
                    String::from_utf8_lossy(&texts[i][r.clone()]),
                    go[i][k].line(),
                    svc_line(svc[k].as_ref(), &stream_errors)
                ));
            }
        }
    }
    eprintln!(
        "[corpus] {} files, {docs} pieces, {} failed, {:.1}s",
        files.len(),
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} corpus documents differ:\n{}", failures.len(), failures.join("\n"));
}

fn name_of(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------------------------
// The harness itself

#[test]
fn json_lines_parse_at_any_depth() {
    for l in [r#"{"a":[1,-2.5e3,"x\"y\u003c",true,false,null,{}],"b":{"c":[]}}"#, "12", r#""s""#, "[]"] {
        assert_eq!(parse_json(l), serde_json::from_str::<Value>(l).ok(), "{l}");
    }
    let deep = format!("{}\"a\"{}", "[".repeat(1100), "]".repeat(1100));
    assert!(parallel(&[deep], |d| parse_json(d).is_some())[0]);
    assert_eq!(parse_json("[1,"), None);
    assert_eq!(parse_json("ERROR doc 1: x"), None);
    assert_eq!(parse_json("  line 3: cannot unmarshal"), None);
}

#[test]
fn go_split_splits_as_go_does() {
    let s = b"a\n---\nb\n--- x\n---\n\nc";
    let p: Vec<&[u8]> = go_split(s).into_iter().map(|r| &s[r]).collect();
    assert_eq!(p, vec![&b"a\n"[..], b"\nb\n", b"\n", b"\n\nc"]);
    let s = b"---\na";
    let p: Vec<&[u8]> = go_split(s).into_iter().map(|r| &s[r]).collect();
    assert_eq!(p, vec![&b""[..], b"\na"]);
    let s = b"a\r\n---\r\nb\n---";
    let p: Vec<&[u8]> = go_split(s).into_iter().map(|r| &s[r]).collect();
    assert_eq!(p, vec![&b"a\r\n"[..], b"\nb\n", b""]);
}

/// The batching is exact: a batch gives what one yaml2json run per piece gives.
#[test]
fn batched_go_runs_agree_with_single_runs() {
    let pieces: Vec<Vec<u8>> = [
        "a: 1\n",
        "\nb: [\n",
        "\n# nothing\n",
        "\n",
        "\nc: .nan\n",
        "\nd: !!int x\ne: 1\n",
        "\n\"s\"",
        "f: 2",
        "\n{g: 3}\n",
        "",
        "h: 4\n",
        "\n~\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let batched = go_eval(&pieces);
    for (p, b) in pieces.iter().zip(&batched) {
        let single = go_documents(p);
        let want = match single.first() {
            None => GoDoc::Null,
            Some(Value::String(s)) if s.starts_with("ERROR doc 0") => GoDoc::Error(s.clone()),
            Some(v) => GoDoc::Json(v.clone()),
        };
        match (&want, b) {
            (GoDoc::Error(_), GoDoc::Error(_)) => {}
            _ => assert_eq!(&want, b, "{:?}", String::from_utf8_lossy(p)),
        }
    }
}

/// The harness notices a disagreement: a `---x` line (a documented divergence, never generated)
/// is a separator to Go and a refusal to svcpolicy.
#[test]
fn a_disagreement_is_noticed() {
    let case = Case { text: b"a: 1\n---x\nb: 2\n".to_vec(), features: BTreeSet::new() };
    let go = go_eval_cases(std::slice::from_ref(&case)).pop().unwrap();
    assert_eq!(go, vec![GoDoc::Json(serde_json::json!({"a": 1})), GoDoc::Json(serde_json::json!({"b": 2}))]);
    assert!(judge_case(&case, &go, None).is_err());
    // And values that differ by a number's type only do not count as different.
    assert!(json_eq(&serde_json::json!({"a": [1]}), &serde_json::json!({"a": [1.0]})));
    assert!(!json_eq(&serde_json::json!({"a": [1]}), &serde_json::json!({"a": ["1"]})));
    assert!(!json_eq(&serde_json::json!({"a": 1}), &serde_json::json!({"a": 1, "b": null})));
}

/// The documented divergences, asserted as what svcpolicy does instead of what Go does.
#[test]
fn documented_divergences_are_refused_or_split() {
    let check = |stream: &[u8]| {
        let out = svcpolicy().arg("check").arg("-p").arg(policy_file()).write_stdin(stream.to_vec()).output().unwrap();
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code(), said)
    };
    let lb = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer}\n";
    // `---x`: Go splits there (and reads `x` nowhere), svcpolicy refuses the stream.
    for sep in ["---x", "----", "---\tx", "--- !!map", "---{a: 1}"] {
        let stream = format!("{lb}{sep}\n{lb}");
        let (manifests, errors) =
            svcpolicy::input::read(vec![svcpolicy::input::Input { path: None, bytes: stream.clone().into_bytes() }]);
        assert!(manifests[0].docs.is_empty(), "{sep:?}");
        assert!(errors.iter().any(|e| e.location.document == 0), "{sep:?}: {errors:?}");
        assert_eq!(check(stream.as_bytes()).0, Some(2), "{sep:?}");
    }
    // CR-only line ends: Go reads the first document of the whole stream, svcpolicy splits at
    // `\r---\r` and reads (and denies) the Service after it.
    let cr = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\n---\n{lb}").replace('\n', "\r");
    let (code, said) = check(cr.as_bytes());
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("denied"), "{said}");
    // UTF-16: refused.
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(lb.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(check(&utf16).0, Some(2));
}

// ---------------------------------------------------------------------------------------------
// Class 3, by hand: the edges of go-yaml v2 and ghodss/yaml one by one (rules a and b).

const EDGES: &[&str] = &[
    // What follows the first document of a piece: Go reads the first document only.
    "a: 1\n...\n@\n",
    "a: 1\n...\n- a\nb: c\n",
    "a: 1\n...\n%YAML 1.1\n",
    "a: 1\n...\n'unterminated\n",
    "a: 1\n... x\n",
    "a: 1\n...\n...\n",
    "a: 1\n...\n!\n",
    "a: 1\n...\n\"a\n",
    "a: 1\n...\n{\n",
    "a: 1\n...\n  b: 2\n",
    "a: 1\n...\n%YAML 1.1\n%YAML 1.1\n",
    "a: [1\n...\n",
    "a: |\n  x\n...\n",
    "a: 'x\n...\ny'\n",
    // Directives.
    "%YAML 1.1\n",
    "%YAML 1.1\n---\na: 1\n",
    "%FOO bar\n---\na: 1\n",
    "%YAML 2.0\n---\na: 1\n",
    "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
    "%TAG !e! tag:e,2000:\n---\na: !e!x y\n",
    "%TAG !e! tag:e,2000:\n%TAG !e! tag:f,2000:\n---\na: 1\n",
    "%YAML 1.1 # c\n---\na: 1\n",
    "a: !e!x y\n",
    // Tabs.
    "\ta: 1\n",
    "a:\t1\n",
    "a: 1\t\n",
    "a:\n\t- 1\n",
    "a: [1,\t2]\n",
    "- \ta\n",
    "a: |\n\tx\n",
    "a:\t\t|\n  x\n",
    "a: \"x\ty\"\n",
    "a: 'x\n\ty'\n",
    // Line breaks and characters.
    "a: 1\u{2028}b: 2\n",
    "a: 1\u{85}b: 2\n",
    "a: \"x\u{2028}y\"\n",
    "a: x\u{2029}\n",
    "a: \u{1}\n",
    "a: \u{7f}\n",
    "a: \u{a0}x\n",
    "a: x\u{a0}\n",
    "é: ü\n",
    "a: 😀\n",
    "\"\\uD83D\\uDE00\": x\n",
    "a: \"\\uD83D\\uDE00\"\n",
    "a: \"\\uDE00\"\n",
    "a: \"\\U0010FFFF\"\n",
    "a: \"\\U00110000\"\n",
    "a: \"\\x00\"\n",
    "a: \"\\0\"\n",
    "a: \u{feff}x\n",
    "a: 1\n\u{feff}b: 2\n",
    "\u{feff}\u{feff}a: 1\n",
    "a: 1\rb: 2\r",
    "a: 1\r\nb: |\r\n  x\r\n  y\r\n",
    "a: 'x\r\n\r\n  y'\r\n",
    // Flow collections.
    "{a, b}\n",
    "[a: 1, b]\n",
    "{? a: 1}\n",
    "[a, ]\n",
    "{a: 1,}\n",
    "[a]: b\n",
    "{a: 1}: b\n",
    "[? a : b]\n",
    "{a: [}\n",
    "{\"a\":1}\n",
    "{\"a\":1,\"b\":[true,null]}\n",
    "{a:1}\n",
    "{a: b: c}\n",
    "[a: b: c]\n",
    "{\"a\":b}\n",
    "[\"a\":b]\n",
    "[a, [b, {c: [d]}]]\n",
    "{a: 1\n}\n",
    "{a: 1\n, b: 2}\n",
    "[1 #c\n, 2]\n",
    "{a: 1 #c\n}\n",
    "[,]\n",
    "{: a}\n",
    "[: a]\n",
    "{a: }\n",
    "{a}\n",
    "{[a]: b}\n",
    "[a, b]: [c]\n",
    // Anchors and aliases.
    "a: &x 1\nb: &x 2\nc: *x\n",
    "a: *x\nb: &x 1\n",
    "a: &x *y\n",
    "a: &x\nb: *x\n",
    "a: &x [*x]\n",
    "&a a: b\n*a : c\n",
    "&a a: b\n*a: c\n",
    "a: &x {b: 1}\n<<: *x\n",
    "<<: &x {a: 1}\nb: *x\n",
    "a: &x !!int 1\nb: *x\n",
    "a: !!str &x 1\nb: *x\n",
    "a: & x\n",
    "a: &x\n",
    "a: *\n",
    "a: &x-y_z 1\nb: *x-y_z\n",
    "a: &x: 1\n",
    "[&x a, *x]\n",
    "{&x a: *x}\n",
    // Merges.
    "<<: {a: 1}\na: 2\n",
    "a: 2\n<<: {a: 1}\n",
    "<<: [{a: 1}, {a: 2}]\n",
    "<<: [{a: 1}, {a: 2}]\n<<: {a: 3}\n",
    "<<: {<<: {a: 1}}\n",
    "b: {<<: {a: 1}, a: 2}\n",
    "<<: *undefined\n",
    "'<<': {a: 1}\n",
    "\"<<\": {a: 1}\n",
    "!!merge '<<': {a: 1}\n",
    "<<: !!map {a: 1}\n",
    "<<: !!omap [a: 1]\n",
    "<< : {a: 1}\n",
    "<<: 1\n",
    "<<: [1]\n",
    "<<: ~\n",
    "<<: []\n",
    "<<: [[{a: 1}]]\n",
    "<<: [*x]\n",
    "a: &x [1]\n<<: *x\n",
    "a: &x {b: 1}\nc:\n  <<: [*x, *x]\n",
    "a: &x {b: {c: 1}}\nd:\n  <<: *x\n  b: 2\n",
    "- <<: {a: 1}\n",
    "[<<: {a: 1}]\n",
    "{<<: {a: 1}, a: 2}\n",
    "<<: {a: 1}\n<<: {b: 2}\n",
    "<<: {1: a}\n",
    "<<: {~: a}\na: 1\n",
    // Keys.
    "? \n: \n",
    ": x\n",
    "? a\n? b\n",
    "?\n",
    "null: x\n",
    "~: x\n",
    "? ~\n: x\n",
    "true: 1\nfalse: 2\n",
    "1: a\n2: b\n",
    "0.1: a\n",
    "1e3: a\n",
    "-.inf: a\n",
    ".nan: a\n",
    "2001-12-14: a\n",
    "!!binary aGk=: a\n",
    "[1, 2]: a\n",
    "? [1, 2]\n: a\n",
    "!!int 1: a\n",
    "0x10: a\n",
    "0o10: a\n",
    "010: a\n",
    "1_0: a\n",
    "+1: a\n",
    "9223372036854775808: a\n",
    "1.0: a\n",
    "1.50: a\n",
    "1e400: a\n",
    "-0: a\n",
    "0.0000001: a\n",
    "123456789.0: a\n",
    "1e20: a\n",
    "1e21: a\n",
    "a\nb: c\n",
    "\"a\nb\": c\n",
    "'a\nb': c\n",
    "a b: c\n",
    "a:b: c\n",
    "a : b\n",
    "a  :  b\n",
    "-a: b\n",
    "? |\n  x\n: y\n",
    "? - a\n  - b\n: c\n",
    "? a: b\n: c\n",
    // Duplicate keys (the same key after resolution, never two keys that collide only as
    // strings).
    "a: 1\na: 2\n",
    "a: 1\n\"a\": 2\n",
    "1: a\n1: b\n",
    "1: a\n01: b\n",
    "1: a\n0x1: b\n",
    "true: a\nyes: b\n",
    "a: {b: 1}\na: {c: 2}\n",
    "a: .nan\na: 1\n",
    "a: {~: 1}\na: 1\n",
    "a: [.inf]\na: 1\n",
    "a: !!binary \"@@\"\na: 1\n",
    "a: !!int x\na: 1\n",
    "a: *undefined\na: 1\n",
    "a: {[1]: 2}\na: 1\n",
    // Tags.
    "!!str\n",
    "a: !!str\n",
    "a: !!int\n",
    "a: !!null\n",
    "a: !!float\n",
    "a: !!bool\n",
    "a: !!map\n",
    "a: !!seq\n",
    "!!map\n",
    "a: !<tag:yaml.org,2002:bool> yes\n",
    "a: !<!> x\n",
    "a: !!python/name x\n",
    "a: !!int 0b11\n",
    "a: !!int -0x1\n",
    "a: !!float 1e\n",
    "a: !!binary ==\n",
    "a: !!binary \"\"\n",
    "a: !!binary |\n  aGVs\n  bG8=\n",
    "a: !!binary gA==\n",
    "a: !!binary 4pyT\n",
    "a: !!timestamp 2001-12-14\n",
    "a: !!timestamp 2001-12-14 21:59:43.10 -5\n",
    "a: !!str 2001-12-14\n",
    "a: !!map {}\n",
    "a: !!seq []\n",
    "a: !!str {}\n",
    "a: !!int []\n",
    "a: !!set {a, b}\n",
    "a: !!set {a: 1}\n",
    "a: !!omap [a: 1, a: 2]\n",
    "a: !!float 1\nb: !!float -0\nc: !!float 1e400\n",
    "a: !!int 1.0\n",
    "a: !!int 1e3\n",
    "a: !!bool 1\n",
    "a: ! 1\n",
    "a: ! true\n",
    "a: !x 1\n",
    "a: !x [1]\n",
    "a: !!str !!int 1\n",
    "a: !<tag:yaml.org,2002:int> 0x1F\n",
    "a: !<tag:yaml.org,2002:merge> x\n",
    "a: !!merge x\n",
    "a: !!value =\n",
    "a: !!yaml x\n",
    // Timestamps.
    "a: 2001-12-14\n",
    "a: 2001-12-14t21:59:43.10-05:00\n",
    "a: 2001-12-14 21:59:43.10 -5\n",
    "a: 2001-12-15 2:59:43.10\n",
    "a: 2001-12-14T21:59:43.1Z\n",
    "a: 2001-02-30\n",
    "a: 1999-12-31T23:59:60Z\n",
    "a: 12:30:00\n",
    "a: 2001-12-14T21:59\n",
    "a: 0001-01-01\n",
    "a: 10000-01-01\n",
    "a: 2001-12-14T21:59:43.123456789123Z\n",
    "a: 2001-12-14 21:59:43 +01:00\n",
    "a: 2001-12-14 21:59:43 +0100\n",
    "a: 2001-12-14\t21:59:43Z\n",
    "a: [2001-12-14]\n",
    "2001-12-14\n",
    // Numbers.
    "a: 1e400\n",
    "a: -0.0\n",
    "a: 0.1e-5\n",
    "a: 123456789012345678901234567890\n",
    "a: 0x8000000000000000\n",
    "a: -0x8000000000000000\n",
    "a: 0b1111111111111111111111111111111111111111111111111111111111111111\n",
    "a: 0b11111111111111111111111111111111111111111111111111111111111111111\n",
    "a: 1.7976931348623157e308\n",
    "a: 1.7976931348623159e308\n",
    "a: 4.9e-325\n",
    "a: 0.30000000000000004\n",
    "a: 100000000000000000000\n",
    "a: 9007199254740993\n",
    "a: -9223372036854775808\n",
    "a: 18446744073709551615\n",
    "a: -18446744073709551615\n",
    "a: 0777\n",
    "a: 0o777\n",
    "a: 0789\n",
    "a: 1_2_3\n",
    "a: _1\n",
    "a: 1_\n",
    "a: 0x_\n",
    "a: 0x\n",
    "a: +0x10\n",
    "a: 1.5_0\n",
    "a: 1,5\n",
    "a: 60:00\n",
    "a: 1:00:00.5\n",
    "a: -1:30\n",
    "a: 1:60\n",
    "a: .\n",
    "a: -\n",
    "a: +\n",
    "a: +.\n",
    "a: 1e+\n",
    "a: 1E-2\n",
    "a: 1.e2\n",
    "a: .e2\n",
    "a: 0.5E+3\n",
    "a: +1_000.5e1_0\n",
    "a: 1_000_000_000_000_000_000_000\n",
    // Booleans and nulls in every case.
    "a: [y, Y, yes, Yes, YES, n, N, no, No, NO, true, True, TRUE, false, False, FALSE, on, On, ON, off, Off, OFF]\n",
    "a: [yEs, tRue, oN, nO, fAlse, oFF, yES]\n",
    "a: [null, Null, NULL, ~, nULL, '', \"\"]\n",
    "a: [.nan, .NaN, .NAN, .nAn, .inf, .Inf, .INF, .iNf, -.inf, +.inf]\n",
    // Block scalars.
    "a: |0\n x\n",
    "a: |10\n",
    "a: |-2\n   x\n",
    "a: |2-\n   x\n",
    "a: >\n\n  x\n\n\n",
    "a: |+\n\n",
    "a: |\n  x\n \n  y\n",
    "a: >\n  x\n   y\n  z\n",
    "a: |\n x\n  # c\n",
    "- |\n x\n- >\n y\n",
    "a: |\n",
    "a: >-\n",
    "|\n  top\n",
    "a: |\n   x\n  y\n",
    "a: |1\n  x\n",
    "a: >\n  a\n  b\n\n  c\n\n\n  d\n",
    "a: >+\n  a\n\n",
    "a: |-\n  a\n\n\n",
    "a: |\n  a\n\t\n",
    "a: |\n  \ta\n",
    "a: >\n  \ta\n  b\n",
    "- |\n  x\n-\n",
    "a: | # c\n  x\n",
    "a: |x\n  x\n",
    "a: |++\n  x\n",
    "a: |\n\n\n  x\n",
    "a: |\n  \n  \n",
    // Scalars that start or contain indicators.
    "a: @x\n",
    "a: `x\n",
    "a: %x\n",
    "a: !x y\n",
    "a: &\n",
    "a: - x\n",
    "a: ? x\n",
    "a: :x\n",
    "a: x:y\n",
    "a: x: y\n",
    "a: ,x\n",
    "a: [x\n",
    "a: x]\n",
    "a: x}\n",
    "a: -\n",
    "a: ---\n",
    "a: ...\n",
    "a: x #y\n",
    "a: x#y\n",
    "a: 'x'#y\n",
    "a: \"x\"#y\n",
    "a: 'x' y\n",
    "a: \"x\" y\n",
    "a: 'x'\n b\n",
    "a: x\n b\n  c\n",
    "a: x\n\n b\n",
    "a: x\n #c\n b\n",
    "a: x\n- b\n",
    "a:\n  x\n  y\n",
    "- a\n - b\n",
    "- a\n-b\n",
    "a: \"\\\n  x\"\n",
    "a: \"x\\\n\"\n",
    "a: \"\\ \"\n",
    "a: \"\\_\\N\\L\\P\\e\\a\\b\\f\\v\\r\\/\\\"\\\\\\t\\\t\"\n",
    "a: \"\\q\"\n",
    "a: \"\\x4\"\n",
    "a: \"\\u12\"\n",
    "a: 'it''s'''\n",
    "a: ''''\n",
    "a: '\n\n'\n",
    "a: \"\n\n\"\n",
    "a: \" x \n  y \"\n",
    "a: ' x \n  y '\n",
    // Top-level values and empty documents.
    "",
    "\n",
    "# c\n",
    "...\n",
    "---\n",
    "--- # c\n",
    "%YAML 1.1\n---\n",
    "~\n",
    "null\n",
    "''\n",
    "!!null\n",
    "[]\n",
    "{}\n",
    "12\n",
    "true\n",
    "\"x\"\n",
    "x\n",
    ".nan\n",
    "1e400\n",
    "- \n",
    "-\n-\n",
    "? \n",
    "&a\n",
    "!!str\n...\n",
    // Comments.
    "a: 1 #c\n",
    "a: [1, 2] #c\n",
    "#c\na: 1\n",
    "a: |  # c\n  x\n",
    "a: # c\n  - 1\n",
    "a:\n# c\n  b: 1\n",
    "a:\n  b: 1\n# c\n  c: 2\n",
    "a: 1\n  # c\nb: 2\n",
    // Indentation.
    "a:\n  b: 1\n c: 2\n",
    "a:\n  b: 1\n   c: 2\n",
    "a:\n- 1\n- 2\nb: 3\n",
    "a:\n  - 1\n  - 2\n  b: 3\n",
    "- a: 1\n  b: 2\n- c\n",
    "- - - a\n",
    "- a:\n  - b\n",
    "-   a: 1\n    b: 2\n",
    "- a: 1\n   b: 2\n",
    "a:\n    - 1\n  - 2\n",
    "  a: 1\n  b: 2\n",
    "  a: 1\nb: 2\n",
    "a: 1\n  b: 2\n",
    // Separators Go's splitter does not see (not after a LF) but go-yaml's reader does.
    "a: 1\u{85}---\u{85}b: 2\n",
    "a: 1\u{2028}---\u{2028}b: 2\n",
    "a: 1\u{2029}...\u{2029}b\n",
    "a: 1\n\u{feff}---\nb: 2\n",
    "a: 1\n\u{feff}...\nb: 2\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n\u{feff}---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n...\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\u{85}---\u{85}apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n",
    " ---\na: 1\n",
    "a: |\n ---\n",
    // What kubectl refuses in an object's identity.
    "kind: Service\n",
    "apiVersion: v1\nkind: 1\n",
    "apiVersion: 1\nkind: Service\n",
    "items: 1\n",
    "items: {}\n",
    "items: ~\n",
    "items: [1, a, {kind: Service}]\n",
    "kind: !!str\napiVersion: v1\n",
    "kind: ~\napiVersion: v1\n",
    "kind: [Service]\napiVersion: v1\n",
    "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: List, items: [{kind: Service}]}]\n",
    "apiVersion: v1\nkind: List\nitems: !!seq ~\n",
];

/// Byte-level edges (not UTF-8, or NUL).
const BYTE_EDGES: &[&[u8]] =
    &[b"a: \xff\n", b"a: \xc3\n", b"\xef\xbb\xbfa: 1\n", b"a: \0\n", b"\"\xed\xa0\x80\": 1\n", b"a: 1\n\xfe"];

/// Generated edges: nesting near go-yaml's limit, aliases near its budget, keys near its
/// 1024-character limit for simple keys.
fn generated_edges() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for d in [100, 1000, 9999, 10000, 10001, 10002] {
        out.push(format!("{}a{}\n", "[".repeat(d), "]".repeat(d)).into_bytes());
        out.push(format!("{}a{}\n", "{a: ".repeat(d), "}".repeat(d)).into_bytes());
    }
    for d in [100, 2000] {
        out.push(format!("{}a\n", "- ".repeat(d)).into_bytes());
        let mut s = String::new();
        for i in 0..d {
            s.push_str(&format!("{}k:\n", " ".repeat(i)));
        }
        out.push(s.into_bytes());
    }
    // Billion laughs, in growing sizes.
    for (levels, width) in [(3, 3), (5, 5), (6, 9), (7, 9), (9, 9), (4, 40), (5, 40)] {
        let mut s = String::from("a0: &a0 x\n");
        for l in 1..=levels {
            let refs: Vec<String> = (0..width).map(|_| format!("*a{}", l - 1)).collect();
            s.push_str(&format!("a{l}: &a{l} [{}]\n", refs.join(", ")));
        }
        out.push(s.into_bytes());
    }
    // Many aliases of a small anchor.
    for n in [100, 10000] {
        out.push(format!("a: &a x\nb: [{}]\n", vec!["*a"; n].join(", ")).into_bytes());
    }
    for n in [1023, 1024, 1025, 1030] {
        out.push(format!("{}: v\n", "k".repeat(n)).into_bytes());
        out.push(format!("{{{}: v}}\n", "k".repeat(n)).into_bytes());
        out.push(format!("\"{}\": v\n", "k".repeat(n - 2)).into_bytes());
        out.push(format!("? {}\n: v\n", "k".repeat(n)).into_bytes());
    }
    out.push(format!("a: {}\n", "x".repeat(100_000)).into_bytes());
    out
}

#[test]
fn edges_read_and_check_as_go_reads_them() {
    let started = Instant::now();
    let mut texts: Vec<Vec<u8>> = EDGES.iter().map(|s| s.as_bytes().to_vec()).collect();
    texts.extend(BYTE_EDGES.iter().map(|b| b.to_vec()));
    texts.extend(generated_edges());
    // Each edge also with CRLF line ends.
    let crlf: Vec<Vec<u8>> =
        EDGES.iter().filter(|s| !s.contains('\r')).map(|s| s.replace('\n', "\r\n").into_bytes()).collect();
    texts.extend(crlf);
    let cases: Vec<Case> = texts.into_iter().map(|text| Case { text, features: BTreeSet::new() }).collect();
    let go = go_eval_cases(&cases);
    let idx: Vec<usize> = (0..cases.len()).collect();
    let verdicts = parallel(&idx, |&i| judge_case(&cases[i], &go[i], Some(false)));
    let mut failures: Vec<(String, String)> = Vec::new();
    for (i, v) in verdicts.into_iter().enumerate() {
        if let Err(f) = v {
            let text = String::from_utf8_lossy(&cases[i].text);
            let shown: String = if text.len() > 300 {
                format!("{}... ({} bytes)", text.chars().take(120).collect::<String>(), text.len())
            } else {
                text.into_owned()
            };
            failures.push((f.kind.clone(), format!("case {shown:?}\n  {}", f.detail.replace(&*shown, "..."))));
        }
    }
    failures.sort();
    eprintln!("[edges] {} cases, {} failed, {:.1}s", cases.len(), failures.len(), started.elapsed().as_secs_f64());
    let report: Vec<String> = failures.iter().map(|(k, d)| format!("{k}\n  {d}")).collect();
    assert!(failures.is_empty(), "{} of {} edges fail:\n{}", failures.len(), cases.len(), report.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Class 4, mutated: corpus documents with a few YAML-significant edits (rule a).

/// Every non-empty piece of the corpus, as Go splits it.
fn corpus_pieces() -> &'static [String] {
    use std::sync::OnceLock;
    static P: OnceLock<Vec<String>> = OnceLock::new();
    P.get_or_init(|| {
        let mut out = Vec::new();
        for f in corpus_files() {
            let text = std::fs::read_to_string(&f).unwrap();
            for r in go_split(text.as_bytes()) {
                let piece = text[r].trim_start_matches('\n').to_string();
                if piece.contains(':') {
                    out.push(piece);
                }
            }
        }
        out
    })
}

const TOKENS: &[&str] = &[
    ":", " ", "\t", "\n", "- ", "#", "'", "\"", "{", "}", "[", "]", ",", "&a ", "*a", "!!str ", "? ", "|", ">", "\\",
    "~", "<<: ", "\r\n", "  ", "%", "!!int ", ": ", " #", "...", "\u{a0}", "\u{2028}", "@", "`", "0x", ".inf", "yes",
];

fn render_mutant(bytes: &[u8]) -> Case {
    let mut c = Chooser::new(bytes);
    let pieces = corpus_pieces();
    let which = (c.byte() as usize * 256 + c.byte() as usize) % pieces.len();
    let mut text = pieces[which].clone();
    let edits = 1 + c.below(4);
    for _ in 0..edits {
        let lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
        let line = (c.byte() as usize * 256 + c.byte() as usize) % lines.len().max(1);
        let mut at = (c.byte() as usize * 256 + c.byte() as usize) % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        match c.below(8) {
            0 | 1 => {
                let t = c.pick(TOKENS);
                c.feature(format!("insert {t:?}"));
                text.insert_str(at, t);
            }
            2 => {
                c.feature("delete bytes");
                let mut end = (at + 1 + c.below(8)).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(at..end, "");
            }
            3 => {
                c.feature("duplicate line");
                let mut l = lines.clone();
                if let Some(x) = lines.get(line) {
                    l.insert(line, x.clone());
                }
                text = l.concat();
            }
            4 => {
                c.feature("delete line");
                let mut l = lines.clone();
                if line < l.len() {
                    l.remove(line);
                }
                text = l.concat();
            }
            5 => {
                c.feature("indent line");
                let mut l = lines.clone();
                if let Some(x) = l.get_mut(line) {
                    x.insert_str(0, c.pick(&[" ", "  ", "\t"]));
                }
                text = l.concat();
            }
            6 => {
                c.feature("dedent line");
                let mut l = lines.clone();
                if let Some(x) = l.get_mut(line) {
                    if x.starts_with(' ') {
                        x.remove(0);
                    }
                }
                text = l.concat();
            }
            _ => {
                c.feature("swap lines");
                let mut l = lines.clone();
                if line + 1 < l.len() {
                    l.swap(line, line + 1);
                }
                text = l.concat();
            }
        }
    }
    // Keep out the documented divergences: no new separator lines, no lone CR.
    let bad_separator = text.split('\n').any(|l| l.starts_with("---"));
    let lone_cr = text.as_bytes().windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n') || text.ends_with('\r');
    if bad_separator || lone_cr {
        return Case { text: pieces[which].clone().into_bytes(), features: BTreeSet::new() };
    }
    c.done(text)
}

#[test]
fn mutated_corpus_documents_read_as_go_reads_them() {
    run_class("corpus-mutants", 256, 24, render_mutant, None);
}
