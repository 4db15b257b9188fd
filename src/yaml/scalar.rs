//! Scalars as Go reads them: the go-yaml v2 resolution table (YAML 1.1 booleans, octal `0644`,
//! `1_000`, `0x1F`, `1e3`), which is what Helm and kubectl apply to the final stream, and the
//! reverse: writing a scalar so that Go reads back exactly the intended value.

use serde_json::{Number, Value};

/// What a plain (unquoted, untagged) scalar means to go-yaml v2.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// The merge key `<<`.
    Merge,
    Str,
}

pub fn resolve_plain(s: &str) -> Plain {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => return Plain::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Plain::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Plain::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Plain::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Plain::Float(f64::NAN),
        "<<" => return Plain::Merge,
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Plain::Str;
    }
    let digits = s.replace('_', "");
    if let Some(v) = parse_go_int(&digits) {
        return v;
    }
    if is_go_float(&digits) {
        // Go's ParseFloat fails on overflow, and go-yaml then keeps the text as a string.
        if let Some(f) = digits.parse::<f64>().ok().filter(|f| f.is_finite()) {
            return Plain::Float(f);
        }
    }
    Plain::Str
}

/// `strconv.ParseInt(s, 0, 64)` then `ParseUint`, plus go-yaml's own `0b` handling.
fn parse_go_int(s: &str) -> Option<Plain> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, rest)
    } else if let Some(rest) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, rest)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u128 + 1 {
            return Some(Plain::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    if magnitude <= i64::MAX as u128 {
        Some(Plain::Int(magnitude as i64))
    } else if magnitude <= u64::MAX as u128 {
        Some(Plain::Uint(magnitude as u64))
    } else {
        None
    }
}

/// go-yaml v2's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_go_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A float as JSON carries it: Go's encoder writes integral floats without a fraction, so
/// `1e3` and `1000` are the same number to everyone downstream.
pub fn float_to_json(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        return Some(Value::Number(Number::from(f as i64)));
    }
    Number::from_f64(f).map(Value::Number)
}

/// Can `s` be written as a plain scalar and read back by Go as the same string?
pub fn plain_is_safe(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return false;
    };
    if resolve_plain(s) != Plain::Str {
        return false;
    }
    if matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
            | b'\t'
    ) {
        return false;
    }
    if s.ends_with([' ', '\t']) || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    // Flow indicators are harmless in block context but not in flow; quote them everywhere so
    // one spelling fits both.
    if s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    // Go also reads these as timestamps or sexagesimal numbers in some versions; quoting costs
    // nothing and removes the doubt.
    if looks_like_timestamp_or_sexagesimal(s) {
        return false;
    }
    s.chars().all(|c| c >= ' ' && c != '\u{7f}' && !is_special_unicode(c))
}

fn looks_like_timestamp_or_sexagesimal(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3
        && b[0].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b':' | b'.' | b'T' | b't' | b' ' | b'Z' | b'+' | b'_'))
        && (s.contains(':') || s.matches('-').count() >= 2)
}

fn is_special_unicode(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{a0}' | '\u{2028}' | '\u{2029}' | '\u{feff}') || ('\u{80}'..='\u{9f}').contains(&c)
}

/// A double-quoted scalar: valid YAML for every string, and Go reads it back unchanged.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' || c == '\u{7f}' || is_special_unicode(c) => {
                if (c as u32) <= 0xff {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                } else {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A single-quoted scalar, or `None` when the string needs escapes single quotes cannot give.
pub fn single_quoted(s: &str) -> Option<String> {
    if s.chars().any(|c| c < ' ' || c == '\u{7f}' || is_special_unicode(c)) {
        return None;
    }
    Some(format!("'{}'", s.replace('\'', "''")))
}

/// The text of a JSON scalar as YAML, in the style the surrounding text prefers.
pub fn format_scalar(v: &Value, prefer: Quote) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format_string(s, prefer),
        Value::Array(_) | Value::Object(_) => unreachable!("format_scalar takes scalars only"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// Plain where safe, else double quotes.
    Plain,
    Single,
    Double,
}

pub fn format_string(s: &str, prefer: Quote) -> String {
    match prefer {
        Quote::Plain if plain_is_safe(s) => s.to_string(),
        Quote::Single => single_quoted(s).unwrap_or_else(|| double_quoted(s)),
        _ => double_quoted(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_go_yaml_v2() {
        assert_eq!(resolve_plain("0644"), Plain::Int(420));
        assert_eq!(resolve_plain("0o17"), Plain::Int(15));
        assert_eq!(resolve_plain("0x1F"), Plain::Int(31));
        assert_eq!(resolve_plain("1_000"), Plain::Int(1000));
        assert_eq!(resolve_plain("+12"), Plain::Int(12));
        assert_eq!(resolve_plain("-0b101"), Plain::Int(-5));
        assert_eq!(resolve_plain("1e3"), Plain::Float(1000.0));
        assert_eq!(resolve_plain("09"), Plain::Float(9.0));
        assert_eq!(resolve_plain("1."), Plain::Float(1.0));
        assert_eq!(resolve_plain(".5"), Plain::Float(0.5));
        assert_eq!(resolve_plain("y"), Plain::Bool(true));
        assert_eq!(resolve_plain("off"), Plain::Bool(false));
        assert_eq!(resolve_plain("~"), Plain::Null);
        assert_eq!(resolve_plain("1.2.3"), Plain::Str);
        assert_eq!(resolve_plain("2001-12-14"), Plain::Str);
        assert_eq!(resolve_plain("190:20:30"), Plain::Str);
        assert_eq!(resolve_plain("18446744073709551615"), Plain::Uint(u64::MAX));
        assert_eq!(resolve_plain("-9223372036854775808"), Plain::Int(i64::MIN));
        assert_eq!(resolve_plain("ClusterIP"), Plain::Str);
    }

    #[test]
    fn quotes_whatever_go_would_misread() {
        for s in [
            "y",
            "n",
            "on",
            "No",
            "1_000",
            "0644",
            "1e3",
            "",
            "~",
            "null",
            "<<",
            "- x",
            "a: b",
            "a #b",
            "2001-12-14",
            "190:20:30",
            " x",
            "{x}",
        ] {
            assert!(!plain_is_safe(s), "{s:?} must be quoted");
        }
        for s in ["ClusterIP", "web.example.com", "http", "a-b", "v1.2.3", "traefik"] {
            assert!(plain_is_safe(s), "{s:?} can stay plain");
        }
        assert_eq!(double_quoted("a\"b\\\n\u{1}"), r#""a\"b\\\n\x01""#);
        assert_eq!(single_quoted("it's").unwrap(), "'it''s'");
    }
}
