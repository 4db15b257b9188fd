//! Meaning: a syntax tree resolved into the JSON Go's reader produces: decode.go's decoder into
//! an `interface{}` (go-yaml v2), then ghodss/yaml's conversion to JSON (sigs.k8s.io/yaml's
//! ancestor, which Helm and kubectl use), then Go's JSON encoding of numbers. Also the way back
//! from a JSON path to the node that gives it, for the editor.
//!
//! go-yaml v2's rules, which differ from YAML 1.2 and from go-yaml v3: the last of duplicate keys
//! wins; a merge key (`<<`) copies keys in where it stands, so a key after it overrides the merged
//! one and a key before it is overridden; in a list of merges the earlier mapping wins; an alias
//! repeats the anchor defined last before it; a document whose aliases expand too much is refused
//! ("excessive aliasing"). ghodss's: keys become strings (`on:` is "true", `1.5:` is "1.5" with
//! float32 digits), a null, unsigned 64-bit or collection key is an error, and so is a NaN or an
//! infinity anywhere (JSON has none).

use super::scalar::{float_to_json, resolve, tag, Plain};
use super::tree::{Map, Node, NodeKind, Style};
use serde_json::{Map as JsonMap, Number, Value};

/// A problem reading a document's meaning, at a byte offset of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// Where, in the document's text.
    pub offset: usize,
    /// What, in Go's words where Go has them.
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
    /// Every anchor the tree defines.
    pub fn collect(root: &'n Node) -> Self {
        let mut defs = Vec::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if let Some(a) = &node.anchor {
                defs.push((a.as_str(), node));
            }
            match &node.kind {
                NodeKind::Map(m) => m.entries.iter().rev().for_each(|e| stack.extend([&e.value, &e.key])),
                NodeKind::Seq(s) => stack.extend(s.items.iter().rev().map(|i| &i.node)),
                _ => {}
            }
        }
        defs.sort_by_key(|(_, n)| n.span.start);
        Anchors { defs }
    }

    /// The node an alias at `before` names: Go registers an anchor where its node starts.
    pub fn lookup(&self, name: &str, before: usize) -> Option<&'n Node> {
        let upto = self.defs.partition_point(|(_, n)| n.span.start < before);
        self.defs[..upto].iter().rev().find(|(n, _)| *n == name).map(|(_, node)| *node)
    }
}

/// Resolves a document into JSON as Go reads it.
pub fn to_json(root: &Node) -> Result<Value> {
    let anchors = Anchors::collect(root);
    let mut d = Decoder { anchors: &anchors, decode_count: 1, alias_count: 0, alias_depth: 0, expanding: Vec::new() };
    let (value, nonfinite) = d.value(root)?;
    match nonfinite {
        None => Ok(value),
        Some(e) => Err(e),
    }
}

/// A value, and a NaN or infinity it still holds. Go decodes those happily and fails only when
/// the finished value becomes JSON, so one a later duplicate key replaces is no error.
type Decoded = (Value, Option<ValueError>);

/// A mapping being decoded, with the keys whose values hold a NaN or infinity, and a key JSON
/// cannot have.
#[derive(Default)]
struct MapOut {
    map: JsonMap<String, Value>,
    nonfinite: Vec<(String, ValueError)>,
    unconvertible_key: Option<ValueError>,
}

impl MapOut {
    fn insert(&mut self, key: String, (value, nonfinite): Decoded) {
        self.nonfinite.retain(|(k, _)| *k != key);
        if let Some(e) = nonfinite {
            self.nonfinite.push((key.clone(), e));
        }
        self.map.insert(key, value);
    }

    fn finish(self) -> Decoded {
        let problem = self.unconvertible_key.or_else(|| self.nonfinite.into_iter().next().map(|(_, e)| e));
        (Value::Object(self.map), problem)
    }
}

/// decode.go's `decoder`, for an `interface{}` target.
struct Decoder<'a, 'n> {
    anchors: &'a Anchors<'n>,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
    /// The alias nodes being expanded, to refuse one inside its own anchor.
    expanding: Vec<*const Node>,
}

/// go-yaml v2's `allowedAliasRatio`.
fn allowed_alias_ratio(decode_count: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

impl Decoder<'_, '_> {
    /// decode.go's `unmarshal`: every node decoded counts, aliases' expansions apart.
    fn count(&mut self, node: &Node) -> Result<()> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64 > allowed_alias_ratio(self.decode_count)
        {
            return Err(err(node, "document contains excessive aliasing"));
        }
        Ok(())
    }

    fn value(&mut self, node: &Node) -> Result<Decoded> {
        self.count(node)?;
        match &node.kind {
            NodeKind::Alias(name) => self.alias(node, name, |d, target| d.value(target)),
            NodeKind::Scalar { style, text } => scalar_value(node, *style, text),
            NodeKind::Seq(s) => {
                let mut items = Vec::with_capacity(s.items.len());
                let mut nonfinite = None;
                for item in &s.items {
                    let (v, nf) = self.value(&item.node)?;
                    nonfinite = nonfinite.or(nf);
                    items.push(v);
                }
                Ok((Value::Array(items), nonfinite))
            }
            NodeKind::Map(m) => {
                let mut out = MapOut::default();
                self.map_into(m, &mut out)?;
                Ok(out.finish())
            }
        }
    }

    /// Expands an alias: Go refuses one met again inside its own expansion.
    fn alias<T>(&mut self, node: &Node, name: &str, f: impl FnOnce(&mut Self, &Node) -> Result<T>) -> Result<T> {
        let target = self
            .anchors
            .lookup(name, node.span.start)
            .ok_or_else(|| err(node, format!("unknown anchor '{name}' referenced")))?;
        let id: *const Node = node;
        if self.expanding.contains(&id) {
            return Err(err(node, format!("anchor '{name}' value contains itself")));
        }
        self.expanding.push(id);
        self.alias_depth += 1;
        let out = f(self, target);
        self.alias_depth -= 1;
        self.expanding.pop();
        out
    }

    /// decode.go's `mapping` into an existing map, which merges write into too.
    fn map_into(&mut self, m: &Map, out: &mut MapOut) -> Result<()> {
        for e in &m.entries {
            if is_merge_key(&e.key) {
                self.merge(&e.value, out)?;
                continue;
            }
            self.count(&e.key)?;
            let key = self.key(&e.key)?;
            let value = self.value(&e.value)?;
            match key {
                Ok(key) => out.insert(key, value),
                // Go keeps the entry under its null or uint64 key; only turning the finished
                // mapping into JSON fails, so a mapping a later key replaces fails nothing.
                Err(e) => out.unconvertible_key = out.unconvertible_key.take().or(Some(e)),
            }
        }
        Ok(())
    }

    fn merge(&mut self, node: &Node, out: &mut MapOut) -> Result<()> {
        const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";
        match &node.kind {
            NodeKind::Map(m) => {
                self.count(node)?;
                self.map_into(m, out)
            }
            NodeKind::Alias(name) => {
                self.count(node)?;
                self.alias(node, name, |d, target| match &target.kind {
                    NodeKind::Map(m) => {
                        d.count(target)?;
                        d.map_into(m, out)
                    }
                    _ => Err(err(node, WANT_MAP)),
                })
            }
            NodeKind::Seq(s) => {
                // Go decodes the list's items, not the list itself (so it is not counted).
                // Earlier mappings take precedence, so they are merged last.
                for item in s.items.iter().rev() {
                    let ok = match &item.node.kind {
                        NodeKind::Map(_) => true,
                        NodeKind::Alias(name) => self
                            .anchors
                            .lookup(name, item.node.span.start)
                            .is_some_and(|t| matches!(t.kind, NodeKind::Map(_))),
                        _ => false,
                    };
                    if !ok {
                        return Err(err(&item.node, WANT_MAP));
                    }
                    self.merge(&item.node, out)?;
                }
                Ok(())
            }
            NodeKind::Scalar { .. } => Err(err(node, WANT_MAP)),
        }
    }

    /// A mapping key as a JSON key: ghodss's conversion of the key Go decoded. The outer error
    /// is Go's decoder's (a collection key); the inner one ghodss's (a null or uint64 key), which
    /// only counts if the mapping survives into the finished value.
    fn key(&mut self, node: &Node) -> Result<std::result::Result<String, ValueError>> {
        let target = match &node.kind {
            NodeKind::Alias(name) => {
                let name = name.clone();
                return self.alias(node, &name, |d, target| {
                    d.count(target)?;
                    d.key(target)
                });
            }
            _ => node,
        };
        let NodeKind::Scalar { style, text } = &target.kind else {
            return Err(err(node, "invalid map key: a mapping key cannot be a list or a mapping"));
        };
        Ok(json_key(node, scalar_meaning(target, *style, text)?))
    }
}

/// Is this key a merge (`<<` plain and untagged, or tagged `!!merge`)?
pub fn is_merge_key(key: &Node) -> bool {
    match &key.kind {
        NodeKind::Scalar { style, text } => {
            text == "<<" && (implicit(key, *style) || key.tag.as_deref() == Some(tag::MERGE))
        }
        _ => false,
    }
}

/// go-yaml's `implicit` for a scalar: plain and untagged, or tagged `!`.
fn implicit(node: &Node, style: Style) -> bool {
    match node.tag.as_deref() {
        None => style == Style::Plain,
        Some(t) => t == "!",
    }
}

/// What a scalar decodes to in Go, before JSON.
enum Meaning {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

/// decode.go's `scalar` into an `interface{}`.
fn scalar_meaning(node: &Node, style: Style, text: &str) -> Result<Meaning> {
    let tag_name = node.tag.as_deref().unwrap_or("");
    if tag_name.is_empty() && !implicit(node, style) {
        return Ok(Meaning::Str(text.to_string()));
    }
    if tag_name == tag::BINARY {
        let bytes = go_base64(text).ok_or_else(|| err(node, "!!binary value contains invalid base64 data"))?;
        return Ok(Meaning::Str(go_json_string(&bytes)));
    }
    Ok(match resolve(tag_name, text).map_err(|m| err(node, m))? {
        Plain::Null => Meaning::Null,
        Plain::Bool(b) => Meaning::Bool(b),
        Plain::Int(i) => Meaning::Int(i),
        Plain::Uint(u) => Meaning::Uint(u),
        Plain::Float(f) => Meaning::Float(f),
        Plain::Str => Meaning::Str(text.to_string()),
    })
}

fn scalar_value(node: &Node, style: Style, text: &str) -> Result<Decoded> {
    Ok(match scalar_meaning(node, style, text)? {
        Meaning::Null => (Value::Null, None),
        Meaning::Bool(b) => (Value::Bool(b), None),
        Meaning::Int(i) => (Value::Number(Number::from(i)), None),
        Meaning::Uint(u) => (Value::Number(Number::from(u)), None),
        Meaning::Float(f) => match float_to_json(f) {
            Some(v) => (v, None),
            None => {
                let shown = if f.is_nan() {
                    "NaN"
                } else if f > 0.0 {
                    "+Inf"
                } else {
                    "-Inf"
                };
                let e = err(node, format!("json: unsupported value: {shown} ('{text}': JSON has no such number)"));
                (Value::Null, Some(e))
            }
        },
        Meaning::Str(s) => (Value::String(s), None),
    })
}

/// ghodss's float key: `strconv.FormatFloat(f, 'g', -1, 32)`, infinities and NaN as YAML spells them.
fn go_float32_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    let single = f as f32;
    if single.is_infinite() {
        return if single > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    if single == 0.0 {
        return if single.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Rust's shortest round-trip digits, laid out as Go's %g lays them out.
    let sci = format!("{single:e}");
    let (mantissa, exp) = sci.split_once('e').expect("{:e} writes an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Go's %g with the shortest digits takes the exponent form when exp < -4 or exp >= 6.
    if !(-4..6).contains(&exp) {
        return go_exponent_form(sign, &digits, exp);
    }
    if exp < 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else if (exp as usize) + 1 >= digits.len() {
        format!("{sign}{digits}{}", "0".repeat(exp as usize + 1 - digits.len()))
    } else {
        let (int, frac) = digits.split_at(exp as usize + 1);
        format!("{sign}{int}.{frac}")
    }
}

fn go_exponent_form(sign: &str, digits: &str, exp: i32) -> String {
    let (first, rest) = digits.split_at(1);
    let mantissa = if rest.is_empty() { first.to_string() } else { format!("{first}.{rest}") };
    let exp_sign = if exp < 0 { '-' } else { '+' };
    format!("{sign}{mantissa}e{exp_sign}{:02}", exp.abs())
}

/// Go's `base64.StdEncoding.DecodeString`: padded standard alphabet; CR and LF are skipped.
fn go_base64(text: &str) -> Option<Vec<u8>> {
    let symbols: Vec<u8> = text.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    if symbols.len() % 4 != 0 {
        return None;
    }
    let sextet = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    let quanta = symbols.len() / 4;
    for (q, chunk) in symbols.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && q + 1 != quanta) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &chunk[..4 - pad] {
            acc = acc << 6 | u32::from(sextet(c)?);
        }
        acc <<= 6 * pad as u32;
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

/// Bytes as Go's JSON encoder writes them into a string: each byte that is not part of valid
/// UTF-8 becomes U+FFFD.
fn go_json_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).expect("checked valid"));
                out.push('\u{fffd}');
                rest = &after[1..];
            }
        }
    }
    out
}

/// The string a key node stands for (the editor's view; no alias budget).
pub fn key_string(key: &Node) -> Option<String> {
    match &key.kind {
        NodeKind::Scalar { style, text } => json_key(key, scalar_meaning(key, *style, text).ok()?).ok(),
        _ => None,
    }
}

/// ghodss's conversion of a decoded scalar key to a JSON key; null and uint64 keys have none.
fn json_key(node: &Node, key: Meaning) -> std::result::Result<String, ValueError> {
    match key {
        Meaning::Str(s) => Ok(s),
        Meaning::Bool(b) => Ok(b.to_string()),
        Meaning::Int(i) => Ok(i.to_string()),
        Meaning::Float(f) => Ok(go_float32_key(f)),
        Meaning::Uint(u) => Err(err(node, format!("Unsupported map key of type: uint64, key: 0x{u:x}"))),
        Meaning::Null => Err(err(node, "Unsupported map key of type: <nil> (a null key cannot be converted to JSON)")),
    }
}

/// One step of a path through the tree: the container, which entry or item, and the node.
#[derive(Debug, Clone, Copy)]
pub struct Hop<'n> {
    /// The mapping or sequence the step goes through.
    pub container: &'n Node,
    /// The entry's position in the mapping, or the item's in the sequence.
    pub index: usize,
    /// Where the step arrives: the entry's value, or the item.
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
