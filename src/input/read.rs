//! Reading the input: every file (or stdin) split into documents, and every document read as
//! Go reads it, with what kubectl would refuse in it; all problems are collected, each at its
//! document and line. What each document means is kept where it holds an object svcpolicy acts
//! on (a Service, a workload or a route, itself or in a list).

use crate::input::location::Location;
use crate::input::stream::{self, Document};
use crate::k8s::kinds::{self, Kind};
use crate::k8s::meta::json_type;
use crate::parallel;
use crate::yaml;
use serde_json::Value;

/// One input: stdin or a file, all of it.
pub struct Input {
    /// The file's path, or `None` for stdin.
    pub path: Option<String>,
    /// All of it, read before anything is written.
    pub bytes: Vec<u8>,
}

/// An input split and, where needed, read.
pub struct Manifest {
    /// The input, bytes and all: unchanged documents are copied from it.
    pub input: Input,
    /// Its documents, in order; their separators and bodies cover every byte.
    pub docs: Vec<Document>,
    /// What each document means, for the documents that hold an object svcpolicy acts on (every
    /// document is read; the others are not kept).
    pub values: Vec<Option<Value>>,
}

impl Manifest {
    /// A document's body, exactly as in the input.
    pub fn body(&self, doc: usize) -> &[u8] {
        &self.input.bytes[self.docs[doc].body.clone()]
    }

    /// Where a document is: the file, its place and first line, its `# Source:` comment.
    pub fn location(&self, doc: usize) -> Location {
        Location::of_document(self.input.path.clone(), &self.docs[doc], self.body(doc))
    }
}

/// A bad document: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct InputError {
    /// The bad document (or, with document 0, the stream).
    pub location: Location,
    /// What is wrong with it; for bad YAML, in go-yaml's words.
    pub message: String,
}

/// Splits every input and reads every document: Go reads them all, so a document svcpolicy could
/// not read would be one it could not vouch for. All problems are collected, so one run names
/// every bad document.
pub fn read(inputs: Vec<Input>) -> (Vec<Manifest>, Vec<InputError>) {
    let mut manifests = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        let docs = match stream::split(&input.bytes) {
            Ok(docs) => docs,
            Err(e) => {
                errors.push(InputError {
                    location: Location::stream_line(input.path.clone(), e.line),
                    message: e.problem(),
                });
                Vec::new()
            }
        };
        // Each document's meaning (kept only where it holds an object svcpolicy acts on; the rest
        // are read for their verdict) and what kubectl would refuse in it, found in one pass.
        let read = parallel::map(&docs, |doc| {
            let value = read_document(&input.bytes[doc.body.clone()], doc.first_line)?;
            let problems = value.as_ref().map(shape_problems).unwrap_or_default();
            Ok((value.filter(holds_a_wanted_object), problems))
        });
        let mut values = Vec::with_capacity(docs.len());
        // (document, line within it, problem)
        let mut problems = Vec::new();
        for (d, result) in read.into_iter().enumerate() {
            match result {
                Ok((value, shape)) => {
                    problems.extend(shape.into_iter().map(|message| (d, 0, message)));
                    values.push(value);
                }
                Err((line_in_doc, message)) => {
                    problems.push((d, line_in_doc, message));
                    values.push(None);
                }
            }
        }
        let manifest = Manifest { input, docs, values };
        errors.extend(problems.into_iter().map(|(d, line_in_doc, message)| {
            let mut location = manifest.location(d);
            location.line += line_in_doc;
            InputError { location, message }
        }));
        manifests.push(manifest);
    }
    (manifests, errors)
}

/// What kubectl would refuse in an object's identity: a `kind` that is not a string, a kind
/// without an `apiVersion`, `items` that are not a list. Such a document is never applied, and
/// a gate cannot say what it is, so the run stops on it.
fn shape_problems(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), doc)];
    while let Some((at, obj)) = stack.pop() {
        let Some(map) = obj.as_object() else { continue };
        let field = |name: &str| if at.is_empty() { name.to_string() } else { format!("{at}.{name}") };
        if kinds::is_list(obj) {
            match &obj["items"] {
                Value::Array(items) => {
                    stack.extend(items.iter().enumerate().rev().map(|(i, item)| (field(&format!("items[{i}]")), item)))
                }
                Value::Null => {}
                other => out.push(format!("{}: must be a list of objects, not {}", field("items"), json_type(other))),
            }
            continue;
        }
        match (map.get("apiVersion"), map.get("kind")) {
            (_, None) => {}
            (_, Some(k)) if !k.is_string() => {
                out.push(format!("{}: must be a string, not {}", field("kind"), json_type(k)))
            }
            (None, Some(_)) => out.push(format!(
                "{}: Required value: an object with a kind needs an apiVersion (kubectl refuses it)",
                field("apiVersion")
            )),
            (Some(v), Some(_)) if !v.is_string() => {
                out.push(format!("{}: must be a string, not {}", field("apiVersion"), json_type(v)))
            }
            _ => {}
        }
    }
    out
}

/// The document's meaning, or the 0-based line within it and the problem.
fn read_document(body: &[u8], first_line: usize) -> Result<Option<Value>, (usize, String)> {
    yaml::read(body).map_err(|e| {
        let (line, column) = line_and_column(body, e.offset);
        let context = e.context.map_or(String::new(), |(what, at)| {
            let (line, column) = line_and_column(body, at);
            format!(", {what} that starts at line {}, column {column}", first_line + line)
        });
        (line, format!("invalid YAML: {} (column {column}{context})", e.message))
    })
}

/// The 0-based line and 1-based column (in characters) of a byte offset of a document.
fn line_and_column(body: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(body.len());
    let line = stream::line_breaks(&body[..offset]);
    let line_start = body[..offset].iter().rposition(|&c| c == b'\n' || c == b'\r').map_or(0, |i| i + 1);
    (line, String::from_utf8_lossy(&body[line_start..offset]).chars().count() + 1)
}

/// Does the document hold (itself, or in its lists) an object svcpolicy reads: a Service, a
/// workload or a route?
fn holds_a_wanted_object(doc: &Value) -> bool {
    let mut stack = vec![doc];
    while let Some(obj) = stack.pop() {
        if kinds::is_list(obj) {
            stack.extend(obj["items"].as_array().into_iter().flatten());
        } else if kinds::of(obj) != Kind::Other {
            return true;
        }
    }
    false
}
