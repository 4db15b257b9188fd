//! Resources: the input files split into documents, the documents the policy can touch read into
//! JSON, and the Kubernetes objects inside them (a `kind: List`'s items are objects too), each
//! with the names a person needs to find it: file, document, line, `# Source:`, kind/namespace/name.

use crate::host;
use crate::parallel;
use crate::proxy;
use crate::stream::{self, Document};
use crate::yaml;
use serde_json::Value;
use std::fmt;

/// Helm 4 tags every document with the template file it came from.
pub const HELM4_FILENAME_ANNOTATION: &str = "postrenderer.helm.sh/postrender-filename";

/// Words whose absence proves a document holds nothing the policy acts on: Services, lists,
/// and the routes that may already put a Service behind the proxy.
const INTERESTING: &[&[u8]] = &[b"Service", b"List", b"Ingress", b"Route"];

/// With workloads, these words too: a pod spec matters only where host networking is mentioned.
const HOST_WORDS: &[&[u8]] = &[b"Service", b"List", b"Ingress", b"Route", b"hostNetwork", b"hostPort"];

/// Services, lists that may hold them, and (with `workloads`) pod specs that use the host.
fn worth_reading(body: &[u8], workloads: bool) -> bool {
    // One pass: every "host" followed by "Network" or "Port".
    let mentions_host = || {
        memchr::memmem::find_iter(body, b"host")
            .any(|i| body[i + 4..].starts_with(b"Network") || body[i + 4..].starts_with(b"Port"))
    };
    let words = if workloads { HOST_WORDS } else { INTERESTING };
    stream::may_be_kind(body, words, |kind| {
        kind == b"Service"
            || kind.ends_with(b"List")
            || proxy::route_kinds().iter().any(|k| k.as_bytes() == kind)
            || (workloads && host::is_workload_kind(kind) && mentions_host())
    })
}

/// One input: stdin or a file, all of it.
pub struct Input {
    /// The file's path, or `None` for stdin.
    pub path: Option<String>,
    pub bytes: Vec<u8>,
}

/// An input split and, where needed, read.
pub struct Manifest {
    pub input: Input,
    pub docs: Vec<Document>,
    /// What each document means, for the documents that were read.
    pub values: Vec<Option<Value>>,
}

impl Manifest {
    pub fn body(&self, doc: usize) -> &[u8] {
        &self.input.bytes[self.docs[doc].body.clone()]
    }
}

/// Where a resource is, for messages and reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub document: usize,
    pub line: usize,
    /// The chart template: `# Source:` (Helm 3) or the filename annotation (Helm 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
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
    pub location: Location,
    pub message: String,
}

/// Splits every input and reads the documents that may hold Services. All problems are
/// collected, so one run names every bad document.
pub fn read(inputs: Vec<Input>) -> (Vec<Manifest>, Vec<InputError>) {
    read_with(inputs, false)
}

/// `read`, and with `workloads` also the documents with a pod spec that mention host networking.
pub fn read_with(inputs: Vec<Input>, workloads: bool) -> (Vec<Manifest>, Vec<InputError>) {
    let mut manifests = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        let docs = match stream::split(&input.bytes) {
            Ok(docs) => docs,
            Err(e) => {
                let location = Location { file: input.path.clone(), document: 0, line: e.line, ..Location::default() };
                errors.push(InputError {
                    location,
                    message: e.to_string().split_once(": ").map_or(e.to_string(), |(_, m)| m.to_string()),
                });
                Vec::new()
            }
        };
        let read = parallel::map(&docs, |doc| {
            let body = &input.bytes[doc.body.clone()];
            worth_reading(body, workloads).then(|| read_document(body))
        });
        let mut values = Vec::with_capacity(docs.len());
        for (doc, result) in docs.iter().zip(read) {
            match result {
                None => values.push(None),
                Some(Ok(v)) => values.push(v),
                Some(Err((line_in_doc, message))) => {
                    let body = &input.bytes[doc.body.clone()];
                    let location = Location {
                        file: input.path.clone(),
                        document: doc.index,
                        line: doc.first_line + line_in_doc,
                        source: stream::source_comment(body),
                        ..Location::default()
                    };
                    errors.push(InputError { location, message });
                    values.push(None);
                }
            }
        }
        manifests.push(Manifest { input, docs, values });
    }
    (manifests, errors)
}

/// The document's meaning, or the 0-based line within it and the problem.
fn read_document(body: &[u8]) -> Result<Option<Value>, (usize, String)> {
    let text = std::str::from_utf8(body).map_err(|e| {
        let line = body[..e.valid_up_to()].iter().filter(|&&c| c == b'\n').count();
        (line, "the document is not valid UTF-8".to_string())
    })?;
    if text.contains('\0') {
        let line = text[..text.find('\0').unwrap_or(0)].matches('\n').count();
        return Err((line, "the document contains a NUL byte".to_string()));
    }
    yaml::read(text).map_err(|e| {
        let offset = e.offset.min(text.len());
        let line = text[..offset].matches('\n').count();
        let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
        (line, format!("invalid YAML: {} (column {column})", e.message))
    })
}

/// A Kubernetes object in the stream: a document, or an item of a `kind: List` document.
#[derive(Debug, Clone)]
pub struct Object {
    pub manifest: usize,
    pub doc: usize,
    /// JSON pointer of the object inside its document: "" or "/items/N".
    pub pointer: String,
    pub location: Location,
}

impl Object {
    pub fn value<'m>(&self, manifests: &'m [Manifest]) -> &'m Value {
        let doc = manifests[self.manifest].values[self.doc].as_ref().expect("objects come from read documents");
        doc.pointer(&self.pointer).expect("the pointer was taken from this document")
    }
}

/// Every object of the given kinds, in stream order.
pub fn objects(manifests: &[Manifest], kinds: &[&str], default_namespace: &str) -> Vec<Object> {
    let mut out = Vec::new();
    for (m, manifest) in manifests.iter().enumerate() {
        for (d, value) in manifest.values.iter().enumerate() {
            let Some(value) = value else { continue };
            let doc = &manifest.docs[d];
            // Looked up once per document, and only for a document with an object wanted.
            let mut source: Option<Option<String>> = None;
            let mut push = |pointer: String, obj: &Value| {
                let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
                if !kinds.contains(&kind) {
                    return;
                }
                let comment = source.get_or_insert_with(|| stream::source_comment(manifest.body(d))).clone();
                let location = Location {
                    file: manifest.input.path.clone(),
                    document: doc.index,
                    line: doc.first_line,
                    source: comment.or_else(|| annotation(obj, HELM4_FILENAME_ANNOTATION).map(str::to_string)),
                    kind: Some(kind.to_string()),
                    namespace: Some(namespace(obj, default_namespace).to_string()),
                    name: obj.pointer("/metadata/name").and_then(Value::as_str).map(str::to_string),
                };
                out.push(Object { manifest: m, doc: d, pointer, location });
            };
            if is_list(value) {
                for (i, item) in value["items"].as_array().into_iter().flatten().enumerate() {
                    push(format!("/items/{i}"), item);
                }
            } else {
                push(String::new(), value);
            }
        }
    }
    out
}

fn is_list(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str).is_some_and(|k| k == "List" || k.ends_with("List"))
        && v.get("items").is_some_and(Value::is_array)
}

pub fn annotation<'v>(obj: &'v Value, key: &str) -> Option<&'v str> {
    obj.get("metadata")?.get("annotations")?.get(key)?.as_str()
}

pub fn namespace<'v>(obj: &'v Value, default: &'v str) -> &'v str {
    obj.pointer("/metadata/namespace").and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or(default)
}

/// Labels or annotations as strings (non-string values are how YAML mistakes look; they are
/// shown as JSON so a rule can still see them).
pub fn string_map(obj: &Value, field: &str) -> std::collections::BTreeMap<String, String> {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect())
        .unwrap_or_default()
}
