//! The manifest stream: split into documents exactly where Helm and kubectl split it, and put
//! back together so that every document nobody changed comes out byte for byte.
//!
//! A separator is a line that starts with `---` followed by nothing, spaces, or a comment
//! (kubectl's YAML reader, which Helm 3's resource builder and Helm 4's kio reader agree with).
//! A line that starts with `---` followed by anything else is refused: Helm 4 refuses it, and
//! kubectl and Helm 3's splitter disagree on what it holds. Lines end as YAML ends them, at LF,
//! CRLF or a lone CR: a stream saved with CR line ends is split at its separators too, as Helm
//! 4's reader splits it (go-yaml v2 alone would read its first document and ignore the rest,
//! which a gate must not). A byte-order mark may stand before the first separator. Text before
//! the first separator is a document too; empty and comment-only documents are kept as they are.

use std::ops::Range;

/// One document of the stream: its separator line (if any) and the text after it, up to the
/// next separator. The body's bytes are exactly the input's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// 1-based position in the stream, for messages.
    pub index: usize,
    /// The `---` line including its line break.
    pub separator: Option<Range<usize>>,
    /// The text after the separator, up to the next one or the end.
    pub body: Range<usize>,
    /// 1-based line number of the body's first line in the stream.
    pub first_line: usize,
}

/// A line that starts with `---` but is no separator: Helm 4 refuses it, and kubectl and Helm 3's
/// splitter disagree on what it holds, so svcpolicy refuses it too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {}", self.problem())]
pub struct SplitError {
    /// 1-based line number of the bad line.
    pub line: usize,
    /// The line as written.
    pub text: String,
}

impl SplitError {
    /// What is wrong, without the line.
    pub fn problem(&self) -> String {
        format!("'{}' is not a document separator: only a comment may follow '---' on its line", self.text)
    }
}

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Splits a stream into documents. The concatenation of every separator and body is the input.
pub fn split(input: &[u8]) -> Result<Vec<Document>, SplitError> {
    let mut docs = Vec::new();
    let mut body_start = 0;
    let mut body_line = 1;
    let mut separator = None;
    // Line numbers are counted lazily, from the last separator on.
    let (mut counted_to, mut line_at) = (0, 1);
    for pos in separator_candidates(input) {
        let end = line_end(input, pos);
        line_at += line_breaks(&input[counted_to..pos]);
        counted_to = pos;
        let dashes = if input[pos..].starts_with(BOM) { pos + BOM.len() } else { pos };
        let rest = trim_line_end(&input[dashes + 3..end]);
        let is_separator = rest.is_empty()
            || (matches!(rest[0], b' ' | b'\t') && {
                let t = rest.iter().position(|&c| c != b' ' && c != b'\t');
                t.is_none_or(|i| rest[i] == b'#')
            });
        if !is_separator {
            return Err(SplitError {
                line: line_at,
                text: String::from_utf8_lossy(trim_line_end(&input[dashes..end])).into_owned(),
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

/// Offsets of every line that starts with `---` (after LF or a lone CR), and of a byte-order
/// mark followed by `---` at the very start.
fn separator_candidates(input: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let first =
        (input.starts_with(b"---") || input.strip_prefix(BOM).is_some_and(|r| r.starts_with(b"---"))).then_some(0);
    let after_lf = memchr::memmem::find_iter(input, b"\n---").map(|i| i + 1);
    // A CR followed by `-` is a line break of its own, never half of a CRLF.
    let after_cr = memchr::memmem::find_iter(input, b"\r---").map(|i| i + 1);
    first.into_iter().chain(merge_sorted(after_lf, after_cr))
}

/// Two ascending sequences as one.
fn merge_sorted(a: impl Iterator<Item = usize>, b: impl Iterator<Item = usize>) -> impl Iterator<Item = usize> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y < x => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// Just past the line break that ends the line starting at `from` (LF, CRLF or a lone CR).
fn line_end(input: &[u8], from: usize) -> usize {
    match memchr::memchr2(b'\n', b'\r', &input[from..]).map(|i| from + i) {
        None => input.len(),
        Some(i) if input[i] == b'\r' && input.get(i + 1) == Some(&b'\n') => i + 2,
        Some(i) => i + 1,
    }
}

/// How many line breaks the text holds, as YAML counts them (CRLF is one).
pub fn line_breaks(text: &[u8]) -> usize {
    let lf = memchr::memchr_iter(b'\n', text).count();
    let lone_cr = memchr::memchr_iter(b'\r', text).filter(|&i| text.get(i + 1) != Some(&b'\n')).count();
    lf + lone_cr
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
    body.split(|&c| c == b'\n' || c == b'\r')
        .take_while(|l| l.is_empty() || l.starts_with(b"#"))
        .find_map(|line| line.strip_prefix(b"# Source: ").map(|s| String::from_utf8_lossy(s).trim().to_string()))
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
    fn a_lone_cr_ends_a_line_and_a_bom_may_open_the_first_separator() {
        assert_eq!(bodies("a: 1\r---\rb: 2\r"), ["a: 1\r", "b: 2\r"]);
        assert_eq!(bodies("a: 1\r--- # c\r\nb: 2"), ["a: 1\r", "b: 2"]);
        assert_eq!(bodies("\u{feff}---\na: 1\n---\nb: 2\n"), ["a: 1\n", "b: 2\n"]);
        assert_eq!(bodies("\u{feff}a: 1\n---\nb: 2\n"), ["\u{feff}a: 1\n", "b: 2\n"]);
        let docs = split(b"a\rb\r\nc\n---\rd").unwrap();
        assert_eq!(docs[1].first_line, 5);
        assert_eq!(split(b"a\r---x\r").unwrap_err().line, 2);
        assert_eq!(source_comment(b"# Source: c/t.yaml\rkind: Service\r").as_deref(), Some("c/t.yaml"));
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
    fn finds_the_source_comment() {
        assert_eq!(
            source_comment(b"# Source: c/templates/s.yaml\nkind: Service\n").as_deref(),
            Some("c/templates/s.yaml")
        );
        assert_eq!(source_comment(b"kind: Service\n# Source: x\n"), None);
    }
}
