//! Services as the apiserver reads them: the four types (with the apiserver's default for an
//! absent or empty `spec.type`), the external traffic policy, headless Services, which Services
//! are reachable from outside the cluster, their ports and where each port's traffic goes, and
//! which pods a Service selects. The rules that change a Service (`plan::apiserver`) build on
//! these facts, as do the allocator, the port plan and the routes.
//!
//! The serde and schemars derives on the two enums let the policy file name them; nothing here
//! depends on another module of the crate.

use crate::k8s::meta::{is_set, port_number};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// A Service's `spec.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
pub enum ServiceType {
    /// Reachable inside the cluster only; a Service without `spec.type` is one.
    ClusterIP,
    /// Also reachable on a port of every node.
    NodePort,
    /// Also reachable through the load balancer's address.
    LoadBalancer,
    /// A DNS alias for `spec.externalName`; svcpolicy never retypes one.
    ExternalName,
}

impl ServiceType {
    /// The name as `spec.type` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIP => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
            ServiceType::ExternalName => "ExternalName",
        }
    }
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Service's `spec.externalTrafficPolicy`: where traffic from outside the cluster may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum TrafficPolicy {
    /// To endpoints on any node; the pods do not see the client's source address.
    Cluster,
    /// Only to endpoints on the node the traffic arrived at, keeping the client's source address.
    Local,
}

impl TrafficPolicy {
    /// The name as `spec.externalTrafficPolicy` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficPolicy::Cluster => "Cluster",
            TrafficPolicy::Local => "Local",
        }
    }
}

/// A `spec.type` the apiserver refuses: not one of the four, or not a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidType {
    problem: String,
}

impl InvalidType {
    /// The field at fault, as people write it.
    pub const FIELD: &'static str = "spec.type";

    /// What is wrong with it, in the apiserver's words, without the field.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for InvalidType {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", Self::FIELD, self.problem)
    }
}

/// The Service's type, with the apiserver's default for an absent or empty one.
pub fn service_type(svc: &Value) -> Result<ServiceType, InvalidType> {
    match svc.pointer("/spec/type") {
        None | Some(Value::Null) => Ok(ServiceType::ClusterIP),
        Some(Value::String(s)) => match s.as_str() {
            "" | "ClusterIP" => Ok(ServiceType::ClusterIP),
            "NodePort" => Ok(ServiceType::NodePort),
            "LoadBalancer" => Ok(ServiceType::LoadBalancer),
            "ExternalName" => Ok(ServiceType::ExternalName),
            other => Err(InvalidType {
                problem: format!(
                    "Unsupported value: \"{other}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
                ),
            }),
        },
        Some(other) => Err(InvalidType { problem: format!("{other} is not a string") }),
    }
}

/// A headless Service: `clusterIP: None` (or `clusterIPs: [None]`). It cannot be made NodePort or
/// LoadBalancer, and `clusterIP` cannot change in place.
pub fn is_headless(svc: &Value) -> bool {
    svc.pointer("/spec/clusterIP").and_then(Value::as_str) == Some("None")
        || svc.pointer("/spec/clusterIPs").and_then(Value::as_array).is_some_and(|a| a.len() == 1 && a[0] == "None")
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

/// `externalTrafficPolicy: Local`: outside traffic stays on the node it reached, so the Service
/// needs a health check node port (LoadBalancer), and Services sharing an address must agree.
pub fn has_local_traffic_policy(svc: &Value) -> bool {
    svc.pointer("/spec/externalTrafficPolicy").and_then(Value::as_str) == Some(TrafficPolicy::Local.as_str())
}

/// `spec.ports`; none when it is absent or not a list.
pub fn ports(svc: &Value) -> &[Value] {
    svc.pointer("/spec/ports").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Where a Service port's traffic goes in the pod: its `targetPort`, a number or the name of a
/// container port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetPort {
    /// A port of the pod by number.
    Number(u16),
    /// The container port with this `name`.
    Name(String),
}

/// The `targetPort` of one entry of `spec.ports`; without one (absent, null, 0 or empty), the
/// apiserver's default, the entry's own `port`. `None` for an entry with neither.
pub fn target_port(port: &Value) -> Option<TargetPort> {
    match port.get("targetPort") {
        Some(Value::String(name)) if !name.is_empty() => Some(TargetPort::Name(name.clone())),
        target => port_number(target).or_else(|| port_number(port.get("port"))).map(TargetPort::Number),
    }
}

/// Whether the Service's `spec.selector` selects pods with these labels: every entry of a
/// selector that has at least one is among them. A Service without a selector selects no pod
/// (its endpoints are someone else's to manage).
pub fn selects(svc: &Value, pod_labels: &Map<String, Value>) -> bool {
    match svc.pointer("/spec/selector").and_then(Value::as_object) {
        Some(selector) if !selector.is_empty() => selector.iter().all(|(k, v)| pod_labels.get(k) == Some(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn headless_by_cluster_ip_or_by_its_only_cluster_ips_entry() {
        let headless = |spec: Value| is_headless(&json!({ "spec": spec }));
        assert!(headless(json!({"clusterIP": "None"})));
        assert!(headless(json!({"clusterIPs": ["None"]})));
        assert!(!headless(json!({"clusterIPs": ["10.96.0.10"]})));
        assert!(!headless(json!({"clusterIPs": ["None", "fd00::1"]})));
        assert!(!headless(json!({"clusterIPs": []})));
        assert!(!headless(json!({"clusterIP": "10.96.0.10"})));
    }

    #[test]
    fn a_target_port_is_a_number_a_name_or_the_port_itself() {
        let cases = [
            (json!({"port": 80, "targetPort": 8080}), Some(TargetPort::Number(8080))),
            (json!({"port": 80, "targetPort": "http"}), Some(TargetPort::Name("http".into()))),
            (json!({"port": 80}), Some(TargetPort::Number(80))),
            (json!({"port": 80, "targetPort": 0}), Some(TargetPort::Number(80))),
            (json!({"port": 80, "targetPort": ""}), Some(TargetPort::Number(80))),
            (json!({"port": 80, "targetPort": null}), Some(TargetPort::Number(80))),
            (json!({"name": "none"}), None),
        ];
        for (port, target) in cases {
            assert_eq!(target_port(&port), target, "{port}");
        }
    }

    #[test]
    fn a_selector_selects_pods_with_all_its_labels_and_no_selector_selects_none() {
        let labels = json!({"app": "ha", "component": "main"});
        let labels = labels.as_object().unwrap();
        let svc = |selector: Value| json!({"spec": {"selector": selector}});
        assert!(selects(&svc(json!({"app": "ha"})), labels));
        assert!(selects(&svc(json!({"app": "ha", "component": "main"})), labels));
        assert!(!selects(&svc(json!({"app": "ha", "component": "code"})), labels));
        assert!(!selects(&svc(json!({"app": "ha", "tier": "web"})), labels));
        assert!(!selects(&svc(json!({})), labels));
        assert!(!selects(&json!({"spec": {}}), labels));
    }
}
