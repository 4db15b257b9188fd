//! What every object carries, read by name: `metadata.name` and `namespace`, labels and
//! annotations, the Helm release and chart labels; the annotation keys svcpolicy reads and writes
//! (Helm's, and the load-balancer implementations'), each spelled once; and port numbers. Named
//! accessors over the untyped JSON, as kustomize's kyaml has `RNode.GetAnnotations()`.

use serde_json::Value;
use std::collections::BTreeMap;

/// Helm 4 tags every document with the template file it came from.
pub const HELM4_FILENAME_ANNOTATION: &str = "postrenderer.helm.sh/postrender-filename";
/// Marks a Helm hook (installed apart from the release's other resources).
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";

/// The Helm release an object belongs to, as charts following Kubernetes' conventions label it.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// The release, as older charts label it.
pub const RELEASE_LABEL: &str = "release";
/// The chart and its version (`nginx-22.1.1`), as Helm's conventions label it.
pub const CHART_LABEL: &str = "helm.sh/chart";
/// The chart, as older charts label it.
pub const OLD_CHART_LABEL: &str = "chart";
/// The application's name (`traefik`), as Kubernetes' conventions label it.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";

/// The client addresses a LoadBalancer accepts, as an annotation (`loadBalancerSourceRanges`'s
/// older form): LoadBalancer Services only.
pub const SOURCE_RANGES_ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
/// MetalLB's requested addresses.
pub const METALLB_ADDRESSES: &str = "metallb.io/loadBalancerIPs";
/// MetalLB's sharing key.
pub const METALLB_SHARING_KEY: &str = "metallb.io/allow-shared-ip";
/// Cilium LB IPAM's requested addresses.
pub const CILIUM_ADDRESSES: &str = "lbipam.cilium.io/ips";
/// Cilium LB IPAM's sharing key.
pub const CILIUM_SHARING_KEY: &str = "lbipam.cilium.io/sharing-key";
/// kube-vip's requested addresses (it has no sharing key).
pub const KUBE_VIP_ADDRESSES: &str = "kube-vip.io/loadbalancerIPs";
/// The annotations the implementations read requested addresses from, current names and older
/// ones, in the order they are looked up.
pub const ADDRESS_KEYS: &[&str] = &[
    METALLB_ADDRESSES,
    "metallb.universe.tf/loadBalancerIPs",
    CILIUM_ADDRESSES,
    "io.cilium/lb-ipam-ips",
    KUBE_VIP_ADDRESSES,
];
/// The annotations the implementations read a sharing key from, current names and older ones.
pub const SHARING_KEYS: &[&str] =
    &[METALLB_SHARING_KEY, "metallb.universe.tf/allow-shared-ip", CILIUM_SHARING_KEY, "io.cilium/lb-ipam-sharing-key"];
/// Annotations that only load-balancer implementations read, by prefix: a Service that stops
/// being a LoadBalancer loses them.
pub const LB_ANNOTATION_PREFIXES: &[&str] =
    &["metallb.io/", "metallb.universe.tf/", "lbipam.cilium.io/", "io.cilium/", "kube-vip.io/"];

/// `metadata.name`, when it is a string.
pub fn name(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/name").and_then(Value::as_str)
}

/// `metadata.namespace`, else `default`; an empty namespace counts as none.
pub fn namespace<'v>(obj: &'v Value, default: &'v str) -> &'v str {
    obj.pointer("/metadata/namespace").and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or(default)
}

/// An annotation's value, when it is a string.
pub fn annotation<'v>(obj: &'v Value, key: &str) -> Option<&'v str> {
    obj.get("metadata")?.get("annotations")?.get(key)?.as_str()
}

/// The first of `keys` the object has as a string annotation, in the order given.
pub fn first_annotation<'v>(obj: &'v Value, keys: &[&str]) -> Option<&'v str> {
    keys.iter().find_map(|k| annotation(obj, k))
}

/// `metadata.labels` as strings (see `annotations`).
pub fn labels(obj: &Value) -> BTreeMap<String, String> {
    string_map(obj, "labels")
}

/// `metadata.annotations` as strings. A value that is not a string is how a YAML mistake looks
/// (`enabled: true` unquoted); it is shown as JSON, so a rule can still see it.
pub fn annotations(obj: &Value) -> BTreeMap<String, String> {
    string_map(obj, "annotations")
}

fn string_map(obj: &Value, field: &str) -> BTreeMap<String, String> {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect())
        .unwrap_or_default()
}

/// The Helm release, from labels: `app.kubernetes.io/instance`, else the older `release`.
pub fn release(labels: &BTreeMap<String, String>) -> Option<&str> {
    labels.get(INSTANCE_LABEL).or_else(|| labels.get(RELEASE_LABEL)).map(String::as_str)
}

/// The chart and its version (`nginx-22.1.1`), from labels: `helm.sh/chart`, else the older
/// `chart`.
pub fn chart(labels: &BTreeMap<String, String>) -> Option<&str> {
    labels.get(CHART_LABEL).or_else(|| labels.get(OLD_CHART_LABEL)).map(String::as_str)
}

/// A port number as Kubernetes writes one: a JSON number from 1 to 65535. 0, which Kubernetes
/// reads as "none", and anything else are `None`.
pub fn port_number(v: Option<&Value>) -> Option<u16> {
    as_u16(v).filter(|&n| n > 0)
}

/// A JSON number that fits 16 bits, 0 included.
pub fn as_u16(v: Option<&Value>) -> Option<u16> {
    v.and_then(Value::as_u64).and_then(|n| u16::try_from(n).ok())
}

/// Present and meaningful: not absent, not null, not zero, not an empty string or list (Go's
/// zero values, which the apiserver reads as unset).
pub fn is_set(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// How a JSON value's type is named in messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
