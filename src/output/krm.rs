//! A KRM function's answer (kpt `fn eval --exec`, kustomize exec functions): the `ResourceList`,
//! its `items` edited in place as any stream is, with what svcpolicy found written back as
//! `results` (severity, message, resourceRef, field). Unlike a post-renderer, a KRM function
//! answers even when it fails: the list comes back unchanged, with the errors in its results.
//! Its input side (recognising the list, its `functionConfig`) is `input::krm`.

use crate::input::stream;
use crate::input::Location;
use crate::report::{describe_change, Finding, Report};
use crate::yaml;
use anyhow::{Context, Result};
use serde_json::{json, Value};

/// `output` (the ResourceList, edited or not) with `results` saying what the report says.
pub fn with_results(output: &[u8], report: &Report) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(output).context("the ResourceList is not UTF-8")?;
    let docs = stream::split(output).context("the ResourceList does not split")?;
    let doc =
        docs.iter().find(|d| !output[d.body.clone()].iter().all(u8::is_ascii_whitespace)).context("no ResourceList")?;
    let body = &text[doc.body.clone()];
    let current = yaml::read(body)?.context("the ResourceList is empty")?;
    let mut target = current.clone();
    target["results"] = Value::Array(results(report, &current));
    let edited = yaml::edit_to(body, &current, &target)?;
    Ok([&text[..doc.body.start], edited.as_str(), &text[doc.body.end..]].concat().into_bytes())
}

fn results(report: &Report, list: &Value) -> Vec<Value> {
    let items = list["items"].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for c in &report.changes {
        let mut r = result("info", &c.location, describe_change(&c.change), &items);
        let mut field = json!({"path": c.change.field});
        if let Some(from) = &c.change.from {
            field["currentValue"] = from.clone();
        }
        if let Some(to) = &c.change.to {
            field["proposedValue"] = to.clone();
        }
        r["field"] = field;
        out.push(r);
    }
    for (severity, findings) in [("warning", &report.warnings), ("error", &report.errors)] {
        out.extend(findings.iter().map(|f| finding(severity, f, &items)));
    }
    out
}

fn finding(severity: &str, f: &Finding, items: &[Value]) -> Value {
    let mut r = result(severity, &f.location, f.message.clone(), items);
    if let Some(field) = &f.field {
        r["field"] = json!({"path": field});
    }
    r
}

fn result(severity: &str, loc: &Location, message: String, items: &[Value]) -> Value {
    let mut r = json!({"message": message, "severity": severity});
    if let (Some(kind), Some(name)) = (&loc.kind, &loc.name) {
        let same = |i: &&Value| i["kind"] == kind.as_str() && i["metadata"]["name"] == name.as_str();
        let api_version = items.iter().find(same).and_then(|i| i["apiVersion"].as_str()).unwrap_or("v1");
        let mut reference = json!({"apiVersion": api_version, "kind": kind, "name": name});
        if let Some(ns) = &loc.namespace {
            reference["namespace"] = ns.as_str().into();
        }
        r["resourceRef"] = reference;
    }
    r
}
