//! Changes to an object's JSON, and their record: `Tracked` changes a value in place and logs
//! every change as a `Change` (the field as people write it, the values before and after, and
//! why), which the report shows and `check` counts. The text of a document is changed much later,
//! by `yaml::edit`, to mean the changed JSON.
//!
//! Paths are written as `Seg`s and named for people by `field_name`: `spec.ports[0].nodePort`,
//! `metadata.annotations["metallb.io/ip"]`.

use crate::k8s::meta::is_set;
use serde_json::{json, Map, Value};

/// One field svcpolicy changed, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// `spec.ports[0].nodePort`, `metadata.annotations[metallb.io/ip]`.
    pub field: String,
    /// The value before; none when the field was added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
    /// The value after; none when the field was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
    /// Why: the rule, or the apiserver's rule, that asked for it.
    pub reason: String,
}

/// An object's JSON being changed in place, with a record of every change.
pub struct Tracked<'a> {
    /// The object's JSON, changed in place.
    pub value: &'a mut Value,
    /// Every change made so far, in order.
    pub changes: Vec<Change>,
}

/// A step of a path into an object: a mapping's key or a list's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    /// A key of a mapping.
    Key(&'a str),
    /// An item of a list, from 0.
    Index(usize),
}

/// A path as people write it: `spec.ports[0].nodePort`, `metadata.annotations["metallb.io/ip"]`
/// (a key that is not a plain word is quoted in brackets, so `["0755"]` is never an index).
pub fn field_name(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        let plain_word = |k: &str| {
            k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        match seg {
            Seg::Key(k) if !plain_word(k) => out.push_str(&format!("[{}]", Value::String(k.to_string()))),
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// `/spec/ports/0/name` as people write it: `spec.ports[0].name`. A token is an index only where
/// `doc` holds a list there: `/metadata/annotations/0755` is a key.
pub fn field_from_pointer(pointer: &str, doc: &Value) -> String {
    let tokens: Vec<String> = pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    let mut at = Some(doc);
    let mut segs = Vec::with_capacity(tokens.len());
    for t in &tokens {
        let index = at.filter(|v| v.is_array()).and_then(|_| t.parse::<usize>().ok());
        segs.push(index.map_or(Seg::Key(t), Seg::Index));
        at = at.and_then(|v| match index {
            Some(i) => v.get(i),
            None => v.get(t.as_str()),
        });
    }
    field_name(&segs)
}

/// `base` followed by `more`.
pub fn join<'a>(base: &[Seg<'a>], more: &[Seg<'a>]) -> Vec<Seg<'a>> {
    base.iter().chain(more).copied().collect()
}

fn get<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

fn get_mut<'v>(v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(*k),
        Seg::Index(i) => v.get_mut(*i),
    })
}

impl<'a> Tracked<'a> {
    /// Starts changing a value, with no changes yet.
    pub fn new(value: &'a mut Value) -> Self {
        Tracked { value, changes: Vec::new() }
    }

    /// The value at a path, if there is one.
    pub fn get(&self, path: &[Seg]) -> Option<&Value> {
        get(self.value, path)
    }

    /// Sets the value at a path and records the change, making missing mappings on the way (a
    /// missing list item stops it). A value already there is no change.
    pub fn set(&mut self, path: &[Seg], value: Value, reason: &str) {
        let old = self.get(path).cloned();
        if old.as_ref() == Some(&value) {
            return;
        }
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut cur = &mut *self.value;
        for seg in parents {
            cur = match seg {
                Seg::Key(k) => {
                    if !cur.is_object() {
                        *cur = Value::Object(Map::new());
                    }
                    let slot = cur.as_object_mut().expect("made an object above").entry(*k).or_insert(Value::Null);
                    if slot.is_null() {
                        *slot = json!({});
                    }
                    slot
                }
                Seg::Index(i) => match cur.get_mut(*i) {
                    Some(item) => item,
                    None => return,
                },
            };
        }
        match last {
            Seg::Key(k) => {
                if !cur.is_object() {
                    *cur = Value::Object(Map::new());
                }
                cur[*k] = value.clone();
            }
            Seg::Index(i) => match cur.get_mut(*i) {
                Some(slot) => *slot = value.clone(),
                None => return,
            },
        }
        self.changes.push(Change { field: field_name(path), from: old, to: Some(value), reason: reason.to_string() });
    }

    /// Removes a field that is set; absent and null fields are left as they are.
    pub fn remove(&mut self, path: &[Seg], reason: &str) {
        if !is_set(self.get(path)) {
            return;
        }
        let Some((Seg::Key(last), parents)) = path.split_last() else {
            return;
        };
        let Some(Value::Object(parent)) = get_mut(self.value, parents) else {
            return;
        };
        let old = parent.remove(*last);
        // An emptied `annotations: {}` or `labels: {}` means nothing; it goes with its last key.
        if parent.is_empty() {
            if let Some((Seg::Key(map @ ("annotations" | "labels")), grand)) = parents.split_last() {
                if let Some(Value::Object(meta)) = get_mut(self.value, grand) {
                    meta.remove(*map);
                }
            }
        }
        self.changes.push(Change { field: field_name(path), from: old, to: None, reason: reason.to_string() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_quote_only_keys_that_are_not_plain_words() {
        let key = |k| field_name(&[Seg::Key("metadata"), Seg::Key("labels"), Seg::Key(k)]);
        assert_eq!(key("app_name"), "metadata.labels.app_name");
        assert_eq!(key("_private"), "metadata.labels._private");
        assert_eq!(key("app-name"), "metadata.labels.app-name");
        assert_eq!(key("app.kubernetes.io/name"), r#"metadata.labels["app.kubernetes.io/name"]"#);
        assert_eq!(key("0755"), r#"metadata.labels["0755"]"#);
        assert_eq!(key("-x"), r#"metadata.labels["-x"]"#);
    }

    #[test]
    fn set_walks_into_arrays_and_creates_missing_maps() {
        let mut svc = json!({"spec": {"ports": [{"port": 80}]}});
        let mut t = Tracked::new(&mut svc);
        t.set(&[Seg::Key("spec"), Seg::Key("ports"), Seg::Index(0), Seg::Key("nodePort")], json!(30080), "r");
        t.set(&[Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key("a")], json!("b"), "r");
        t.set(&[Seg::Key("spec"), Seg::Key("ports"), Seg::Index(5), Seg::Key("nodePort")], json!(1), "r");
        assert_eq!(t.changes.len(), 2);
        assert_eq!(
            svc,
            json!({"spec": {"ports": [{"port": 80, "nodePort": 30080}]}, "metadata": {"annotations": {"a": "b"}}})
        );
    }

    #[test]
    fn fields_are_named_as_people_write_them() {
        let doc = json!({"spec": {"ports": [{"name": "a"}]}, "metadata": {"annotations": {"0755": "x"}}});
        assert_eq!(field_from_pointer("/spec/ports/0/name", &doc), "spec.ports[0].name");
        assert_eq!(field_from_pointer("/metadata/annotations/0755", &doc), "metadata.annotations[\"0755\"]");
        assert_eq!(field_from_pointer("/metadata/annotations/a~1b", &doc), "metadata.annotations[\"a/b\"]");
    }
}
