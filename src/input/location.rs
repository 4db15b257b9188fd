//! Where something is, for messages and reports: the file, the document and its line, the chart
//! template it came from, and the object's kind, namespace and name. A document's location is
//! made in one place, `Location::of_document`; objects add who they are to it.

use crate::input::stream::{self, Document};
use std::fmt;

/// Where a resource is, for messages and reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The input's path; none for stdin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based position of the document in its stream; 0 for the stream itself.
    pub document: usize,
    /// 1-based line of the stream where the document's body starts.
    pub line: usize,
    /// The chart template: `# Source:` (Helm 3) or the filename annotation (Helm 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The object's `kind`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its namespace: `metadata.namespace`, else the run's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Its `metadata.name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Location {
    /// The policy itself, not any one document: the default location.
    pub fn policy() -> Self {
        Location::default()
    }

    /// A whole input (one that cannot be read, say); the stream when `file` is none.
    pub fn whole_file(file: Option<String>) -> Self {
        Location { file, ..Location::default() }
    }

    /// A line of an input's stream itself, outside any document (a bad separator line).
    pub fn stream_line(file: Option<String>, line: usize) -> Self {
        Location { file, line, ..Location::default() }
    }

    /// A document of an input: its place in the stream, the line its body starts on, and its
    /// `# Source:` comment. `body` is the document's text.
    pub fn of_document(file: Option<String>, doc: &Document, body: &[u8]) -> Self {
        Location {
            file,
            document: doc.index,
            line: doc.first_line,
            source: stream::source_comment(body),
            ..Location::default()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self == &Location::default() {
            // Not about any one document: the policy itself.
            return write!(f, "policy");
        }
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        if self.document == 0 {
            // A problem of the stream itself, before any document.
            return write!(f, "line {}", self.line);
        }
        write!(f, "document {} (line {}", self.document, self.line)?;
        if let Some(s) = &self.source {
            write!(f, ", {s}")?;
        }
        write!(f, ")")?;
        if let Some(kind) = &self.kind {
            write!(f, " {kind}")?;
            match (&self.namespace, &self.name) {
                (Some(ns), Some(n)) => write!(f, " {ns}/{n}")?,
                (None, Some(n)) => write!(f, " {n}")?,
                _ => {}
            }
        }
        Ok(())
    }
}
