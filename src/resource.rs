//! Resources: the input files split into documents, every document read as Go reads it, and
//! the Kubernetes objects inside them (a list's items are objects too, as kubectl flattens
//! them), each with the names a person needs to find it: file, document, line, `# Source:`,
//! kind/namespace/name.

use crate::k8s::kinds::{self, Kind};
use crate::k8s::meta::{self, json_type};
use crate::parallel;
use crate::stream::{self, Document};
use crate::yaml;
use serde_json::Value;
use std::fmt;

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
}

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
                let location = Location { file: input.path.clone(), document: 0, line: e.line, ..Location::default() };
                errors.push(InputError { location, message: e.problem() });
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
        for (doc, result) in docs.iter().zip(read) {
            let body = &input.bytes[doc.body.clone()];
            let at = |line_in_doc: usize| Location {
                file: input.path.clone(),
                document: doc.index,
                line: doc.first_line + line_in_doc,
                source: stream::source_comment(body),
                ..Location::default()
            };
            match result {
                Ok((value, problems)) => {
                    errors.extend(problems.into_iter().map(|message| InputError { location: at(0), message }));
                    values.push(value);
                }
                Err((line_in_doc, message)) => {
                    errors.push(InputError { location: at(line_in_doc), message });
                    values.push(None);
                }
            }
        }
        manifests.push(Manifest { input, docs, values });
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

/// A Kubernetes object in the stream: a document, or an item of a list document.
#[derive(Debug, Clone)]
pub struct Object {
    /// Index of the manifest that holds it.
    pub manifest: usize,
    /// Index of its document in that manifest.
    pub doc: usize,
    /// JSON pointer of the object inside its document: "" or "/items/N" (nested lists nest it).
    pub pointer: String,
    /// What the object is, by group and kind.
    pub kind: Kind,
    /// Where it is and who it is, for messages.
    pub location: Location,
}

impl Object {
    /// What the object means, as Go reads it.
    pub fn value<'m>(&self, manifests: &'m [Manifest]) -> &'m Value {
        let doc = manifests[self.manifest].values[self.doc].as_ref().expect("objects come from read documents");
        doc.pointer(&self.pointer).expect("the pointer was taken from this document")
    }
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

/// Every object `wanted` picks, in stream order; the items of lists (and of lists inside them)
/// stand for their list, as kubectl applies them.
pub fn objects(manifests: &[Manifest], wanted: impl Fn(Kind) -> bool, default_namespace: &str) -> Vec<Object> {
    let mut out = Vec::new();
    for (m, manifest) in manifests.iter().enumerate() {
        for (d, value) in manifest.values.iter().enumerate() {
            let Some(value) = value else { continue };
            let doc = &manifest.docs[d];
            // Looked up once per document, and only for a document with an object wanted.
            let mut source: Option<Option<String>> = None;
            let mut stack = vec![(String::new(), value)];
            while let Some((pointer, obj)) = stack.pop() {
                if kinds::is_list(obj) {
                    let items = obj["items"].as_array().map_or(&[][..], Vec::as_slice).iter().enumerate().rev();
                    stack.extend(items.map(|(i, item)| (format!("{pointer}/items/{i}"), item)));
                    continue;
                }
                let kind = kinds::of(obj);
                if !wanted(kind) {
                    continue;
                }
                let comment = source.get_or_insert_with(|| stream::source_comment(manifest.body(d))).clone();
                let location = Location {
                    file: manifest.input.path.clone(),
                    document: doc.index,
                    line: doc.first_line,
                    source: comment
                        .or_else(|| meta::annotation(obj, meta::HELM4_FILENAME_ANNOTATION).map(str::to_string)),
                    kind: obj.get("kind").and_then(Value::as_str).map(str::to_string),
                    namespace: Some(meta::namespace(obj, default_namespace).to_string()),
                    name: meta::name(obj).map(str::to_string),
                };
                out.push(Object { manifest: m, doc: d, pointer, kind, location });
            }
        }
    }
    out
}
