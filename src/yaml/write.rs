//! svcpolicy's own YAML writer, for the values it inserts (and, later, the objects it generates).
//! Every scalar goes through `scalar::format_scalar`, so Go reads back exactly the JSON value.

use super::scalar::{format_scalar, format_string, Quote};
use serde_json::Value;

/// A mapping or a list, which is written as a block under its key rather than on its line.
pub fn is_collection(v: &Value) -> bool {
    matches!(v, Value::Object(_) | Value::Array(_))
}

/// `{}` or `[]`, which have no block form and are written in flow style.
pub fn is_empty_collection(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A mapping key's text: plain where Go reads it back as the same string, else double-quoted.
pub fn key(k: &str) -> String {
    format_string(k, Quote::Plain)
}

/// JSON, as a JSON-style YAML document holds it: characters YAML does not allow raw (DEL, the C1
/// controls, U+FFFE, U+FFFF) or reads as line breaks (NEL, U+2028, U+2029), which JSON writers
/// leave raw, are escaped.
pub fn json(v: &Value) -> String {
    let text = v.to_string();
    if !text.chars().any(needs_json_escape) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_json_escape(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_json_escape(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// Flow style on one line: `{a: 1, b: [x, y]}`; with `json` set, plain JSON.
pub fn flow(v: &Value, json: bool) -> String {
    if json {
        return self::json(v);
    }
    match v {
        Value::Object(m) => {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{}: {}", key(k), flow(v, false))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(|v| flow(v, false)).collect::<Vec<_>>().join(", ")),
        scalar => format_scalar(scalar, Quote::Plain),
    }
}

/// Block style, every line indented by `indent` spaces, no trailing line break. Empty
/// collections and scalars come out as one flow-style line.
pub fn block(v: &Value, indent: usize) -> String {
    let mut lines = Vec::new();
    block_lines(v, indent, &mut lines);
    lines.join("\n")
}

fn block_lines(v: &Value, indent: usize, out: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                if is_collection(v) && !is_empty_collection(v) {
                    out.push(format!("{pad}{}:", key(k)));
                    block_lines(v, indent + 2, out);
                } else {
                    out.push(format!("{pad}{}: {}", key(k), flow(v, false)));
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                if is_collection(item) && !is_empty_collection(item) {
                    let mut inner = Vec::new();
                    block_lines(item, indent + 2, &mut inner);
                    let first = inner[0].trim_start().to_string();
                    out.push(format!("{pad}- {first}"));
                    out.extend(inner.into_iter().skip(1));
                } else {
                    out.push(format!("{pad}- {}", flow(item, false)));
                }
            }
        }
        other => out.push(format!("{pad}{}", flow(other, false))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_block_and_flow() {
        let v = json!({"a": 1, "b": ["x", {"c": "on", "d": []}], "e": {}});
        assert_eq!(block(&v, 2), "  a: 1\n  b:\n    - x\n    - c: \"on\"\n      d: []\n  e: {}");
        assert_eq!(flow(&v, false), "{a: 1, b: [x, {c: \"on\", d: []}], e: {}}");
        assert_eq!(json(&json!({"k": "a\u{7f}b\u{85}"})), "{\"k\":\"a\\u007fb\\u0085\"}");
    }
}
