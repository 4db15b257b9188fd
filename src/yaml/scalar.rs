//! Scalars as Go reads them: the go-yaml v2 resolution table (YAML 1.1 booleans, octal `0644`,
//! `1_000`, `0x1F`, `1e3`), which is what Helm and kubectl apply to the final stream, and the
//! reverse: writing a scalar so that Go reads back exactly the intended value.

use super::events::is_indicator;
use serde_json::{Number, Value};

/// The tags go-yaml v2 resolves, as its parser reports them.
pub mod tag {
    /// `!!str`
    pub const STR: &str = "tag:yaml.org,2002:str";
    /// `!!bool`
    pub const BOOL: &str = "tag:yaml.org,2002:bool";
    /// `!!int`
    pub const INT: &str = "tag:yaml.org,2002:int";
    /// `!!float`
    pub const FLOAT: &str = "tag:yaml.org,2002:float";
    /// `!!null`
    pub const NULL: &str = "tag:yaml.org,2002:null";
    /// `!!timestamp`
    pub const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
    /// `!!binary`
    pub const BINARY: &str = "tag:yaml.org,2002:binary";
    /// `!!merge`
    pub const MERGE: &str = "tag:yaml.org,2002:merge";
}

/// What a scalar means to go-yaml v2 (resolve.go's `resolve`).
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    /// `~`, `null`, empty.
    Null,
    /// YAML 1.1 booleans: `y`, `yes`, `on`, `true` and their opposites.
    Bool(bool),
    /// An integer that fits an int64.
    Int(i64),
    /// An integer that fits only a uint64.
    Uint(u64),
    /// A float (NaN and infinities included).
    Float(f64),
    /// A string: the text itself (timestamps stay strings when read into JSON).
    Str,
}

/// A plain, untagged scalar as go-yaml v2 resolves it.
pub fn resolve_plain(s: &str) -> Plain {
    resolve_inner("", s).1
}

/// A scalar with its tag ("" for none) as go-yaml v2 resolves it, or Go's error for a tag its
/// text cannot have (`cannot decode !!str `x` as a !!int`).
pub fn resolve(tag_name: &str, s: &str) -> Result<Plain, String> {
    if !matches!(tag_name, "" | tag::STR | tag::BOOL | tag::INT | tag::FLOAT | tag::NULL | tag::TIMESTAMP) {
        return Ok(Plain::Str);
    }
    let (rtag, out) = resolve_inner(tag_name, s);
    if tag_name.is_empty() || tag_name == rtag || tag_name == tag::STR {
        return Ok(out);
    }
    match (tag_name, out) {
        (tag::FLOAT, Plain::Int(i)) => Ok(Plain::Float(i as f64)),
        _ => Err(format!("cannot decode {} `{s}` as a {}", short_tag(rtag), short_tag(tag_name))),
    }
}

fn short_tag(t: &str) -> String {
    t.strip_prefix("tag:yaml.org,2002:").map_or_else(|| t.to_string(), |rest| format!("!!{rest}"))
}

fn resolve_inner<'t>(tag_name: &str, s: &str) -> (&'t str, Plain) {
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => 0,
    };
    // The table go-yaml looks scalars up in never sees `<<` (its first byte hints at nothing):
    // a plain `<<` value is the string "<<"; only a key `<<` merges (see `value`).
    if hint == 0 || tag_name == tag::STR || tag_name == tag::BINARY {
        return (tag::STR, Plain::Str);
    }
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return (tag::BOOL, Plain::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return (tag::BOOL, Plain::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => return (tag::NULL, Plain::Null),
        ".nan" | ".NaN" | ".NAN" => return (tag::FLOAT, Plain::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return (tag::FLOAT, Plain::Float(f64::INFINITY)),
        "-.inf" | "-.Inf" | "-.INF" => return (tag::FLOAT, Plain::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    match hint {
        b'.' => {
            if let Some(f) = go_parse_float(s) {
                return (tag::FLOAT, Plain::Float(f));
            }
        }
        b'D' | b'S' => {
            if (tag_name.is_empty() || tag_name == tag::TIMESTAMP) && is_timestamp(s) {
                return (tag::TIMESTAMP, Plain::Str);
            }
            let plain = s.replace('_', "");
            if let Some(v) = go_parse_int(&plain) {
                return (tag::INT, v);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return (tag::INT, Plain::Uint(u));
            }
            if is_go_float(&plain) {
                if let Some(f) = go_parse_float(&plain) {
                    return (tag::FLOAT, Plain::Float(f));
                }
            }
            if let Some(bits) = plain.strip_prefix("0b") {
                if let Some(v) = go_parse_int_radix(bits, 2) {
                    return (tag::INT, v);
                }
                if let Some(u) = go_parse_uint_radix(bits, 2) {
                    return (tag::INT, Plain::Uint(u));
                }
            } else if let Some(bits) = plain.strip_prefix("-0b") {
                if let Some(v) = go_parse_int_radix(&format!("-{bits}"), 2) {
                    return (tag::INT, v);
                }
            }
        }
        _ => {}
    }
    (tag::STR, Plain::Str)
}

/// `strconv.ParseUint(s, 0, 64)`: base prefixes `0x`, `0o`, `0b` (with at least one more
/// character), a leading `0` for octal; no sign.
fn go_parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (radix, digits) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &s[2..]),
            Some(b'o') if b.len() >= 3 => (8, &s[2..]),
            Some(b'x') if b.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    if digits.is_empty() {
        // "0" alone: Go reads the empty rest after its octal prefix as 0.
        return (radix == 8 && s == "0").then_some(0);
    }
    go_parse_uint_radix(digits, radix)
}

fn go_parse_uint_radix(digits: &str, radix: u32) -> Option<u64> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// `strconv.ParseInt(s, 0, 64)` as go-yaml keeps it: `Int`.
fn go_parse_int(s: &str) -> Option<Plain> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    signed(neg, go_parse_uint(body)?)
}

fn go_parse_int_radix(s: &str, radix: u32) -> Option<Plain> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    signed(neg, go_parse_uint_radix(body, radix)?)
}

fn signed(neg: bool, magnitude: u64) -> Option<Plain> {
    if neg {
        (magnitude <= 1 << 63).then(|| Plain::Int((magnitude as i128).wrapping_neg() as i64))
    } else {
        i64::try_from(magnitude).ok().map(Plain::Int)
    }
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms go-yaml hands it: underscores only between
/// digits; out of range is an error (Go returns it with ±Inf), underflow is not.
fn go_parse_float(s: &str) -> Option<f64> {
    if s.contains('_') {
        let b = s.as_bytes();
        let between_digits =
            |i: usize| i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(0..b.len()).filter(|&i| b[i] == b'_').all(between_digits) {
            return None;
        }
    }
    let s = s.replace('_', "");
    if !is_go_float(&s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
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

/// One of go-yaml's timestamp layouts (`2006-1-2`, with `T`, `t` or a space and
/// `15:4:5.999999999`, the `T` forms with `Z07:00`), with valid fields.
fn is_timestamp(s: &str) -> bool {
    fn number(s: &str, min_len: usize, max_len: usize) -> Option<(u32, &str)> {
        let n = s.bytes().take(max_len).take_while(u8::is_ascii_digit).count();
        (n >= min_len).then(|| (s[..n].parse().unwrap_or(0), &s[n..]))
    }
    let date = || -> Option<(u32, u32, u32, &str)> {
        let (year, rest) = number(s, 4, 4)?;
        let (month, rest) = number(rest.strip_prefix('-')?, 1, 2)?;
        let (day, rest) = number(rest.strip_prefix('-')?, 1, 2)?;
        Some((year, month, day, rest))
    };
    let Some((year, month, day, rest)) = date() else { return false };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) || day == 0 || day > days[month as usize - 1] {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let zoned = rest.starts_with(['T', 't']);
    let Some(rest) = rest.strip_prefix(['T', 't', ' ']) else { return false };
    let time = || -> Option<&str> {
        let (h, rest) = number(rest, 1, 2)?;
        let (m, rest) = number(rest.strip_prefix(':')?, 1, 2)?;
        let (sec, mut rest) = number(rest.strip_prefix(':')?, 1, 2)?;
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        if let Some(fraction) = rest.strip_prefix('.') {
            let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            rest = &fraction[n..];
        }
        Some(rest)
    };
    let Some(zone) = time() else { return false };
    if !zoned {
        return zone.is_empty();
    }
    if zone == "Z" {
        return true;
    }
    let b = zone.as_bytes();
    b.len() == 6
        && matches!(b[0], b'+' | b'-')
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b':'
        && b[4..].iter().all(u8::is_ascii_digit)
}

/// A float as Go's JSON encoder writes it, read back: integral values below 1e21 are written
/// without a fraction or exponent, so `1e3` and `1000` are the same number downstream.
pub fn float_to_json(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if let Ok(i) = i64::try_from(f as i128) {
            return Some(Value::Number(Number::from(i)));
        }
        if f > 0.0 && f <= u64::MAX as f64 {
            return Some(Value::Number(Number::from(f as u64)));
        }
    }
    Number::from_f64(f).map(Value::Number)
}

/// Can `s` be written as a plain scalar and read back by Go as the same string?
pub fn plain_is_safe(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return false;
    };
    // `<<` reads as a string as a value, but as a merge key where it is a key.
    if resolve_plain(s) != Plain::Str || s == "<<" {
        return false;
    }
    if is_indicator(first) || matches!(first, b' ' | b'\t') {
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
    matches!(c, '\u{85}' | '\u{a0}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
        || ('\u{80}'..='\u{9f}').contains(&c)
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

/// How to quote a string written into a document: as the scalar it replaces was quoted, so an
/// edit reads like the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// Plain where safe, else double quotes.
    Plain,
    /// Single quotes, unless the string holds characters only escapes can write; then double.
    Single,
    /// Double quotes.
    Double,
}

/// A string's YAML text, quoted as preferred where that can hold it, else double-quoted; Go
/// reads back the same string.
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
