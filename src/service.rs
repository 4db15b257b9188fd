//! Services as the apiserver sees them: their effective type, the fields each type allows, and
//! type changes that leave a Service the apiserver accepts on create and on update
//! (kubernetes `ValidateService`, `dropTypeDependentFields`; see docs/policy.md).
//!
//! Everything here works on the Service's JSON; the editor turns the result into text edits.

use crate::policy::ServiceType;
use crate::resource::json_type;
use serde_json::{json, Map, Value};

const SOURCE_RANGES_ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";

/// Annotations that only load-balancer implementations read.
const LB_ANNOTATION_PREFIXES: &[&str] =
    &["metallb.io/", "metallb.universe.tf/", "lbipam.cilium.io/", "io.cilium/", "kube-vip.io/"];

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

/// A Service being changed, with a record of every change.
pub struct Edit<'a> {
    /// The Service's JSON, changed in place.
    pub svc: &'a mut Value,
    /// Every change made so far, in order.
    pub changes: Vec<Change>,
}

/// A path into a Service: object keys and array indexes.
#[derive(Clone, Copy)]
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

fn get<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

/// Present and meaningful: not absent, not null, not zero, not an empty string or list.
fn is_set(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

impl<'a> Edit<'a> {
    /// Starts editing a Service, with no changes yet.
    pub fn new(svc: &'a mut Value) -> Self {
        Edit { svc, changes: Vec::new() }
    }

    /// The value at a path, if there is one.
    pub fn get(&self, path: &[Seg]) -> Option<&Value> {
        get(self.svc, path)
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
        let mut cur = &mut *self.svc;
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
        let Some(Value::Object(parent)) = get_mut(self.svc, parents) else {
            return;
        };
        let old = parent.remove(*last);
        // An emptied `annotations: {}` or `labels: {}` means nothing; it goes with its last key.
        if parent.is_empty() {
            if let Some((Seg::Key(map @ ("annotations" | "labels")), grand)) = parents.split_last() {
                if let Some(Value::Object(meta)) = get_mut(self.svc, grand) {
                    meta.remove(*map);
                }
            }
        }
        self.changes.push(Change { field: field_name(path), from: old, to: None, reason: reason.to_string() });
    }
}

fn get_mut<'v>(v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(*k),
        Seg::Index(i) => v.get_mut(*i),
    })
}

/// The Service's type, with the apiserver's default for an absent or empty one.
pub fn service_type(svc: &Value) -> Result<ServiceType, String> {
    match svc.pointer("/spec/type") {
        None | Some(Value::Null) => Ok(ServiceType::ClusterIP),
        Some(Value::String(s)) => match s.as_str() {
            "" | "ClusterIP" => Ok(ServiceType::ClusterIP),
            "NodePort" => Ok(ServiceType::NodePort),
            "LoadBalancer" => Ok(ServiceType::LoadBalancer),
            "ExternalName" => Ok(ServiceType::ExternalName),
            other => Err(format!(
                "spec.type: Unsupported value: \"{other}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
            )),
        },
        Some(other) => Err(format!("spec.type: {other} is not a string")),
    }
}

/// A headless Service: `clusterIP: None` (or `clusterIPs: [None]`). It cannot be made NodePort or
/// LoadBalancer, and `clusterIP` cannot change in place.
pub fn is_headless(svc: &Value) -> bool {
    svc.pointer("/spec/clusterIP").and_then(Value::as_str) == Some("None")
        || svc.pointer("/spec/clusterIPs").and_then(Value::as_array).is_some_and(|a| a.len() == 1 && a[0] == "None")
}

fn port_count(svc: &Value) -> usize {
    svc.pointer("/spec/ports").and_then(Value::as_array).map_or(0, Vec::len)
}

/// Changes the type as a rule asks, or says why the Service keeps its type.
pub fn retype(edit: &mut Edit, to: ServiceType, why: &str) -> Result<(), String> {
    let from = service_type(edit.svc)?;
    if from == to {
        return Ok(());
    }
    if from == ServiceType::ExternalName {
        return Err(format!("{why} asks for {to}, but an ExternalName Service is never retyped; left as ExternalName"));
    }
    if is_headless(edit.svc) && to != ServiceType::ClusterIP {
        return Err(format!(
            "{why} asks for {to}, but a headless Service (clusterIP: None) cannot be {to}; left as a headless ClusterIP"
        ));
    }
    edit.set(&[Seg::Key("spec"), Seg::Key("type")], json!(to.as_str()), why);
    if from == ServiceType::LoadBalancer {
        let reason = format!("only LoadBalancer Services use it (type changed to {to})");
        edit.remove(&[Seg::Key("spec"), Seg::Key("loadBalancerIP")], &reason);
        let lb_annotations: Vec<String> = annotations(edit.svc)
            .keys()
            .filter(|k| LB_ANNOTATION_PREFIXES.iter().any(|p| k.starts_with(p)))
            .cloned()
            .collect();
        for k in &lb_annotations {
            edit.remove(&[Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key(k)], &reason);
        }
    }
    Ok(())
}

fn annotations(svc: &Value) -> Map<String, Value> {
    svc.pointer("/metadata/annotations").and_then(Value::as_object).cloned().unwrap_or_default()
}

/// The apiserver's `ExternallyAccessible`: a NodePort or LoadBalancer Service, or a ClusterIP one
/// with external IPs. Only such a Service may have an `externalTrafficPolicy`.
pub fn is_externally_accessible(svc: &Value) -> bool {
    match service_type(svc) {
        Ok(ServiceType::NodePort | ServiceType::LoadBalancer) => true,
        Ok(ServiceType::ClusterIP) => is_set(svc.pointer("/spec/externalIPs")),
        Ok(ServiceType::ExternalName) | Err(_) => false,
    }
}

/// Removes every field the Service's type does not allow (ValidateService rules 5, 12, 19-23).
/// These are what charts most often render wrong, and the fix is always to drop the field.
pub fn drop_fields_type_forbids(edit: &mut Edit) {
    let Ok(t) = service_type(edit.svc) else {
        return;
    };
    let lb = t == ServiceType::LoadBalancer;
    let type_name = t.as_str();
    if !matches!(t, ServiceType::NodePort | ServiceType::LoadBalancer) {
        let reason = format!("nodePort may not be used when type is '{type_name}'");
        for i in 0..port_count(edit.svc) {
            edit.remove(&[Seg::Key("spec"), Seg::Key("ports"), Seg::Index(i), Seg::Key("nodePort")], &reason);
        }
    }
    if !lb {
        let reason = format!("may only be used when type is 'LoadBalancer' (type is '{type_name}')");
        for field in ["allocateLoadBalancerNodePorts", "loadBalancerClass", "loadBalancerSourceRanges"] {
            edit.remove(&[Seg::Key("spec"), Seg::Key(field)], &reason);
        }
        edit.remove(&[Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key(SOURCE_RANGES_ANNOTATION)], &reason);
    }
    if !is_externally_accessible(edit.svc) {
        edit.remove(
            &[Seg::Key("spec"), Seg::Key("externalTrafficPolicy")],
            &format!("may only be set for externally-accessible services (type is '{type_name}')"),
        );
    }
    let local =
        edit.get(&[Seg::Key("spec"), Seg::Key("externalTrafficPolicy")]).and_then(Value::as_str) == Some("Local");
    if !(lb && local) {
        edit.remove(
            &[Seg::Key("spec"), Seg::Key("healthCheckNodePort")],
            "may only be set when type is 'LoadBalancer' and externalTrafficPolicy is 'Local'",
        );
    }
    if t == ServiceType::ExternalName {
        for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
            edit.remove(&[Seg::Key("spec"), Seg::Key(field)], "may not be set for ExternalName services");
        }
    }
}

/// Values of the wrong JSON type where svcpolicy would otherwise read past them: `ports` that are
/// not a list, a quoted `nodePort` (a string the apiserver cannot decode). The chart must change;
/// svcpolicy does not guess what was meant.
pub fn shape_problems(svc: &Value) -> Vec<(String, String)> {
    let ports = match svc.pointer("/spec/ports") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(ports)) => ports,
        Some(other) => {
            return vec![(
                "spec.ports".into(),
                format!("Invalid value: must be a list of ports, not {}", json_type(other)),
            )]
        }
    };
    let mut out = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        if let Some(n) = p.get("nodePort").filter(|v| !v.is_null() && !v.is_number()) {
            let message =
                format!("Invalid value: {n}: must be a number, not {} (write it without quotes)", json_type(n));
            out.push((format!("spec.ports[{i}].nodePort"), message));
        }
    }
    out
}

/// Problems no edit can fix (ValidateService rules 1-3, 6-10, 14, 16): the chart must change.
/// Each is `(field, message)` in the apiserver's words.
pub fn unfixable_problems(svc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let t = match service_type(svc) {
        Ok(t) => t,
        Err(e) => {
            out.push(("spec.type".to_string(), e));
            return out;
        }
    };
    match svc.pointer("/metadata/name") {
        None | Some(Value::String(_)) => {}
        Some(v) => out
            .push(("metadata.name".into(), format!("Invalid value: {v}: must be a string (quote it in the template)"))),
    }
    if let Some(name) = svc.pointer("/metadata/name").and_then(Value::as_str) {
        if !is_dns1035_label(name) {
            out.push(("metadata.name".into(), format!("Invalid value: \"{name}\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (at most 63 characters)")));
        }
    }
    if t == ServiceType::ExternalName {
        match svc.pointer("/spec/externalName").and_then(Value::as_str) {
            Some(n) if is_dns1123_subdomain(n.strip_suffix('.').unwrap_or(n)) => {}
            Some(n) => {
                out.push(("spec.externalName".into(), format!("Invalid value: \"{n}\": must be a DNS-1123 subdomain")))
            }
            None => out.push(("spec.externalName".into(), "Required value".into())),
        }
    }
    let ports: &[Value] = svc.pointer("/spec/ports").and_then(Value::as_array).map_or(&[], Vec::as_slice);
    if ports.is_empty() && t != ServiceType::ExternalName && !is_headless(svc) {
        out.push(("spec.ports".into(), "Required value".into()));
    }
    let mut names = Vec::new();
    let mut keys = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        let at = |f: &str| format!("spec.ports[{i}].{f}");
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() && ports.len() > 1 {
            out.push((at("name"), "Required value".into()));
        } else if !name.is_empty() && !is_dns1123_label(name) {
            out.push((at("name"), format!("Invalid value: \"{name}\": must be a lowercase RFC 1123 label")));
        } else if !name.is_empty() && names.contains(&name) {
            out.push((at("name"), format!("Duplicate value: \"{name}\"")));
        }
        names.push(name);
        let port = p.get("port").and_then(Value::as_i64);
        match (p.get("port"), port) {
            (_, Some(1..=65535)) => {}
            (Some(v @ Value::Number(_)), _) => {
                out.push((at("port"), format!("Invalid value: {v}: must be between 1 and 65535, inclusive")))
            }
            (Some(v), _) => {
                out.push((at("port"), format!("Invalid value: {v}: must be a number, not {}", json_type(v))))
            }
            (None, _) => out.push((at("port"), "Required value".into())),
        }
        let protocol = match p.get("protocol") {
            None | Some(Value::Null) => "TCP",
            Some(Value::String(s)) if matches!(s.as_str(), "TCP" | "UDP" | "SCTP") => s.as_str(),
            Some(v) => {
                out.push((
                    at("protocol"),
                    format!("Unsupported value: {v}: supported values: \"SCTP\", \"TCP\", \"UDP\""),
                ));
                "TCP"
            }
        };
        if let Some(port) = port {
            if keys.contains(&(protocol, port)) {
                out.push((format!("spec.ports[{i}]"), format!("Duplicate value: {protocol}/{port}")));
            }
            keys.push((protocol, port));
        }
        match p.get("targetPort") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if matches!(n.as_i64(), Some(0..=65535)) => {}
            Some(Value::String(s)) if s.is_empty() || is_iana_port_name(s) => {}
            Some(v) => out.push((
                at("targetPort"),
                format!("Invalid value: {v}: must be a port number (1-65535) or an IANA port name"),
            )),
        }
        if let Some(n) = p.get("nodePort").filter(|v| !v.is_null()) {
            if !matches!(n.as_i64(), Some(0..=65535)) {
                out.push((at("nodePort"), format!("Invalid value: {n}: must be between 1 and 65535, inclusive")));
            }
        }
    }
    match svc.pointer("/spec/sessionAffinity") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if matches!(s.as_str(), "None" | "ClientIP" | "") => {}
        Some(v) => out.push((
            "spec.sessionAffinity".into(),
            format!("Unsupported value: {v}: supported values: \"ClientIP\", \"None\""),
        )),
    }
    out
}

fn is_dns1035_label(s: &str) -> bool {
    s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Kubernetes' `IsDNS1123Label`: at most 63 lower-case alphanumerics and '-', starting and ending
/// alphanumeric. Port names must be one.
pub fn is_dns1123_label(s: &str) -> bool {
    s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Kubernetes' `IsDNS1123Subdomain`: at most 253 characters in all, dot-separated parts of
/// lower-case alphanumerics and '-' that start and end alphanumeric (no per-part length limit).
pub fn is_dns1123_subdomain(s: &str) -> bool {
    let part = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && p.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    !s.is_empty() && s.len() <= 253 && s.split('.').all(part)
}

fn is_iana_port_name(s: &str) -> bool {
    s.len() <= 15
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.chars().any(|c| c.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// Writes a rule's `loadBalancer: {ip, sharingKey}` where the cluster's implementation reads them;
/// returns what the implementation cannot take.
pub fn request_address(
    edit: &mut Edit,
    lb: &crate::policy::LoadBalancerAction,
    implementation: Option<crate::policy::Implementation>,
    why: &str,
) -> Vec<String> {
    use crate::policy::Implementation as I;
    let implementation = implementation.unwrap_or(I::None);
    let (address_key, sharing_key) = match implementation {
        I::Metallb => (Some("metallb.io/loadBalancerIPs"), Some("metallb.io/allow-shared-ip")),
        I::Cilium => (Some("lbipam.cilium.io/ips"), Some("lbipam.cilium.io/sharing-key")),
        I::KubeVip => (Some("kube-vip.io/loadbalancerIPs"), None),
        I::Servicelb | I::None => (None, None),
    };
    let annotation = |k: &'static str| [Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key(k)];
    let mut unsupported = Vec::new();
    if let Some(ip) = &lb.ip {
        match (implementation, address_key) {
            (_, Some(k)) => {
                edit.set(&annotation(k), Value::from(ip.as_str()), why);
                // One Service, one address request: the chart's own would be a second (MetalLB
                // refuses a Service with both).
                edit.remove(&[Seg::Key("spec"), Seg::Key("loadBalancerIP")], &format!("{why}: the address is in {k}"));
            }
            (I::None, None) => edit.set(&[Seg::Key("spec"), Seg::Key("loadBalancerIP")], Value::from(ip.as_str()), why),
            _ => unsupported.push(format!("ServiceLB serves every node's addresses; the address {ip} is not set")),
        }
    }
    if let Some(key) = &lb.sharing_key {
        match sharing_key {
            Some(k) => edit.set(&annotation(k), Value::from(key.as_str()), why),
            None => {
                unsupported.push(format!("the load-balancer implementation has no sharing key; '{key}' is not set"))
            }
        }
    }
    unsupported
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(svc: Value, to: Option<ServiceType>) -> (Value, Vec<Change>) {
        let mut v = svc;
        let mut e = Edit::new(&mut v);
        if let Some(t) = to {
            retype(&mut e, t, "rule r").unwrap();
        }
        drop_fields_type_forbids(&mut e);
        let changes = e.changes;
        (v, changes)
    }

    #[test]
    fn load_balancer_to_cluster_ip_drops_what_the_apiserver_refuses() {
        let svc = json!({"metadata": {"name": "a", "annotations": {"metallb.universe.tf/allow-shared-ip": "k", "keep": "x", SOURCE_RANGES_ANNOTATION: "10.0.0.0/8"}},
            "spec": {"type": "LoadBalancer", "loadBalancerIP": "1.2.3.4", "loadBalancerClass": "x/y", "allocateLoadBalancerNodePorts": false,
                     "loadBalancerSourceRanges": ["10.0.0.0/8"], "externalTrafficPolicy": "Local", "healthCheckNodePort": 30000,
                     "ports": [{"port": 80, "nodePort": 30080}]}});
        let (v, changes) = run(svc, Some(ServiceType::ClusterIP));
        assert_eq!(
            v,
            json!({"metadata": {"name": "a", "annotations": {"keep": "x"}}, "spec": {"type": "ClusterIP", "ports": [{"port": 80}]}})
        );
        assert_eq!(changes.len(), 10);
    }

    #[test]
    fn load_balancer_to_node_port_keeps_node_ports_and_traffic_policy() {
        let svc = json!({"spec": {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "healthCheckNodePort": 30000, "loadBalancerClass": "x/y", "ports": [{"port": 80, "nodePort": 30080}]}});
        let (v, _) = run(svc, Some(ServiceType::NodePort));
        assert_eq!(
            v,
            json!({"spec": {"type": "NodePort", "externalTrafficPolicy": "Local", "ports": [{"port": 80, "nodePort": 30080}]}})
        );
    }

    #[test]
    fn headless_and_external_name_keep_their_type() {
        let mut headless = json!({"spec": {"clusterIP": "None", "ports": [{"port": 80}]}});
        assert!(retype(&mut Edit::new(&mut headless), ServiceType::NodePort, "rule r").is_err());
        let mut ext = json!({"spec": {"type": "ExternalName", "externalName": "x.example.com"}});
        assert!(retype(&mut Edit::new(&mut ext), ServiceType::ClusterIP, "rule r").is_err());
    }

    #[test]
    fn set_walks_into_arrays_and_creates_missing_maps() {
        let mut svc = json!({"spec": {"ports": [{"port": 80}]}});
        let mut e = Edit::new(&mut svc);
        e.set(&[Seg::Key("spec"), Seg::Key("ports"), Seg::Index(0), Seg::Key("nodePort")], json!(30080), "r");
        e.set(&[Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key("a")], json!("b"), "r");
        e.set(&[Seg::Key("spec"), Seg::Key("ports"), Seg::Index(5), Seg::Key("nodePort")], json!(1), "r");
        assert_eq!(e.changes.len(), 2);
        assert_eq!(
            svc,
            json!({"spec": {"ports": [{"port": 80, "nodePort": 30080}]}, "metadata": {"annotations": {"a": "b"}}})
        );
    }

    #[test]
    fn null_node_ports_are_left_alone() {
        let svc = json!({"spec": {"type": "ClusterIP", "ports": [{"port": 80, "nodePort": null}]}});
        let (v, changes) = run(svc.clone(), None);
        assert_eq!(v, svc);
        assert!(changes.is_empty());
    }

    #[test]
    fn finds_what_cannot_be_fixed() {
        let svc = json!({"metadata": {"name": "1web"}, "spec": {"type": "Foo", "ports": []}});
        assert_eq!(unfixable_problems(&svc)[0].0, "spec.type");
        let svc =
            json!({"metadata": {"name": "1web"}, "spec": {"ports": [{"port": 80}, {"port": 80, "protocol": "HTTP"}]}});
        let fields: Vec<String> = unfixable_problems(&svc).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            ["metadata.name", "spec.ports[0].name", "spec.ports[1].name", "spec.ports[1].protocol", "spec.ports[1]"]
        );
    }
}
