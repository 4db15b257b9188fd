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
    let mut line_no = 1;
    let mut pos = 0;
    while pos < input.len() {
        let end = memchr_newline(input, pos).map_or(input.len(), |i| i + 1);
        if input[pos..].starts_with(b"---") {
            let rest = trim_line_end(&input[pos + 3..end]);
            let is_separator = rest.is_empty()
                || (matches!(rest[0], b' ' | b'\t') && {
                    let t = rest.iter().position(|&c| c != b' ' && c != b'\t');
                    t.is_none_or(|i| rest[i] == b'#')
                });
            if !is_separator {
                return Err(SplitError {
                    line: line_no,
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
            body_line = line_no + 1;
        }
        pos = end;
        line_no += 1;
    }
    if body_start < input.len() || separator.is_some() {
        docs.push(Document {
            index: docs.len() + 1,
            separator,
            body: body_start..input.len(),
            first_line: body_line,
        });
    }
    Ok(docs)
}

fn memchr_newline(input: &[u8], from: usize) -> Option<usize> {
    input[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map(|i| from + i)
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
    body.split(|&c| c == b'\n')
        .take_while(|l| l.is_empty() || l.starts_with(b"#") || l == b"\r")
        .find_map(|line| {
            let line = trim_line_end(line);
            line.strip_prefix(b"# Source: ")
                .map(|s| String::from_utf8_lossy(s).trim().to_string())
        })
}

/// Cheap test: could this document hold any of `words`? Documents that cannot are never parsed.
/// It errs on the side of parsing: a double-quoted escape could spell any word, so a body with
/// one is parsed too.
pub fn may_contain(body: &[u8], words: &[&[u8]]) -> bool {
    words.iter().any(|w| contains(body, w))
        || contains(body, b"\\x")
        || contains(body, b"\\u")
        || contains(body, b"\\U")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(input: &str) -> Vec<&str> {
        split(input.as_bytes())
            .unwrap()
            .iter()
            .map(|d| &input[d.body.clone()])
            .collect()
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
            .map(|d| {
                format!(
                    "{}{}",
                    d.separator.clone().map_or("", |s| &input[s]),
                    &input[d.body.clone()]
                )
            })
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
