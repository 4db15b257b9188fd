//! The lossless YAML layer, and the only place that knows how YAML is read and written.
//!
//! `parse` reads one document into a tree with exact byte spans, `value` resolves it into the JSON
//! Go's YAML 1.1 reader produces, `edit` changes the text in place to mean a new JSON value, and
//! `write` formats the values svcpolicy inserts. libyaml (through serde_yaml) reads every parsed
//! document as well, as a strict second opinion on syntax: what it rejects, Helm rejects too.

pub mod edit;
pub mod parse;
pub mod scalar;
pub mod value;
pub mod write;

use serde_json::Value;

/// A YAML problem at a byte offset of the document's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub offset: usize,
    pub message: String,
}

/// What a document means to Go, or `None` for a document of comments only.
pub fn read(text: &str) -> Result<Option<Value>, YamlError> {
    let root = parse::parse_document(text).map_err(|e| YamlError { offset: e.offset, message: e.message })?;
    let Some(root) = root else { return Ok(None) };
    check_syntax_with_libyaml(text, root.span.end)?;
    value::to_json(&root).map(Some).map_err(|e| YamlError { offset: e.offset, message: e.message })
}

fn check_syntax_with_libyaml(text: &str, root_end: usize) -> Result<(), YamlError> {
    // Only the first document: anything after a `...` end marker is not read by Go either.
    let end = text[root_end..].find('\n').map_or(text.len(), |i| root_end + i + 1);
    match serde_yaml::from_str::<serde::de::IgnoredAny>(&text[..end]) {
        Ok(_) => Ok(()),
        Err(e) => {
            let offset = e.location().map_or(0, |l| l.index());
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            Err(YamlError { offset: offset.min(text.len()), message })
        }
    }
}

pub use edit::{edit_to, EditError};
