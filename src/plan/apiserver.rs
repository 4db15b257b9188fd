//! The apiserver's rules for Services: type changes that leave a Service the apiserver accepts on
//! create and on update, the fields each type allows (kubernetes `ValidateService`,
//! `dropTypeDependentFields`; see docs/policy.md), and what no edit can fix.
//!
//! Everything here works on the Service's JSON; the output stage turns the result into text.

use crate::change::{Seg, Tracked};
use crate::k8s::meta::{self, json_type};
use crate::k8s::names::{is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, is_iana_port_name};
use crate::k8s::service::{
    self, has_local_traffic_policy, is_externally_accessible, is_headless, service_type, ServiceType,
};
use serde_json::{json, Map, Value};

/// Changes the type as a rule asks, or says why the Service keeps its type.
pub fn retype(svc: &mut Tracked, to: ServiceType, why: &str) -> Result<(), String> {
    let from = service_type(svc.value).map_err(|e| e.to_string())?;
    if from == to {
        return Ok(());
    }
    if from == ServiceType::ExternalName {
        return Err(format!("{why} asks for {to}, but an ExternalName Service is never retyped; left as ExternalName"));
    }
    if is_headless(svc.value) && to != ServiceType::ClusterIP {
        return Err(format!(
            "{why} asks for {to}, but a headless Service (clusterIP: None) cannot be {to}; left as a headless ClusterIP"
        ));
    }
    svc.set(&[Seg::Key("spec"), Seg::Key("type")], json!(to.as_str()), why);
    if from == ServiceType::LoadBalancer {
        let reason = format!("only LoadBalancer Services use it (type changed to {to})");
        svc.remove(&[Seg::Key("spec"), Seg::Key("loadBalancerIP")], &reason);
        let lb_annotations: Vec<String> = annotations(svc.value)
            .keys()
            .filter(|k| meta::LB_ANNOTATION_PREFIXES.iter().any(|p| k.starts_with(p)))
            .cloned()
            .collect();
        for k in &lb_annotations {
            svc.remove(&[Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key(k)], &reason);
        }
    }
    Ok(())
}

fn annotations(svc: &Value) -> Map<String, Value> {
    svc.pointer("/metadata/annotations").and_then(Value::as_object).cloned().unwrap_or_default()
}

/// Removes every field the Service's type does not allow (ValidateService rules 5, 12, 19-23).
/// These are what charts most often render wrong, and the fix is always to drop the field.
pub fn drop_fields_type_forbids(svc: &mut Tracked) {
    let Ok(t) = service_type(svc.value) else {
        return;
    };
    let lb = t == ServiceType::LoadBalancer;
    let type_name = t.as_str();
    if !matches!(t, ServiceType::NodePort | ServiceType::LoadBalancer) {
        let reason = format!("nodePort may not be used when type is '{type_name}'");
        for i in 0..service::ports(svc.value).len() {
            svc.remove(&[Seg::Key("spec"), Seg::Key("ports"), Seg::Index(i), Seg::Key("nodePort")], &reason);
        }
    }
    if !lb {
        let reason = format!("may only be used when type is 'LoadBalancer' (type is '{type_name}')");
        for field in ["allocateLoadBalancerNodePorts", "loadBalancerClass", "loadBalancerSourceRanges"] {
            svc.remove(&[Seg::Key("spec"), Seg::Key(field)], &reason);
        }
        svc.remove(&[Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key(meta::SOURCE_RANGES_ANNOTATION)], &reason);
    }
    if !is_externally_accessible(svc.value) {
        svc.remove(
            &[Seg::Key("spec"), Seg::Key("externalTrafficPolicy")],
            &format!("may only be set for externally-accessible services (type is '{type_name}')"),
        );
    }
    if !(lb && has_local_traffic_policy(svc.value)) {
        svc.remove(
            &[Seg::Key("spec"), Seg::Key("healthCheckNodePort")],
            "may only be set when type is 'LoadBalancer' and externalTrafficPolicy is 'Local'",
        );
    }
    if t == ServiceType::ExternalName {
        for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
            svc.remove(&[Seg::Key("spec"), Seg::Key(field)], "may not be set for ExternalName services");
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
            out.push(("spec.type".to_string(), e.to_string()));
            return out;
        }
    };
    match svc.pointer("/metadata/name") {
        None | Some(Value::String(_)) => {}
        Some(v) => out
            .push(("metadata.name".into(), format!("Invalid value: {v}: must be a string (quote it in the template)"))),
    }
    if let Some(name) = meta::name(svc) {
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
    let ports = service::ports(svc);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Change;

    fn run(svc: Value, to: Option<ServiceType>) -> (Value, Vec<Change>) {
        let mut v = svc;
        let mut e = Tracked::new(&mut v);
        if let Some(t) = to {
            retype(&mut e, t, "rule r").unwrap();
        }
        drop_fields_type_forbids(&mut e);
        let changes = e.changes;
        (v, changes)
    }

    #[test]
    fn load_balancer_to_cluster_ip_drops_what_the_apiserver_refuses() {
        let svc = json!({"metadata": {"name": "a", "annotations": {"metallb.universe.tf/allow-shared-ip": "k", "keep": "x", meta::SOURCE_RANGES_ANNOTATION: "10.0.0.0/8"}},
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
        assert!(retype(&mut Tracked::new(&mut headless), ServiceType::NodePort, "rule r").is_err());
        let mut ext = json!({"spec": {"type": "ExternalName", "externalName": "x.example.com"}});
        assert!(retype(&mut Tracked::new(&mut ext), ServiceType::ClusterIP, "rule r").is_err());
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
