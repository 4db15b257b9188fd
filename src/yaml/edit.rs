//! In-place edits. A change is given as the JSON the document should mean; the difference from
//! what it means now becomes RFC 6902 operations (json-patch's `diff`), and each operation becomes
//! a splice of the text: a scalar replaced, an entry inserted beside its siblings with their
//! indentation, an entry or item deleted with its line, in block and in flow style. Every other
//! byte stays. After each operation the text is read again and must mean exactly the expected
//! JSON; where a minimal splice cannot (a value that comes through an alias or a merge key), the
//! nearest enclosing node the document itself holds is rewritten, and if even that fails, the
//! edit is refused rather than emitted wrong.

use super::compose;
use super::scalar::{format_scalar, Quote};
use super::tree::{Map, Node, NodeKind, Seq, Style};
use super::value::{locate, own_entry, to_json, Anchors, Hop};
use super::write;
use json_patch::{Patch, PatchOperation};
use serde_json::Value;

/// Why a document could not be edited in place to mean its target. The run then fails: a
/// document is never written half-edited or re-serialised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EditError(pub String);

/// Rewrites `text` (which means `current`) so that it means `target`.
pub fn edit_to(text: &str, current: &Value, target: &Value) -> Result<String, EditError> {
    let Patch(ops) = json_patch::diff(current, target);
    // Almost always every operation is a plain splice: do them all, then check once.
    if let Some(doc) = splice_all(text, current, &ops) {
        if reads_as(&doc, target) {
            return Ok(doc);
        }
    }
    // Otherwise check each operation, rewriting enclosing nodes where a splice is not enough.
    let mut doc = text.to_string();
    let mut now = current.clone();
    for op in ops {
        let mut next = now.clone();
        json_patch::patch(&mut next, std::slice::from_ref(&op))
            .map_err(|e| EditError(format!("internal error: cannot apply {op}: {e}")))?;
        doc = apply_op(&doc, &op, &next)?;
        now = next;
    }
    if reads_as(&doc, target) {
        Ok(doc)
    } else {
        Err(EditError("internal error: the edited document does not mean what was planned; nothing was written".into()))
    }
}

/// The proof that an edit is right: Go's reader reads the text as exactly the expected value.
fn reads_as(doc: &str, expected: &Value) -> bool {
    matches!(super::read(doc), Ok(Some(v)) if &v == expected)
}

fn splice_all(text: &str, current: &Value, ops: &[PatchOperation]) -> Option<String> {
    let root = parse(text).ok()?;
    let anchors = Anchors::collect(&root);
    if let Some(doc) = splice_at_once(text, &root, &anchors, current, ops) {
        return Some(doc);
    }
    let mut doc = splice(text, minimal_splice(text, &root, &anchors, ops.first()?)?);
    for op in &ops[1..] {
        let root = parse(&doc).ok()?;
        let anchors = Anchors::collect(&root);
        let s = minimal_splice(&doc, &root, &anchors, op)?;
        doc = splice(&doc, s);
    }
    Some(doc)
}

/// All splices taken from one reading of the text and applied back to front, when the
/// operations cannot disturb each other: none adds or removes a list item (which would move the
/// items after it), none lies inside another, and no two touch the same bytes.
fn splice_at_once(
    text: &str,
    root: &Node,
    anchors: &Anchors,
    current: &Value,
    ops: &[PatchOperation],
) -> Option<String> {
    let paths: Vec<Vec<String>> = ops.iter().map(op_path).collect::<Result<_, _>>().ok()?;
    for (op, path) in ops.iter().zip(&paths) {
        let parent = pointer(current, &path[..path.len().saturating_sub(1)]);
        if !matches!(op, PatchOperation::Replace(_)) && parent.is_some_and(Value::is_array) {
            return None;
        }
    }
    let nested =
        paths.iter().enumerate().any(|(i, a)| paths.iter().enumerate().any(|(j, b)| i != j && b.starts_with(a)));
    if nested {
        return None;
    }
    let mut splices: Vec<Splice> =
        ops.iter().map(|op| minimal_splice(text, root, anchors, op)).collect::<Option<_>>()?;
    splices.sort_by_key(|s| std::cmp::Reverse(s.range.start));
    if splices.windows(2).any(|w| w[1].range.end > w[0].range.start || w[1].range.start == w[0].range.start) {
        return None;
    }
    let mut doc = text.to_string();
    for s in splices {
        doc.replace_range(s.range, &s.text);
    }
    Some(doc)
}

fn tokens(p: &json_patch::jsonptr::Pointer) -> Vec<String> {
    p.tokens().map(|t| t.decoded().into_owned()).collect()
}

fn op_path(op: &PatchOperation) -> Result<Vec<String>, EditError> {
    match op {
        PatchOperation::Add(o) => Ok(tokens(&o.path)),
        PatchOperation::Remove(o) => Ok(tokens(&o.path)),
        PatchOperation::Replace(o) => Ok(tokens(&o.path)),
        other => Err(EditError(format!("internal error: unexpected operation {other}"))),
    }
}

struct Splice {
    range: std::ops::Range<usize>,
    text: String,
}

/// The smallest splice that performs `op`, where the document holds the whole path itself.
fn minimal_splice(doc: &str, root: &Node, anchors: &Anchors, op: &PatchOperation) -> Option<Splice> {
    let path = op_path(op).ok()?;
    match op {
        PatchOperation::Replace(o) => replace_at(doc, root, anchors, &path, &o.value),
        PatchOperation::Add(o) => add_at(doc, root, anchors, &path, &o.value),
        PatchOperation::Remove(_) => remove_at(doc, root, anchors, &path),
        _ => None,
    }
}

fn apply_op(doc: &str, op: &PatchOperation, next: &Value) -> Result<String, EditError> {
    let path = op_path(op)?;
    let root = parse(doc)?;
    let anchors = Anchors::collect(&root);
    if let Some(s) = minimal_splice(doc, &root, &anchors, op) {
        let out = splice(doc, s);
        if means(&out, next) {
            return Ok(out);
        }
    }
    // Rewrite ever larger enclosing nodes until the text means what it should.
    let hops = locate(&root, &anchors, &path);
    for depth in (0..=hops.len().min(path.len().saturating_sub(1))).rev() {
        let prefix = &path[..depth];
        let Some(value) = pointer(next, prefix) else {
            continue;
        };
        let s = match depth {
            0 => rewrite_root(doc, &root, value),
            d => rewrite_hop(doc, &hops[d - 1], value),
        };
        let out = splice(doc, s);
        if means(&out, next) {
            return Ok(out);
        }
    }
    Err(EditError(format!("internal error: could not edit /{} in place without changing other values", path.join("/"))))
}

fn parse(doc: &str) -> Result<Node, EditError> {
    match compose::document(doc.as_bytes()) {
        Ok(Some(root)) => Ok(root),
        Ok(None) => Err(EditError("internal error: the document to edit is empty".into())),
        Err(e) => Err(EditError(format!("internal error: the edited document no longer parses: {}", e.message))),
    }
}

fn means(doc: &str, expected: &Value) -> bool {
    matches!(compose::document(doc.as_bytes()), Ok(Some(root)) if to_json(&root).is_ok_and(|v| &v == expected))
}

fn pointer<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, t| match v {
        Value::Object(m) => m.get(t),
        Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

fn splice(doc: &str, s: Splice) -> String {
    let mut out = String::with_capacity(doc.len() + s.text.len());
    out.push_str(&doc[..s.range.start]);
    out.push_str(&s.text);
    out.push_str(&doc[s.range.end..]);
    out
}

fn newline(doc: &str) -> &'static str {
    if doc.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

fn line_start(doc: &str, pos: usize) -> usize {
    doc[..pos].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `pos`, before its line break.
fn line_end(doc: &str, pos: usize) -> usize {
    let end = doc[pos..].find('\n').map_or(doc.len(), |i| pos + i);
    if end > pos && doc.as_bytes()[end - 1] == b'\r' && end < doc.len() {
        end - 1
    } else {
        end
    }
}

/// Just past the line break that ends the line holding `pos`.
fn after_line(doc: &str, pos: usize) -> usize {
    doc[pos..].find('\n').map_or(doc.len(), |i| pos + i + 1)
}

fn only_spaces_before(doc: &str, pos: usize) -> bool {
    doc[line_start(doc, pos)..pos].bytes().all(|c| c == b' ')
}

fn column(doc: &str, pos: usize) -> usize {
    pos - line_start(doc, pos)
}

fn quote_of(node: &Node) -> Quote {
    match &node.kind {
        NodeKind::Scalar { style: Style::SingleQuoted, .. } => Quote::Single,
        NodeKind::Scalar { style: Style::DoubleQuoted, .. } => Quote::Double,
        _ => Quote::Plain,
    }
}

fn json_style(m: &Map) -> bool {
    m.flow
        && m.entries.first().is_some_and(|e| matches!(e.key.kind, NodeKind::Scalar { style: Style::DoubleQuoted, .. }))
}

/// The text that stands for `v` where `old` stood, inside `container`.
fn value_text(doc: &str, v: &Value, old: &Node, flow: bool, json: bool, indent: usize) -> String {
    let nl = newline(doc);
    if !write::is_collection(v) {
        let quote = if matches!(v, Value::String(_)) { quote_of(old) } else { Quote::Plain };
        return if json { write::json(v) } else { format_scalar(v, quote) };
    }
    if flow || write::is_empty_collection(v) {
        return write::flow(v, json);
    }
    write::block(v, indent).replace('\n', nl)
}

fn replace_at(doc: &str, root: &Node, anchors: &Anchors, path: &[String], v: &Value) -> Option<Splice> {
    let hops = locate(root, anchors, path);
    if hops.len() != path.len() {
        return None;
    }
    match hops.last() {
        None => Some(rewrite_root(doc, root, v)),
        Some(hop) => Some(rewrite_hop(doc, hop, v)),
    }
}

fn rewrite_root(doc: &str, root: &Node, v: &Value) -> Splice {
    let col = column(doc, root.span.start);
    let text = value_text(doc, v, root, false, false, col);
    Splice { range: root.span.clone(), text: text.trim_start().to_string() }
}

/// Replaces the node at `hop` with `v`, keeping the entry's key and the item's dash.
fn rewrite_hop(doc: &str, hop: &Hop, v: &Value) -> Splice {
    let node = hop.node;
    let nl = newline(doc);
    match &hop.container.kind {
        NodeKind::Map(m) => {
            let entry = &m.entries[hop.index];
            let json = json_style(m);
            if m.flow {
                let text = value_text(doc, v, node, true, json, 0);
                if entry.colon_end == entry.key.span.end
                    && node.span.is_empty()
                    && !doc[entry.key.span.end..].starts_with(':')
                {
                    return Splice { range: entry.key.span.end..entry.key.span.end, text: format!(": {text}") };
                }
                return Splice { range: entry.colon_end..node.span.end.max(entry.colon_end), text: format!(" {text}") };
            }
            let text = value_text(doc, v, node, false, false, m.indent + 2);
            let lead = if write::is_collection(v) && !write::is_empty_collection(v) { nl } else { " " };
            Splice { range: entry.colon_end..node.span.end.max(entry.colon_end), text: format!("{lead}{text}") }
        }
        NodeKind::Seq(s) => {
            let item = &s.items[hop.index];
            if s.flow {
                let text = value_text(doc, v, node, true, false, 0);
                return Splice { range: node.span.clone(), text };
            }
            let text = value_text(doc, v, node, false, false, s.indent + 2);
            let text = text.trim_start().to_string();
            let after_dash = item.start + 1;
            Splice { range: after_dash..node.span.end.max(after_dash), text: format!(" {text}") }
        }
        _ => Splice { range: node.span.clone(), text: value_text(doc, v, node, false, false, 0) },
    }
}

/// The node a path names, when the document holds the whole path itself.
fn own_node<'n>(root: &'n Node, anchors: &Anchors<'n>, path: &[String]) -> Option<&'n Node> {
    let hops = locate(root, anchors, path);
    if hops.len() != path.len() {
        return None;
    }
    Some(hops.last().map_or(root, |h| h.node))
}

fn add_at(doc: &str, root: &Node, anchors: &Anchors, path: &[String], v: &Value) -> Option<Splice> {
    let (last, parent_path) = path.split_last()?;
    let parent = own_node(root, anchors, parent_path)?;
    match &parent.kind {
        NodeKind::Map(m) => {
            if own_entry(m, last, anchors).is_some() {
                return replace_at(doc, root, anchors, path, v);
            }
            Some(insert_entry(doc, parent, m, last, v))
        }
        NodeKind::Seq(s) => {
            let index = if last == "-" { s.items.len() } else { last.parse().ok()? };
            insert_item(doc, parent, s, index, v)
        }
        _ => None,
    }
}

fn insert_entry(doc: &str, parent: &Node, m: &Map, key: &str, v: &Value) -> Splice {
    let nl = newline(doc);
    if m.flow {
        let json = json_style(m) || m.entries.is_empty() && doc[parent.content_start..].starts_with("{\"");
        let k = if json { write::json(&Value::String(key.to_string())) } else { write::key(key) };
        let text = format!("{k}: {}", write::flow(v, json));
        return match m.entries.last() {
            None => Splice { range: parent.content_start + 1..parent.content_start + 1, text },
            Some(e) => {
                let at = e.value.span.end.max(e.colon_end);
                Splice { range: at..at, text: format!(", {text}") }
            }
        };
    }
    let last = m.entries.last().expect("a block mapping has entries");
    let at = line_end(doc, last.value.span.end.max(last.colon_end));
    let pad = " ".repeat(m.indent);
    let k = write::key(key);
    let text = if write::is_collection(v) && !write::is_empty_collection(v) {
        format!("{nl}{pad}{k}:{nl}{}", write::block(v, m.indent + 2).replace('\n', nl))
    } else {
        format!("{nl}{pad}{k}: {}", write::flow(v, false))
    };
    Splice { range: at..at, text }
}

fn item_text(doc: &str, v: &Value, indent: usize) -> String {
    if write::is_collection(v) && !write::is_empty_collection(v) {
        write::block(v, indent + 2).trim_start().replace('\n', newline(doc))
    } else {
        write::flow(v, false)
    }
}

fn insert_item(doc: &str, parent: &Node, s: &Seq, index: usize, v: &Value) -> Option<Splice> {
    let nl = newline(doc);
    if s.flow {
        let text = write::flow(v, false);
        return Some(match (s.items.get(index), s.items.last()) {
            (Some(item), _) => Splice { range: item.start..item.start, text: format!("{text}, ") },
            (None, Some(last)) => {
                let at = last.node.span.end.max(last.start);
                Splice { range: at..at, text: format!(", {text}") }
            }
            (None, None) => Splice { range: parent.content_start + 1..parent.content_start + 1, text },
        });
    }
    let pad = " ".repeat(s.indent);
    match s.items.get(index) {
        Some(item) if only_spaces_before(doc, item.start) => {
            let at = line_start(doc, item.start);
            Some(Splice { range: at..at, text: format!("{pad}- {}{nl}", item_text(doc, v, s.indent)) })
        }
        Some(_) => None,
        None => {
            let last = s.items.last()?;
            let at = line_end(doc, last.node.span.end.max(last.start + 1));
            Some(Splice { range: at..at, text: format!("{nl}{pad}- {}", item_text(doc, v, s.indent)) })
        }
    }
}

fn remove_at(doc: &str, root: &Node, anchors: &Anchors, path: &[String]) -> Option<Splice> {
    let hops = locate(root, anchors, path);
    if hops.len() != path.len() {
        return None;
    }
    let hop = hops.last()?;
    match &hop.container.kind {
        NodeKind::Map(m) if m.entries.len() > 1 => {
            let entry = &m.entries[hop.index];
            let end = entry.value.span.end.max(entry.colon_end);
            if m.flow {
                return Some(remove_flow_element(
                    &m.entries
                        .iter()
                        .map(|e| (e.key.span.start, e.value.span.end.max(e.colon_end)))
                        .collect::<Vec<_>>(),
                    hop.index,
                ));
            }
            let start = entry.key.span.start;
            if only_spaces_before(doc, start) {
                Some(Splice { range: line_start(doc, start)..after_line(doc, end), text: String::new() })
            } else {
                let next = m.entries.get(hop.index + 1)?;
                Some(Splice { range: start..next.key.span.start, text: String::new() })
            }
        }
        NodeKind::Seq(s) if s.items.len() > 1 => {
            let item = &s.items[hop.index];
            if s.flow {
                return Some(remove_flow_element(
                    &s.items.iter().map(|i| (i.start, i.node.span.end.max(i.start))).collect::<Vec<_>>(),
                    hop.index,
                ));
            }
            if !only_spaces_before(doc, item.start) {
                return None;
            }
            let end = item.node.span.end.max(item.start + 1);
            Some(Splice { range: line_start(doc, item.start)..after_line(doc, end), text: String::new() })
        }
        // The last entry of a collection: the fallback writes the empty collection.
        _ => None,
    }
}

/// Removes element `i` of a flow collection together with one separating comma.
fn remove_flow_element(spans: &[(usize, usize)], i: usize) -> Splice {
    let range = match spans.get(i + 1) {
        Some(next) => spans[i].0..next.0,
        None => spans[i - 1].1..spans[i].1,
    };
    Splice { range, text: String::new() }
}
