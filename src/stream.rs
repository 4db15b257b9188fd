//! The manifest stream: split into documents exactly where Helm and kubectl split it, and put
//! back together so that every document nobody changed comes out byte for byte.
//!
//! A separator is a line that starts with `---` followed by nothing, spaces, or a comment
//! (kubectl's YAML reader, which Helm 3's resource builder and Helm 4's kio reader agree with).
//! A line that starts with `---` followed by anything else is refused, as kubectl refuses it.
//! Text before the first separator is a document too; empty and comment-only documents are
//! kept as they are.

use std::ops::Range;

/// One document of the stream: its separator line (if any) and the text after it, up to the
/// next separator. The body's bytes are exactly the input's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// 1-based position in the stream, for messages.
    pub index: usize,
    /// The `---` line including its line break.
    pub separator: Option<Range<usize>>,
    pub body: Range<usize>,
    /// 1-based line number of the body's first line in the stream.
    pub first_line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: '{text}' is not a document separator: only a comment may follow '---' on its line")]
pub struct SplitError {
    pub line: usize,
    pub text: String,
}

/// Splits a stream into documents. The concatenation of every separator and body is the input.
pub fn split(input: &[u8]) -> Result<Vec<Document>, SplitError> {
    let mut docs = Vec::new();
    let mut body_start = 0;
    let mut body_line = 1;
    let mut separator = None;
    // Line numbers are counted lazily, from the last separator on.
    let (mut counted_to, mut line_at) = (0, 1);
    for pos in separator_candidates(input) {
        let end = memchr_newline(input, pos).map_or(input.len(), |i| i + 1);
        line_at += memchr::memchr_iter(b'\n', &input[counted_to..pos]).count();
        counted_to = pos;
        let rest = trim_line_end(&input[pos + 3..end]);
        let is_separator = rest.is_empty()
            || (matches!(rest[0], b' ' | b'\t') && {
                let t = rest.iter().position(|&c| c != b' ' && c != b'\t');
                t.is_none_or(|i| rest[i] == b'#')
            });
        if !is_separator {
            return Err(SplitError {
                line: line_at,
                text: String::from_utf8_lossy(trim_line_end(&input[pos..end])).into_owned(),
            });
        }
        if pos > body_start || separator.is_some() {
            docs.push(Document {
                index: docs.len() + 1,
                separator: separator.take(),
                body: body_start..pos,
                first_line: body_line,
            });
        }
        separator = Some(pos..end);
        body_start = end;
        body_line = line_at + 1;
    }
    if body_start < input.len() || separator.is_some() {
        docs.push(Document { index: docs.len() + 1, separator, body: body_start..input.len(), first_line: body_line });
    }
    Ok(docs)
}

/// Offsets of every line that starts with `---`.
fn separator_candidates(input: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let first = input.starts_with(b"---").then_some(0);
    first.into_iter().chain(memchr::memmem::find_iter(input, b"\n---").map(|i| i + 1))
}

fn memchr_newline(input: &[u8], from: usize) -> Option<usize> {
    input[from..].iter().position(|&c| c == b'\n').map(|i| from + i)
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let [rest @ .., b'\n' | b'\r'] = l {
        l = rest;
    }
    l
}

/// The chart file a Helm 3 document came from: its `# Source:` comment line.
pub fn source_comment(body: &[u8]) -> Option<String> {
    body.split(|&c| c == b'\n').take_while(|l| l.is_empty() || l.starts_with(b"#") || l == b"\r").find_map(|line| {
        let line = trim_line_end(line);
        line.strip_prefix(b"# Source: ").map(|s| String::from_utf8_lossy(s).trim().to_string())
    })
}

/// What a cheap look at a document says about its kind, without parsing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindHint<'a> {
    /// Every top-level `kind:` line is plain and these are their values (the last one counts,
    /// but all are returned so a caller can stay on the safe side).
    Known(Vec<&'a [u8]>),
    /// The kind cannot be told without parsing: no `kind:` line at column 0, a quoted or escaped
    /// value, a merge key at the top, or a document in flow style.
    Unknown,
}

/// Reads the values of the `kind:` lines at column 0. Anything unusual gives `Unknown`.
pub fn kind_hint(body: &[u8]) -> KindHint<'_> {
    let mut kinds = Vec::new();
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', body).map(|i| i + 1));
    for start in starts {
        // The first byte rules out almost every line.
        if !matches!(body.get(start), Some(b'k' | b'<' | b'"' | b'\'' | b'?' | b'{')) {
            continue;
        }
        let end = memchr_newline(body, start).unwrap_or(body.len());
        let line = trim_line_end(&body[start..end]);
        if let Some(rest) = line.strip_prefix(b"kind:") {
            match plain_word(rest) {
                Some(word) => kinds.push(word),
                None => return KindHint::Unknown,
            }
        } else if line.starts_with(b"<<")
            || line.starts_with(b"\"kind")
            || line.starts_with(b"'kind")
            || line.starts_with(b"? ")
            || line.starts_with(b"{")
        {
            return KindHint::Unknown;
        }
    }
    if kinds.is_empty() {
        KindHint::Unknown
    } else {
        KindHint::Known(kinds)
    }
}

/// ` Service  # comment` -> `Service`; anything but a plain identifier -> None.
fn plain_word(rest: &[u8]) -> Option<&[u8]> {
    let rest = match rest.iter().position(|&c| c == b'#') {
        Some(i) if i > 0 && matches!(rest[i - 1], b' ' | b'\t') => &rest[..i],
        _ => rest,
    };
    let start = rest.iter().position(|&c| c != b' ' && c != b'\t')?;
    let end = rest.iter().rposition(|&c| c != b' ' && c != b'\t')? + 1;
    let word = &rest[start..end];
    word.iter().all(|c| c.is_ascii_alphanumeric()).then_some(word)
}

/// Could this document be of one of `kinds`? Decided from the `kind:` lines where they are
/// plain; otherwise by looking for the words themselves, and for double-quoted escapes, which
/// could spell any word.
pub fn may_be_kind(body: &[u8], kinds: &[&[u8]], is_wanted: impl Fn(&[u8]) -> bool) -> bool {
    match kind_hint(body) {
        KindHint::Known(found) => found.iter().any(|k| is_wanted(k)),
        KindHint::Unknown => {
            kinds.iter().any(|w| memchr::memmem::find(body, w).is_some())
                || [&b"\\x"[..], b"\\u", b"\\U"].iter().any(|e| memchr::memmem::find(body, e).is_some())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(input: &str) -> Vec<&str> {
        split(input.as_bytes()).unwrap().iter().map(|d| &input[d.body.clone()]).collect()
    }

    #[test]
    fn splits_like_kubectl() {
        assert_eq!(bodies("a: 1\n---\nb: 2\n"), ["a: 1\n", "b: 2\n"]);
        assert_eq!(bodies("---\na: 1\n--- # c\nb: 2"), ["a: 1\n", "b: 2"]);
        assert_eq!(bodies("---\n---\n"), ["", ""]);
        assert_eq!(bodies("a: 1\r\n---\r\nb: 2\r\n"), ["a: 1\r\n", "b: 2\r\n"]);
        assert_eq!(bodies(""), Vec::<&str>::new());
        assert_eq!(bodies("# only\n"), ["# only\n"]);
        let err = split(b"a: 1\n---apiVersion: v1\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn pieces_add_up_to_the_input() {
        let input = "x\n---  \ny\n--- #c\r\n\n---";
        let docs = split(input.as_bytes()).unwrap();
        let joined: String = docs
            .iter()
            .map(|d| format!("{}{}", d.separator.clone().map_or("", |s| &input[s]), &input[d.body.clone()]))
            .collect();
        assert_eq!(joined, input);
    }

    #[test]
    fn tells_the_kind_from_plain_kind_lines_only() {
        assert_eq!(kind_hint(b"apiVersion: v1\nkind: Service # c\r\n"), KindHint::Known(vec![&b"Service"[..]]));
        assert_eq!(
            kind_hint(b"kind: ServiceAccount\nkind: Service\n"),
            KindHint::Known(vec![&b"ServiceAccount"[..], b"Service"])
        );
        assert_eq!(kind_hint(b"kind: \"Service\"\n"), KindHint::Unknown);
        assert_eq!(kind_hint(b"{\"kind\": \"Service\"}\n"), KindHint::Unknown);
        assert_eq!(kind_hint(b"<<: *base\nkind: ConfigMap\n"), KindHint::Unknown);
        assert_eq!(kind_hint(b"metadata:\n  kind: Service\n"), KindHint::Unknown);
        let wanted = |k: &[u8]| k == b"Service";
        assert!(!may_be_kind(b"kind: ServiceAccount\n", &[b"Service"], wanted));
        assert!(may_be_kind(b"kind: \"Serv\\x69ce\"\n", &[b"Service"], wanted));
        assert!(may_be_kind(b"{\"kind\": \"Service\"}", &[b"Service"], wanted));
        assert!(!may_be_kind(b"{\"kind\": \"ConfigMap\"}", &[b"Service"], wanted));
    }

    #[test]
    fn finds_the_source_comment() {
        assert_eq!(
            source_comment(b"# Source: c/templates/s.yaml\nkind: Service\n").as_deref(),
            Some("c/templates/s.yaml")
        );
        assert_eq!(source_comment(b"kind: Service\n# Source: x\n"), None);
    }
}
