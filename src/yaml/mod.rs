//! The lossless YAML layer, and the only place that knows how YAML is read and written.
//!
//! `parse` reads one document into a tree with exact byte spans, `value` resolves it into the JSON
//! Go's YAML 1.1 reader produces, `edit` changes the text in place to mean a new JSON value, and
//! `write` formats the values svcpolicy inserts. libyaml (through serde_yaml) reads every document
//! svcpolicy edits as well, as a strict second opinion on syntax: what it rejects, Helm rejects too.

pub mod edit;
pub mod events;
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

/// A byte-order mark may open the stream: it is no part of the document's text.
const BOM: &str = "\u{feff}";

/// What a document means to Go, or `None` for a document of comments only.
pub fn read(text: &str) -> Result<Option<Value>, YamlError> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let root = parse::parse_document(text).map_err(|e| YamlError { offset: e.offset, message: e.message })?;
    let Some(root) = root else { return Ok(None) };
    value::to_json(&root).map(Some).map_err(|e| YamlError { offset: e.offset, message: e.message })
}

/// `read`, with libyaml's opinion on the syntax as well: the proof svcpolicy asks of every
/// document it edits. (A document it passes through unchanged keeps its bytes, right or wrong.)
pub fn read_checked(text: &str) -> Result<Option<Value>, YamlError> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let value = read(text)?;
    if value.is_some() {
        check_syntax_with_libyaml(text)?;
    }
    Ok(value)
}

fn check_syntax_with_libyaml(text: &str) -> Result<(), YamlError> {
    // Only the first document: anything after a `...` end marker is not read by Go either.
    let end = document_end(text);
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

/// Where the first document ends: at a `...` line, or at the end of the text.
fn document_end(text: &str) -> usize {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("...") && line[3..].trim().is_empty() {
            return at;
        }
        at += line.len();
    }
    text.len()
}

/// Edits `text` in place so it means `target` (see `edit`), keeping a leading byte-order mark.
pub fn edit_to(text: &str, current: &Value, target: &Value) -> Result<String, EditError> {
    match text.strip_prefix(BOM) {
        Some(rest) => edit::edit_to(rest, current, target).map(|edited| format!("{BOM}{edited}")),
        None => edit::edit_to(text, current, target),
    }
}

pub use edit::EditError;
