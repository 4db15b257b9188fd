//! Meaning: a syntax tree resolved into the JSON value Go's reader (go-yaml v2 through
//! sigs.k8s.io/yaml) produces, and the way back from a JSON path to the node that gives it.
//!
//! go-yaml v2's rules, which differ from YAML 1.2 and from go-yaml v3: the last of duplicate keys
//! wins; a merge key (`<<`) copies keys in where it stands, so a key after it overrides the merged
//! one and a key before it is overridden; in a list of merges the earlier mapping wins; non-string
//! keys become strings (`on:` is the key "true").

use super::parse::{Map, Node, NodeKind, Style};
use super::scalar::{float_to_json, resolve_plain, Plain};
use serde_json::{Map as JsonMap, Number, Value};

/// How many values aliases may expand to in one document. A real manifest stays in the
/// thousands; a "billion laughs" document reaches this in microseconds and stops.
pub const MAX_EXPANDED_VALUES: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub offset: usize,
    pub message: String,
}

type Result<T> = std::result::Result<T, ValueError>;

fn err(node: &Node, message: impl Into<String>) -> ValueError {
    ValueError { offset: node.span.start, message: message.into() }
}

/// Anchors in document order, so an alias finds the definition nearest before it.
pub struct Anchors<'n> {
    defs: Vec<(&'n str, &'n Node)>,
}

impl<'n> Anchors<'n> {
    pub fn collect(root: &'n Node) -> Self {
        let mut defs = Vec::new();
        collect_anchors(root, &mut defs);
        defs.sort_by_key(|(_, n)| n.span.start);
        Anchors { defs }
    }

    pub fn lookup(&self, name: &str, before: usize) -> Option<&'n Node> {
        self.defs.iter().rev().find(|(n, node)| *n == name && node.span.start < before).map(|(_, node)| *node)
    }
}

fn collect_anchors<'n>(node: &'n Node, out: &mut Vec<(&'n str, &'n Node)>) {
    if let Some(a) = &node.anchor {
        out.push((a.as_str(), node));
    }
    match &node.kind {
        NodeKind::Map(m) => {
            for e in &m.entries {
                collect_anchors(&e.key, out);
                collect_anchors(&e.value, out);
            }
        }
        NodeKind::Seq(s) => s.items.iter().for_each(|i| collect_anchors(&i.node, out)),
        _ => {}
    }
}

/// Resolves a document into JSON as Go reads it.
pub fn to_json(root: &Node) -> Result<Value> {
    let anchors = Anchors::collect(root);
    let mut r = Resolver { anchors: &anchors, budget: MAX_EXPANDED_VALUES, depth: 0 };
    r.value(root)
}

struct Resolver<'a, 'n> {
    anchors: &'a Anchors<'n>,
    budget: usize,
    depth: usize,
}

impl Resolver<'_, '_> {
    fn spend(&mut self, node: &Node, n: usize) -> Result<()> {
        if n > self.budget {
            return Err(err(
                node,
                format!("aliases expand this document beyond {MAX_EXPANDED_VALUES} values (an alias bomb?)"),
            ));
        }
        self.budget -= n;
        Ok(())
    }

    fn value(&mut self, node: &Node) -> Result<Value> {
        self.spend(node, 1)?;
        match &node.kind {
            NodeKind::Scalar { style, text } => scalar_value(node, *style, text),
            NodeKind::Alias(name) => {
                let target = self
                    .anchors
                    .lookup(name, node.span.start)
                    .ok_or_else(|| err(node, format!("unknown anchor '{name}' referenced")))?;
                // An alias repeats its anchor's value; resolving again keeps it simple and the
                // budget counts every copy, which is what bounds alias bombs.
                self.depth += 1;
                if self.depth > super::parse::MAX_DEPTH {
                    return Err(err(node, "aliases nest too deeply"));
                }
                let v = self.value(target);
                self.depth -= 1;
                v
            }
            NodeKind::Seq(s) => {
                s.items.iter().map(|i| self.value(&i.node)).collect::<Result<Vec<_>>>().map(Value::Array)
            }
            NodeKind::Map(m) => self.map(m).map(Value::Object),
        }
    }

    fn map(&mut self, m: &Map) -> Result<JsonMap<String, Value>> {
        let mut out = JsonMap::new();
        for e in &m.entries {
            if is_merge_key(&e.key) {
                self.merge(&e.value, &mut out)?;
                continue;
            }
            let key = self.key(&e.key)?;
            let value = self.value(&e.value)?;
            out.insert(key, value);
        }
        Ok(out)
    }

    fn merge(&mut self, node: &Node, out: &mut JsonMap<String, Value>) -> Result<()> {
        let sources: Vec<&Node> = match &node.kind {
            NodeKind::Seq(s) => s.items.iter().rev().map(|i| &i.node).collect(),
            _ => vec![node],
        };
        for src in sources {
            match self.value(src)? {
                Value::Object(m) => out.extend(m),
                _ => return Err(err(src, "a merge key ('<<') needs a mapping or a list of mappings")),
            }
        }
        Ok(())
    }

    fn key(&mut self, node: &Node) -> Result<String> {
        match self.value(node)? {
            Value::String(s) => Ok(s),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Null => Err(err(node, "a null mapping key cannot be converted to JSON")),
            _ => Err(err(node, "a collection cannot be a mapping key")),
        }
    }
}

pub fn is_merge_key(key: &Node) -> bool {
    match (&key.kind, key.tag.as_deref()) {
        (NodeKind::Scalar { text, .. }, Some("!!merge" | "tag:yaml.org,2002:merge")) => text == "<<",
        (NodeKind::Scalar { style: Style::Plain, text }, None) => text == "<<",
        _ => false,
    }
}

fn normalize_tag(tag: &str) -> &str {
    tag.strip_prefix("tag:yaml.org,2002:")
        .or_else(|| tag.strip_prefix("!<tag:yaml.org,2002:").and_then(|t| t.strip_suffix('>')))
        .or_else(|| tag.strip_prefix("!!"))
        .unwrap_or(tag)
}

fn scalar_value(node: &Node, style: Style, text: &str) -> Result<Value> {
    let tag = node.tag.as_deref().map(|t| {
        if t.starts_with("!!") || t.starts_with("tag:") || t.starts_with("!<") {
            normalize_tag(t)
        } else {
            t
        }
    });
    let plain = match (tag, style) {
        (None, Style::Plain) => resolve_plain(text),
        (None, _) | (Some("str" | "timestamp"), _) => return Ok(Value::String(text.to_string())),
        (Some(t @ ("int" | "float" | "bool" | "null")), _) => {
            let p = resolve_plain(text);
            let ok = matches!(
                (t, &p),
                ("int", Plain::Int(_) | Plain::Uint(_))
                    | ("float", Plain::Float(_) | Plain::Int(_) | Plain::Uint(_))
                    | ("bool", Plain::Bool(_))
                    | ("null", Plain::Null)
            );
            if !ok {
                return Err(err(node, format!("cannot read '{text}' as !!{t}")));
            }
            p
        }
        (Some("binary"), _) => return Err(err(node, "!!binary scalars are not supported")),
        // Go reads a scalar with any other tag as its text.
        (Some(_), _) => return Ok(Value::String(text.to_string())),
    };
    Ok(match plain {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(i) => Value::Number(Number::from(i)),
        Plain::Uint(u) => Value::Number(Number::from(u)),
        Plain::Float(f) => float_to_json(f).ok_or_else(|| {
            err(node, format!("'{text}' is not a finite number; Helm cannot convert it to JSON either"))
        })?,
        Plain::Merge | Plain::Str => Value::String(text.to_string()),
    })
}

/// The string a key node stands for, without the budget (keys are scalars in manifests).
pub fn key_string(key: &Node) -> Option<String> {
    match &key.kind {
        NodeKind::Scalar { style, text } => match scalar_value(key, *style, text).ok()? {
            Value::String(s) => Some(s),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// One step of a path through the tree: the container, which entry or item, and the node.
#[derive(Debug, Clone, Copy)]
pub struct Hop<'n> {
    pub container: &'n Node,
    pub index: usize,
    pub node: &'n Node,
}

/// Follows a JSON pointer through nodes the document itself holds. It stops where the value
/// comes from somewhere else (an alias or a merge key) or where the path leaves the tree; the
/// hops returned are the part of the path that can be edited in place.
pub fn locate<'n>(root: &'n Node, anchors: &Anchors<'n>, path: &[String]) -> Vec<Hop<'n>> {
    let mut hops = Vec::new();
    let mut cur = root;
    for token in path {
        let next = match &cur.kind {
            NodeKind::Map(m) => own_entry(m, token, anchors).map(|i| (i, &m.entries[i].value)),
            NodeKind::Seq(s) => {
                token.parse::<usize>().ok().filter(|&i| i < s.items.len()).map(|i| (i, &s.items[i].node))
            }
            _ => None,
        };
        let Some((index, node)) = next else { break };
        hops.push(Hop { container: cur, index, node });
        cur = node;
    }
    hops
}

/// The entry that gives `key` its value, if the mapping holds it itself: the last entry with that
/// key, unless a merge after it supplies the key again.
pub fn own_entry(m: &Map, key: &str, anchors: &Anchors) -> Option<usize> {
    let mut winner = None;
    for (i, e) in m.entries.iter().enumerate() {
        if is_merge_key(&e.key) {
            if merge_provides(&e.value, key, anchors, 0) {
                winner = None;
            }
        } else if key_string(&e.key).as_deref() == Some(key) {
            winner = Some(i);
        }
    }
    winner
}

fn merge_provides(node: &Node, key: &str, anchors: &Anchors, depth: usize) -> bool {
    if depth > 64 {
        return true;
    }
    match &node.kind {
        NodeKind::Alias(name) => {
            anchors.lookup(name, node.span.start).is_some_and(|n| merge_provides(n, key, anchors, depth + 1))
        }
        NodeKind::Seq(s) => s.items.iter().any(|i| merge_provides(&i.node, key, anchors, depth + 1)),
        NodeKind::Map(m) => m.entries.iter().any(|e| {
            if is_merge_key(&e.key) {
                merge_provides(&e.value, key, anchors, depth + 1)
            } else {
                key_string(&e.key).as_deref() == Some(key)
            }
        }),
        NodeKind::Scalar { .. } => false,
    }
}
