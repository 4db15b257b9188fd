//! Properties of the YAML layer over generated documents: random Service-like values written in
//! random styles (block or flow, JSON, every quoting, comments, indentation), edited to random
//! targets.
//! - the reader agrees with Go's reader on every generated document and every edited one;
//! - the edited text means exactly the target;
//! - a subtree whose value did not change keeps its exact bytes.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use serde_json::{json, Value};
use svcpolicy::yaml;
use svcpolicy::yaml::compose;
use svcpolicy::yaml::tree::{Node, NodeKind};
use svcpolicy::yaml::value::key_string;

const RISKY: &[&str] = &[
    "web",
    "yes",
    "on",
    "y",
    "n",
    "No",
    "0644",
    "1e3",
    "1_000",
    "0x1F",
    "true",
    "null",
    "~",
    "",
    "a: b",
    "a #b",
    "- x",
    "it's",
    "quo\"te",
    "two\nlines",
    " lead",
    "trail ",
    "ünï",
    "*star",
    "&amp",
    "!bang",
    "%pct",
    "@at",
    "{x}",
    "[y]",
    "2001-12-14",
    "12:30",
    "1.2.3",
    ".5",
    "+12",
    "<<",
    "http",
    "ClusterIP",
    "a,b",
    "x:y",
    "#hash",
    "tab\there",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(RISKY).prop_map(Value::from),
        2 => "[a-z][a-z0-9-]{0,8}".prop_map(Value::from),
        2 => (0u32..70000).prop_map(Value::from),
        1 => (-500i64..500).prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
        1 => Just(Value::Null),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-zA-Z0-9]{0,8}",
        1 => prop::sample::select(&["on", "y", "no", "app.kubernetes.io/name", "with space", "0644", "x-y"][..]).prop_map(str::to_string),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn service() -> impl Strategy<Value = Value> {
    let port =
        ("[a-z]{1,6}", 1u32..65536, prop::option::of(30000u32..32768), prop::sample::select(&["TCP", "UDP"][..]))
            .prop_map(|(name, port, node_port, proto)| {
                let mut p = json!({"name": name, "port": port, "protocol": proto});
                if let Some(n) = node_port {
                    p["nodePort"] = n.into();
                }
                p
            });
    (
        "[a-z]{1,10}",
        prop::collection::btree_map(key(), scalar(), 0..4),
        prop::option::of(prop::sample::select(&["ClusterIP", "NodePort", "LoadBalancer"][..])),
        prop::collection::vec(port, 1..4),
        prop::option::of(value()),
    )
        .prop_map(|(name, labels, t, ports, extra)| {
            let mut svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": labels}, "spec": {"ports": ports}});
            if let Some(t) = t {
                svc["spec"]["type"] = t.into();
            }
            if let Some(extra) = extra {
                svc["spec"]["extra"] = extra;
            }
            svc
        })
}

/// How a generated document is written.
#[derive(Debug, Clone)]
struct Style {
    indent: usize,
    indent_sequences: bool,
    /// Mappings deeper than this are written in flow style.
    flow_below: usize,
    quote: u8,
    comments: bool,
    json: bool,
    crlf: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop::sample::select(&[2usize, 4][..]),
        any::<bool>(),
        1usize..6,
        0u8..3,
        any::<bool>(),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(indent, indent_sequences, flow_below, quote, comments, json, crlf)| Style {
            indent,
            indent_sequences,
            flow_below,
            quote,
            comments,
            json,
            crlf,
        })
}

fn plain_ok(s: &str) -> bool {
    let bare = s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '/') && !s.is_empty();
    bare && svcpolicy::yaml::scalar::resolve_plain(s) == svcpolicy::yaml::scalar::Plain::Str && !s.starts_with('-')
}

fn write_scalar(v: &Value, st: &Style, salt: usize) -> String {
    match v {
        Value::String(s) if plain_ok(s) && (st.quote + salt as u8) % 3 == 0 => s.clone(),
        Value::String(s) if (st.quote + salt as u8) % 3 == 1 && !s.chars().any(|c| c.is_control()) => {
            format!("'{}'", s.replace('\'', "''"))
        }
        Value::String(s) => serde_json::to_string(s).unwrap(),
        Value::Null => ["null", "~", ""][salt % 3].to_string(),
        Value::Bool(b) => {
            if salt % 2 == 0 {
                b.to_string()
            } else if *b {
                "yes".into()
            } else {
                "off".into()
            }
        }
        Value::Number(n) => n.to_string(),
        _ => unreachable!(),
    }
}

fn write_key(k: &str, st: &Style, salt: usize) -> String {
    write_scalar(&Value::from(k), st, salt)
}

fn write_flow(v: &Value, st: &Style, salt: usize) -> String {
    match v {
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .enumerate()
                .map(|(i, (k, v))| format!("{}: {}", write_key(k, st, salt + i), write_flow(v, st, salt + i + 1)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().enumerate().map(|(i, v)| write_flow(v, st, salt + i)).collect::<Vec<_>>().join(", ")
        ),
        Value::Null => "null".into(),
        s => write_scalar(s, st, salt),
    }
}

fn write_block(v: &Value, st: &Style, depth: usize, col: usize, out: &mut Vec<String>, salt: &mut usize) {
    *salt += 1;
    let pad = " ".repeat(col);
    match v {
        Value::Object(m) if !m.is_empty() && depth < st.flow_below => {
            for (k, v) in m {
                *salt += 1;
                if st.comments && *salt % 5 == 0 {
                    out.push(format!("{pad}# comment {salt}"));
                }
                let key = write_key(k, st, *salt);
                match v {
                    Value::Object(c) if !c.is_empty() && depth + 1 < st.flow_below => {
                        out.push(format!("{pad}{key}:"));
                        write_block(v, st, depth + 1, col + st.indent, out, salt);
                    }
                    Value::Array(a) if !a.is_empty() && depth + 1 < st.flow_below => {
                        out.push(format!("{pad}{key}:"));
                        let c = if st.indent_sequences { col + st.indent } else { col };
                        write_block(v, st, depth + 1, c, out, salt);
                    }
                    _ => {
                        let text = if v.is_object() || v.is_array() {
                            write_flow(v, st, *salt)
                        } else {
                            write_scalar(v, st, *salt)
                        };
                        let sep = if text.is_empty() { "" } else { " " };
                        let trailing = if st.comments && *salt % 7 == 0 && !text.is_empty() {
                            format!(" # trailing {salt}")
                        } else {
                            String::new()
                        };
                        out.push(format!("{pad}{key}:{sep}{text}{trailing}"));
                    }
                }
            }
        }
        Value::Array(a) if !a.is_empty() && depth < st.flow_below => {
            for item in a {
                *salt += 1;
                match item {
                    Value::Object(m) if !m.is_empty() && depth + 1 < st.flow_below => {
                        let mut inner = Vec::new();
                        write_block(item, st, depth + 1, col + 2, &mut inner, salt);
                        let first = inner.iter().position(|l| !l.trim_start().starts_with('#')).unwrap_or(0);
                        for (i, line) in inner.iter().enumerate() {
                            if i == first {
                                out.push(format!("{pad}- {}", line.trim_start()));
                            } else if i < first {
                                out.push(format!("{pad}  {}", line.trim_start()));
                            } else {
                                out.push(line.clone());
                            }
                        }
                    }
                    _ => {
                        let text = if item.is_object() || item.is_array() {
                            write_flow(item, st, *salt)
                        } else {
                            write_scalar(item, st, *salt)
                        };
                        out.push(format!("{pad}- {text}").trim_end().to_string());
                    }
                }
            }
        }
        other => out.push(format!("{pad}{}", write_flow(other, st, *salt))),
    }
}

fn write_document(v: &Value, st: &Style) -> String {
    let text = if st.json {
        serde_json::to_string_pretty(v).unwrap() + "\n"
    } else {
        let mut lines = vec!["# Source: chart/templates/service.yaml".to_string()];
        write_block(v, st, 0, 0, &mut lines, &mut 0);
        lines.join("\n") + "\n"
    };
    if st.crlf {
        text.replace('\n', "\r\n")
    } else {
        text
    }
}

/// Every path in a value, as JSON pointer tokens.
fn paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                prefix.push(k.clone());
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                prefix.push(i.to_string());
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at_mut<'v>(v: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(v, |v, t| match v {
        Value::Object(m) => m.get_mut(t).unwrap(),
        Value::Array(a) => &mut a[t.parse::<usize>().unwrap()],
        _ => unreachable!(),
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(Index, Value),
    Remove(Index),
    Add(Index, String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), value()).prop_map(|(i, v)| Mutation::Set(i, v)),
        any::<Index>().prop_map(Mutation::Remove),
        (any::<Index>(), key(), value()).prop_map(|(i, k, v)| Mutation::Add(i, k, v)),
    ]
}

fn mutate(v: &Value, muts: &[Mutation]) -> Value {
    let mut t = v.clone();
    for m in muts {
        let mut all = Vec::new();
        paths(&t, &mut Vec::new(), &mut all);
        match m {
            Mutation::Set(i, new) => {
                let p = i.get(&all).clone();
                if !p.is_empty() {
                    *at_mut(&mut t, &p) = new.clone();
                }
            }
            Mutation::Remove(i) => {
                let p = i.get(&all).clone();
                if let Some((last, parent)) = p.split_last() {
                    match at_mut(&mut t, parent) {
                        Value::Object(m) => {
                            m.shift_remove(last);
                        }
                        Value::Array(a) => {
                            a.remove(last.parse::<usize>().unwrap());
                        }
                        _ => {}
                    }
                }
            }
            Mutation::Add(i, k, new) => {
                let p = i.get(&all).clone();
                match at_mut(&mut t, &p) {
                    Value::Object(m) => {
                        m.insert(k.clone(), new.clone());
                    }
                    Value::Array(a) => a.push(new.clone()),
                    _ => {}
                }
            }
        }
    }
    t
}

/// Subtrees whose value is the same before and after keep their exact text.
fn assert_untouched_bytes_kept(before: &str, after: &str, current: &Value, target: &Value) {
    let (Ok(Some(a)), Ok(Some(b))) = (compose::document(before.as_bytes()), compose::document(after.as_bytes())) else {
        panic!("both parse")
    };
    compare(before, after, &a, &b, current, target);
}

fn compare(before: &str, after: &str, a: &Node, b: &Node, current: &Value, target: &Value) {
    if current == target {
        assert_eq!(&before[a.span.clone()], &after[b.span.clone()], "an unchanged value was rewritten");
        return;
    }
    if let (NodeKind::Map(ma), NodeKind::Map(mb), Value::Object(ca), Value::Object(cb)) =
        (&a.kind, &b.kind, current, target)
    {
        for ea in &ma.entries {
            let Some(k) = key_string(&ea.key) else {
                continue;
            };
            let Some(eb) = mb.entries.iter().rev().find(|e| key_string(&e.key).as_deref() == Some(k.as_str())) else {
                continue;
            };
            if let (Some(x), Some(y)) = (ca.get(&k), cb.get(&k)) {
                compare(before, after, &ea.value, &eb.value, x, y);
            }
        }
    }
}

struct Case {
    edited: String,
    target: Value,
    original: String,
    current: Value,
}

fn run_case(svc: &Value, st: &Style, muts: &[Mutation]) -> Case {
    let text = write_document(svc, st);
    let current = yaml::read(&text).unwrap_or_else(|e| panic!("generated text does not read: {e}\n{text}")).unwrap();
    let target = mutate(&current, muts);
    let edited = yaml::edit_to(&text, &current, &target).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let reread = yaml::read(&edited).unwrap_or_else(|e| panic!("edited text does not read: {e}\n{edited}")).unwrap();
    assert_eq!(reread, target, "edited text means something else:\n{text}\n=>\n{edited}");
    assert_untouched_bytes_kept(&text, &edited, &current, &target);
    Case { edited, target, original: text, current }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn edits_mean_the_target_and_keep_untouched_bytes(svc in service(), st in style(), muts in prop::collection::vec(mutation(), 1..5)) {
        run_case(&svc, &st, &muts);
    }
}

/// The same generated cases, judged by Go: the reader agrees with Go on the input, and Go reads
/// the edited text as the target.
#[test]
fn go_reads_generated_and_edited_documents_as_we_do() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (service(), style(), prop::collection::vec(mutation(), 1..5));
    let mut stream = String::new();
    let mut expected = Vec::new();
    for _ in 0..1000 {
        let (svc, st, muts) = strategy.new_tree(&mut runner).unwrap().current();
        let case = run_case(&svc, &st, &muts);
        for (text, value) in [(&case.original, &case.current), (&case.edited, &case.target)] {
            stream.push_str("---\n");
            stream.push_str(text);
            if !text.ends_with('\n') {
                stream.push('\n');
            }
            expected.push(value.clone());
        }
    }
    let go = crate::support::go_documents(stream.as_bytes());
    assert_eq!(go.len(), expected.len(), "Go read a different number of documents");
    for (i, (g, e)) in go.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "document {i}: Go reads it differently");
    }
}
