//! The lossless YAML layer, and the only place that knows how YAML is read and written.
//!
//! `events` is go-yaml v2's own reader, scanner and parser, ported: what Helm and kubectl accept,
//! svcpolicy accepts, and nothing else. `compose` builds a span-keeping `tree` of a document from
//! its events, `value` resolves it into the JSON Go's reader produces, `edit` changes the text in
//! place to mean a new JSON value (and proves it by reading it again), and `write` formats the
//! values svcpolicy inserts.

pub mod compose;
pub mod edit;
pub mod events;
pub mod scalar;
pub mod tree;
pub mod value;
pub mod write;

use serde_json::Value;

/// A YAML problem at a byte offset of the document's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// Where, in the document's text.
    pub offset: usize,
    /// What, in go-yaml's words where it has them.
    pub message: String,
    /// What go-yaml was reading when it found the problem, and where that began
    /// (`while parsing a flow sequence`, at the `[`).
    pub context: Option<(String, usize)>,
}

/// What a document means to Go (its first YAML document, as `yaml.Unmarshal` reads it), or
/// `None` for a document that holds no node (empty, comments only) or only a null.
/// The text is bytes, as Go takes them: its reader finds bad UTF-8 and control characters, and
/// only where it looks (it never decodes far past the end of the document).
pub fn read(text: impl AsRef<[u8]>) -> Result<Option<Value>, YamlError> {
    let Some(root) = compose::document(text.as_ref())? else { return Ok(None) };
    let value = value::to_json(&root).map_err(|e| YamlError { offset: e.offset, message: e.message, context: None })?;
    Ok((!value.is_null()).then_some(value))
}

/// Edits `text` in place so it means `target` (see `edit`).
pub fn edit_to(text: &str, current: &Value, target: &Value) -> Result<String, EditError> {
    edit::edit_to(text, current, target)
}

pub use edit::EditError;
