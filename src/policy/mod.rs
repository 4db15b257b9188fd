//! The policy file: its typed form, how it is read and checked, and which rule decides for a
//! Service. Here: the file as a whole (`Policy`), reading and checking it, and its JSON Schema;
//! `rule` holds the rules and how they match, `sections` the other top-level keys, `values` the
//! kinds of value keys take, and `schema` what the schema says where the derives cannot.
//!
//! Policy files are read with serde_yaml (YAML 1.2 rules: `yes` is a string here; quote values
//! in patches to say exactly what you mean). Every key is known: an unknown one is an error that
//! names it, where it is, and the nearest valid key.

mod rule;
mod schema;
mod sections;
mod values;

pub use rule::{Expose, LoadBalancerAction, Match, OnConflict, Rule, Subject};
pub use sections::{
    fill_host, Addresses, GatewayRef, HostAccess, HostAction, Implementation, LoadBalancer, MultiplePorts, NodePorts,
    PortRange, Proxy, ProxyKind, ServiceMatch, TemplateNames, Tls, WorkloadMatch, PLACEHOLDERS, PROXY_LABELS,
};
pub use values::{Globs, OneOrMany, PortRef};

use crate::k8s::service::ServiceType;
use crate::policy::schema::{api_version_schema, kind_schema};
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// The built-in policy: the TrueCharts model (NodePorts from 9000 up, host networking reported,
/// no Service retyped).
pub const DEFAULT_POLICY: &str = include_str!("default-policy.yaml");

/// The networking policy svcpolicy holds rendered manifests to: how Services are typed, numbered
/// and exposed, and what pods may do with the node's network. Every key but `apiVersion` and
/// `kind` is optional; an unknown key is an error. `svcpolicy policy default` prints the built-in
/// policy, a good start.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Policy {
    /// The policy format: `svcpolicy/v1`, the one this svcpolicy reads.
    #[schemars(schema_with = "api_version_schema")]
    pub api_version: String,
    /// `ServicePolicy`, the only kind of policy file.
    #[schemars(schema_with = "kind_schema")]
    pub kind: String,
    /// Free-form and ignored: accepted so a policy can also be a KRM function's functionConfig.
    #[serde(default)]
    #[schemars(extend("examples" = [{"name": "homelab"}]))]
    pub metadata: Option<Value>,
    /// Which node ports svcpolicy hands out, which it never does, and whether it fills in missing
    /// ones. svcpolicy owns NodePort numbers: valid ones stay, the rest are reassigned and
    /// reported, and no two apps ever share one. Default: range `30000-32767`, nothing reserved,
    /// `assignMissing: true`.
    #[serde(default)]
    pub node_ports: NodePorts,
    /// How LoadBalancer Services can collide, and where a rule's requested address goes.
    /// Default: `addresses: per-service`, no implementation named.
    #[serde(default)]
    pub load_balancer: LoadBalancer,
    /// What to do with pods that share the node's network (`hostNetwork: true`): every
    /// containerPort of such a pod is a port on the node. Default: `action: warn`.
    #[serde(default = "HostAccess::warn")]
    #[schemars(extend("examples" = [{"action": "deny", "except": [{"namespace": "kube-system"}]}]))]
    pub host_network: HostAccess,
    /// What to do with containers' `hostPort`s, which claim a port on the node.
    /// Default: `action: warn`.
    #[serde(default = "HostAccess::warn")]
    #[schemars(extend("examples" = [{"action": "strip"}]))]
    pub host_ports: HostAccess,
    /// The reverse proxy: the route a rule with `expose: proxy` generates for each web port, and
    /// the proxy's own Services, which no rule puts behind it. Needed by any rule with `expose`.
    /// Default: none.
    #[serde(default)]
    pub proxy: Option<Proxy>,
    /// The rules, in order: the first whose `match` holds decides for a Service. A Service no rule
    /// matches is still held to the apiserver's rules. Default: none.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// Reading and checking a policy file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

/// Reads and checks a policy file's text: unknown keys (with the nearest valid one), then what
/// only the whole policy can say (a pin inside the range, `expose` needing `proxy`, ...).
pub fn parse(text: &str) -> Result<Policy, PolicyError> {
    let policy: Policy = serde_yaml::from_str(text).map_err(|e| PolicyError(explain(&e)))?;
    policy.validate()?;
    Ok(policy)
}

/// The built-in policy, `DEFAULT_POLICY`, read.
pub fn default_policy() -> Policy {
    parse(DEFAULT_POLICY).expect("the built-in policy is valid")
}

impl Policy {
    /// Rules whose result a second run would decide differently: a rule that matches on `type`
    /// and retypes to a type it does not match hands its Services to a later rule next time.
    pub fn unstable_rules(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let (matched, Some(to)) = (&rule.matcher.service_type.0, rule.service_type) else { continue };
            if matched.is_empty() || matched.contains(&to) {
                continue;
            }
            let later = self.rules[i + 1..]
                .iter()
                .position(|r| r.matcher.service_type.0.is_empty() || r.matcher.service_type.0.contains(&to));
            if let Some(j) = later {
                out.push(format!(
                    "{} retypes Services to {to} but matches only {}; on a second run (over svcpolicy's own output) they match {} instead. Add {to} to its match.type to keep the result stable",
                    rule.label(i),
                    matched.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "),
                    self.rules[i + 1 + j].label(i + 1 + j)
                ));
            }
        }
        out
    }

    fn validate(&self) -> Result<(), PolicyError> {
        if self.api_version != "svcpolicy/v1" {
            return Err(PolicyError(format!(
                "apiVersion is '{}'; this svcpolicy reads 'svcpolicy/v1'",
                self.api_version
            )));
        }
        if self.kind != "ServicePolicy" {
            return Err(PolicyError(format!("kind is '{}'; a policy file has kind 'ServicePolicy'", self.kind)));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            if rule.deny.as_deref().is_some_and(|m| m.trim().is_empty()) {
                return Err(PolicyError(format!("{at}.deny: give the reason users will read")));
            }
            if rule.service_type == Some(ServiceType::ExternalName) {
                return Err(PolicyError(format!(
                    "{at}.type: svcpolicy retypes to ClusterIP, NodePort or LoadBalancer, not ExternalName"
                )));
            }
            if let Some(mp) = &rule.merge_patch {
                if !mp.is_object() {
                    return Err(PolicyError(format!("{at}.mergePatch: a merge patch is a mapping (RFC 7396)")));
                }
            }
            if rule.expose.is_some() {
                let Some(proxy) = &self.proxy else {
                    return Err(PolicyError(format!(
                        "{at}.expose: a rule that exposes Services needs the policy's proxy section"
                    )));
                };
                proxy.validate()?;
            }
            for (port, n) in &rule.node_ports {
                if !self.node_ports.range.contains(*n) {
                    return Err(PolicyError(format!(
                        "{at}.nodePorts.{port}: {n} is outside the node-port range {}",
                        self.node_ports.range
                    )));
                }
            }
            if rule.service_type != Some(ServiceType::LoadBalancer)
                && rule.load_balancer.is_some()
                && rule.service_type.is_some()
            {
                return Err(PolicyError(format!(
                    "{at}.loadBalancer: only a rule with type LoadBalancer can set load-balancer addresses"
                )));
            }
        }
        Ok(())
    }

    /// The first rule whose `match` holds for the Service, and its index: the one that decides.
    pub fn rule_for(&self, s: &Subject) -> Option<(usize, &Rule)> {
        self.rules.iter().enumerate().find(|(_, r)| r.matcher.matches(s))
    }

    /// Is this one of the reverse proxy's own Services? If so, how it was recognised:
    /// `proxy.services[N]`, or the label of a proxy svcpolicy knows.
    pub fn proxy_service(&self, s: &Subject) -> Option<String> {
        let listed = self.proxy.iter().flat_map(|p| p.services.iter()).position(|m| m.matches(s));
        if let Some(i) = listed {
            return Some(format!("proxy.services[{i}]"));
        }
        PROXY_LABELS
            .iter()
            .find(|(k, v)| s.labels.get(*k).is_some_and(|have| have == v))
            .map(|(k, v)| format!("label {k}: {v}"))
    }
}

impl Proxy {
    fn validate(&self) -> Result<(), PolicyError> {
        let Some(host) = &self.host else {
            return Err(PolicyError(
                "proxy.host: give the host template routes use, e.g. \"{service}.{namespace}.home.lan\"".into(),
            ));
        };
        let mut rest = host.clone();
        for p in PLACEHOLDERS {
            rest = rest.replace(p, "x");
        }
        if rest.contains(['{', '}']) {
            return Err(PolicyError(format!(
                "proxy.host: '{host}' has an unknown placeholder; the known ones are {}",
                PLACEHOLDERS.join(", ")
            )));
        }
        if let Some(path) = &self.path {
            crate::k8s::names::check_path(path).map_err(PolicyError)?;
        }
        if self.kind == ProxyKind::HttpRoute && self.gateway.is_none() {
            return Err(PolicyError(
                "proxy.gateway: an HTTPRoute needs the Gateway it attaches to (name, and namespace unless the same)"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// serde_yaml's message, with a did-you-mean for unknown keys.
fn explain(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    let Some(rest) = text.split("unknown field `").nth(1) else {
        return text;
    };
    let Some((field, rest)) = rest.split_once('`') else {
        return text;
    };
    let (path, location) = where_in(&text);
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let nearest = expected
        .iter()
        .map(|k| (strsim::jaro_winkler(&field.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let place = if path.is_empty() { "at the top level".to_string() } else { format!("in {path}") };
    let mut msg = format!("unknown key `{field}` {place}{location}");
    match nearest {
        Some((_, k)) => msg.push_str(&format!("; did you mean `{k}`?")),
        None if !expected.is_empty() => msg.push_str(&format!("; valid keys: {}", expected.join(", "))),
        None => {}
    }
    msg
}

/// The path prefix and the "at line L column C" suffix of a serde_yaml message.
fn where_in(text: &str) -> (String, String) {
    let path = text.split_once(": ").map(|(p, _)| p).filter(|p| !p.contains(' ')).unwrap_or("");
    let location = text.rfind(" at line ").map(|i| format!(" ({})", &text[i + 4..])).unwrap_or_default();
    (path.to_string(), location)
}

/// The policy's JSON Schema, for editors (`svcpolicy schema`).
pub fn schema() -> Value {
    let generator =
        SchemaSettings::draft2020_12().with_transform(RecursiveTransform(schema::one_line_paragraphs)).into_generator();
    let mut schema = generator.into_root_schema_for::<Policy>().to_value();
    schema["title"] = "svcpolicy ServicePolicy".into();
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const HEAD: &str = "apiVersion: svcpolicy/v1\nkind: ServicePolicy\n";

    #[test]
    fn the_built_in_policy_reads() {
        let p = default_policy();
        assert_eq!(p.node_ports.range, PortRange { first: 9000, last: 65535 });
        assert_eq!(p.host_network.action, HostAction::Warn);
        assert!(p.rules.is_empty());
    }

    #[test]
    fn unknown_keys_get_a_suggestion() {
        let err = parse(&format!("{HEAD}rules:\n  - name: a\n    tyep: ClusterIP\n")).unwrap_err();
        assert!(err.0.contains("unknown key `tyep` in rules[0]"), "{err}");
        assert!(err.0.contains("did you mean `type`?"), "{err}");
        let err = parse(&format!("{HEAD}nodeport: {{}}\n")).unwrap_err();
        assert!(err.0.contains("did you mean `nodePorts`?"), "{err}");
    }

    #[test]
    fn the_proxy_is_known_by_its_label_or_by_proxy_services() {
        let p = parse(&format!("{HEAD}proxy:\n  services:\n    - {{namespace: edge, name: \"haproxy*\"}}\n")).unwrap();
        let none = BTreeMap::new();
        let subject = |name, namespace, labels| Subject {
            name,
            namespace,
            labels,
            annotations: &none,
            service_type: ServiceType::LoadBalancer,
            ports: &[],
        };
        let traefik: BTreeMap<String, String> = [("app.kubernetes.io/name".into(), "traefik".into())].into();
        let other: BTreeMap<String, String> = [("app.kubernetes.io/name".into(), "traefik-mesh".into())].into();
        assert_eq!(
            p.proxy_service(&subject("traefik", "traefik", &traefik)).as_deref(),
            Some("label app.kubernetes.io/name: traefik")
        );
        assert_eq!(p.proxy_service(&subject("haproxy-ingress", "edge", &none)).as_deref(), Some("proxy.services[0]"));
        assert_eq!(p.proxy_service(&subject("haproxy-ingress", "apps", &none)), None);
        assert_eq!(p.proxy_service(&subject("mesh", "traefik", &other)), None);
        // Without a proxy section the known proxies are still known.
        assert!(default_policy().proxy_service(&subject("traefik", "traefik", &traefik)).is_some());
    }

    #[test]
    fn ranges_read_and_refuse() {
        assert_eq!("9000-9010".parse::<PortRange>().unwrap().size(), 11);
        assert!("0-10".parse::<PortRange>().is_err());
        assert!("10-9".parse::<PortRange>().is_err());
    }
}
