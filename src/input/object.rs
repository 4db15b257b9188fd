//! The Kubernetes objects in the stream: each document that holds one, and each item of a list
//! document (and of lists inside it), as kubectl flattens them; each with what it is (its kind,
//! by group) and where and who it is (file, document, line, `# Source:`, kind/namespace/name).

use crate::input::location::Location;
use crate::input::read::Manifest;
use crate::k8s::kinds::{self, Kind};
use crate::k8s::meta;
use serde_json::Value;

/// One document of the run: which input, and which document of it, both counted from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId {
    /// The input (the manifest) it is in.
    pub input: usize,
    /// Its place among that input's documents.
    pub doc: usize,
}

/// A Kubernetes object in the stream: a document, or an item of a list document.
#[derive(Debug, Clone)]
pub struct Object {
    /// The document that holds it.
    pub doc: DocId,
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
        let doc = manifests[self.doc.input].values[self.doc.doc].as_ref().expect("objects come from read documents");
        doc.pointer(&self.pointer).expect("the pointer was taken from this document")
    }
}

/// Every object `wanted` picks, in stream order; the items of lists (and of lists inside them)
/// stand for their list, as kubectl applies them.
pub fn objects(manifests: &[Manifest], wanted: impl Fn(Kind) -> bool, default_namespace: &str) -> Vec<Object> {
    let mut out = Vec::new();
    for (m, manifest) in manifests.iter().enumerate() {
        for (d, value) in manifest.values.iter().enumerate() {
            let Some(value) = value else { continue };
            // Made once per document, and only for a document with an object wanted.
            let mut doc_location: Option<Location> = None;
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
                let location = doc_location.get_or_insert_with(|| manifest.location(d)).clone();
                out.push(Object {
                    doc: DocId { input: m, doc: d },
                    pointer,
                    kind,
                    location: who(location, obj, default_namespace),
                });
            }
        }
    }
    out
}

/// A document's location, narrowed to one object in it: its kind, namespace and name, and Helm
/// 4's template file where the document has no `# Source:` line.
fn who(mut location: Location, obj: &Value, default_namespace: &str) -> Location {
    if location.source.is_none() {
        location.source = meta::annotation(obj, meta::HELM4_FILENAME_ANNOTATION).map(str::to_string);
    }
    location.kind = obj.get("kind").and_then(Value::as_str).map(str::to_string);
    location.namespace = Some(meta::namespace(obj, default_namespace).to_string());
    location.name = meta::name(obj).map(str::to_string);
    location
}
