//! JSON Schemas the derives cannot write: for keys whose Rust type is wider than what the file
//! may say (a rule retypes to three types of four, a pinned node port), and for the JSON Patch
//! operations `patch` takes. Only the schema uses these types; the loader reads the real ones.

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;
use std::borrow::Cow;

/// The types a rule retypes Services to (a rule may match ExternalName Services, not make them).
#[derive(JsonSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
pub(crate) enum RetypeTo {
    /// Inside the cluster only: every `nodePort` and the LoadBalancer fields go.
    ClusterIP,
    /// On a port of every node: the LoadBalancer-only fields go, `nodePort`s stay.
    NodePort,
    /// Through the load balancer: `healthCheckNodePort` goes unless `externalTrafficPolicy: Local`.
    LoadBalancer,
}

/// A node port a rule pins, as the schema describes it (the loader also holds it to the range).
pub(crate) struct NodePortNumber;

impl JsonSchema for NodePortNumber {
    fn schema_name() -> Cow<'static, str> {
        "NodePortNumber".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A node port, 1-65535, inside nodePorts.range",
            "type": "integer",
            "minimum": 1,
            "maximum": 65535
        })
    }
}

/// Makes each paragraph of a description one line. Descriptions come from doc comments, wrapped
/// at 100 columns; editors read a single line break in a description as a paragraph break (the
/// YAML language server's hover turns every other one into a blank line, mid-sentence).
pub(crate) fn one_line_paragraphs(schema: &mut Schema) {
    if let Some(Value::String(text)) = schema.get_mut("description") {
        *text = text
            .split("\n\n")
            .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n\n");
    }
}

pub(crate) fn api_version_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "const": "svcpolicy/v1"})
}

pub(crate) fn kind_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "const": "ServicePolicy"})
}

/// One RFC 6902 JSON Patch operation on the Service: `op`, the `path` it works on, and the
/// `value` or `from` it needs.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub(crate) struct PatchOperationSchema {
    /// `add`, `remove`, `replace`, `move`, `copy` or `test`.
    op: PatchOp,
    /// A JSON pointer into the Service, e.g. `/metadata/labels/team`.
    path: String,
    /// The value `add` and `replace` write and `test` compares with.
    value: Option<Value>,
    /// A JSON pointer to what `move` and `copy` take.
    from: Option<String>,
}

/// What a patch operation does (RFC 6902).
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum PatchOp {
    /// Adds `value` at `path`: a key of a mapping that exists, or a list index (`-` appends).
    Add,
    /// Removes what is at `path`; already absent is no error.
    Remove,
    /// Replaces what is at `path`, which must be there, with `value`.
    Replace,
    /// Moves what is at `from` to `path`.
    Move,
    /// Copies what is at `from` to `path`.
    Copy,
    /// Checks that `path` holds `value`; if not, the patch is an error.
    Test,
}
