//! A KRM function's input (kpt `fn eval --exec`, kustomize exec functions): a `ResourceList` on
//! stdin, whose `items` are read as any stream is, and whose `functionConfig`, when it is a
//! ServicePolicy, is the policy. What the function answers is `output::krm`.

use crate::input::stream;
use crate::yaml;
use serde_json::Value;

/// The input's single document, when it is a ResourceList.
pub fn resource_list(input: &[u8]) -> Option<Value> {
    let docs = stream::split(input).ok()?;
    let mut bodies = docs.iter().map(|d| &input[d.body.clone()]).filter(|b| !b.iter().all(u8::is_ascii_whitespace));
    let (body, None) = (bodies.next()?, bodies.next()) else { return None };
    let value = yaml::read(body).ok()??;
    (value.get("kind").and_then(Value::as_str) == Some("ResourceList")
        && value.get("items").is_some_and(Value::is_array))
    .then_some(value)
}

/// The `functionConfig`, when it is a ServicePolicy: the run's policy, as JSON.
pub fn function_config(list: &Value) -> Option<&Value> {
    list.get("functionConfig").filter(|c| c.get("kind").and_then(Value::as_str) == Some("ServicePolicy"))
}
