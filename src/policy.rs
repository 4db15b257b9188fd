//! The policy file: its typed form, how it is found and read, and how a rule matches a Service.
//!
//! Policy files are read with serde_yaml (YAML 1.2 rules: `yes` is a string here; quote values
//! in patches to say exactly what you mean). Every key is known: an unknown one is an error that
//! names it, where it is, and the nearest valid key.

use globset::{Glob, GlobMatcher};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// The built-in policy: the TrueCharts model (NodePorts from 9000 up, host networking reported,
/// no Service retyped).
pub const DEFAULT_POLICY: &str = include_str!("default-policy.yaml");

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Policy {
    #[schemars(schema_with = "api_version_schema")]
    pub api_version: String,
    #[schemars(schema_with = "kind_schema")]
    pub kind: String,
    /// Accepted so a policy can be a KRM functionConfig.
    #[serde(default)]
    pub metadata: Option<Value>,
    #[serde(default)]
    pub node_ports: NodePorts,
    #[serde(default)]
    pub load_balancer: LoadBalancer,
    #[serde(default = "HostAccess::warn")]
    pub host_network: HostAccess,
    #[serde(default = "HostAccess::warn")]
    pub host_ports: HostAccess,
    #[serde(default)]
    pub proxy: Option<Proxy>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePorts {
    #[serde(default = "PortRange::kubernetes_default")]
    pub range: PortRange,
    #[serde(default)]
    pub reserved: Vec<PortRange>,
    /// Give every NodePort port without a number one from the range (true), or leave those to
    /// the apiserver and only check the numbers the render gives (false).
    #[serde(default = "yes")]
    pub assign_missing: bool,
}

fn yes() -> bool {
    true
}

impl Default for NodePorts {
    fn default() -> Self {
        NodePorts { range: PortRange::kubernetes_default(), reserved: Vec::new(), assign_missing: true }
    }
}

/// An inclusive range of port numbers, written `9000-65535`, or one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

impl PortRange {
    pub fn kubernetes_default() -> Self {
        PortRange { first: 30000, last: 32767 }
    }

    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }

    pub fn len(&self) -> usize {
        usize::from(self.last - self.first) + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

impl std::str::FromStr for PortRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let port = |p: &str| -> Result<u16, String> {
            match p.trim().parse::<u32>() {
                Ok(n @ 1..=65535) => Ok(n as u16),
                _ => Err(format!("'{p}' is not a port number (1-65535)")),
            }
        };
        let (first, last) = match s.split_once('-') {
            Some((a, b)) => (port(a)?, port(b)?),
            None => (port(s)?, port(s)?),
        };
        if first > last {
            return Err(format!("range '{s}' ends before it starts"));
        }
        Ok(PortRange { first, last })
    }
}

/// Ports and ranges may be written as numbers or as text.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(u64),
    Text(String),
}

impl<'de> Deserialize<'de> for PortRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match NumberOrText::deserialize(d)? {
            NumberOrText::Number(n) => n.to_string(),
            NumberOrText::Text(s) => s,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancer {
    pub addresses: Addresses,
    pub implementation: Option<Implementation>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Addresses {
    #[default]
    PerService,
    Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    Metallb,
    Cilium,
    KubeVip,
    Servicelb,
    None,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostAccess {
    pub action: HostAction,
    #[serde(default)]
    pub except: Vec<WorkloadMatch>,
}

impl HostAccess {
    fn warn() -> Self {
        HostAccess { action: HostAction::Warn, except: Vec::new() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HostAction {
    Deny,
    Strip,
    Allow,
    Warn,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadMatch {
    pub name: Globs,
    pub namespace: Globs,
    pub labels: BTreeMap<String, Globs>,
    pub kind: Globs,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Proxy {
    pub kind: ProxyKind,
    pub class_name: Option<String>,
    pub host: Option<String>,
    pub path: Option<String>,
    pub tls: Option<Tls>,
    pub annotations: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub gateway: Option<GatewayRef>,
    pub entry_points: Vec<String>,
    /// A Service with several web ports: a route per port (`hosts`), or one with a path per port.
    pub multiple_ports: MultiplePorts,
    /// The reverse proxy's own Services (its entry points), besides the ones svcpolicy knows
    /// (`PROXY_LABELS`): no rule puts them behind the proxy or makes them ClusterIP.
    pub services: Vec<ServiceMatch>,
}

/// The label values that mark the Services of the reverse proxies svcpolicy knows, as their
/// charts set them: `app.kubernetes.io/name: traefik` (traefik/traefik) and `ingress-nginx`
/// (kubernetes/ingress-nginx).
pub const PROXY_LABELS: &[(&str, &str)] =
    &[("app.kubernetes.io/name", "traefik"), ("app.kubernetes.io/name", "ingress-nginx")];

/// Services by name, namespace and labels (globs); every key optional, all given keys must hold.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceMatch {
    pub name: Globs,
    pub namespace: Globs,
    pub labels: BTreeMap<String, Globs>,
}

impl ServiceMatch {
    pub fn matches(&self, s: &Subject) -> bool {
        self.name.matches(s.name) && self.namespace.matches(s.namespace) && map_matches(&self.labels, s.labels)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MultiplePorts {
    #[default]
    Hosts,
    Paths,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ProxyKind {
    #[default]
    Ingress,
    #[serde(rename = "HTTPRoute")]
    HttpRoute,
    IngressRoute,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Tls {
    pub secret_name: Option<String>,
    pub issuer: Option<String>,
    pub cluster_issuer: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayRef {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub section_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("not" = {
    "description": "loadBalancer (addresses) only with type LoadBalancer, or with no type",
    "required": ["type", "loadBalancer"],
    "properties": {"type": {"enum": ["ClusterIP", "NodePort"]}, "loadBalancer": {"type": "object"}}
}))]
pub struct Rule {
    pub name: Option<String>,
    #[serde(rename = "match")]
    pub matcher: Match,
    #[serde(rename = "type")]
    #[schemars(with = "Option<RetypeTo>")]
    pub service_type: Option<ServiceType>,
    pub expose: Option<Expose>,
    #[schemars(with = "BTreeMap<String, NodePortNumber>")]
    pub node_ports: BTreeMap<String, u16>,
    pub load_balancer: Option<LoadBalancerAction>,
    pub external_traffic_policy: Option<TrafficPolicy>,
    pub allocate_load_balancer_node_ports: Option<bool>,
    pub on_conflict: Option<OnConflict>,
    #[schemars(with = "Option<Vec<PatchOperationSchema>>")]
    pub patch: Option<json_patch::Patch>,
    #[schemars(with = "Option<BTreeMap<String, Value>>")]
    pub merge_patch: Option<Value>,
    /// The reason users read when the rule denies a Service (not blank).
    #[schemars(extend("pattern" = "\\S"))]
    pub deny: Option<String>,
    pub warn: Option<String>,
}

impl Rule {
    /// The ports this rule pins, by name or number.
    pub fn pins(&self) -> Vec<(PortRef, u16)> {
        self.node_ports
            .iter()
            .map(|(k, n)| (k.parse::<u16>().map_or_else(|_| PortRef::Name(k.clone()), PortRef::Number), *n))
            .collect()
    }

    /// How the rule is named in messages: `rule 'NAME'`, or its place, `rules[N]`.
    pub fn label(&self, index: usize) -> String {
        self.name.as_ref().map_or_else(|| format!("rules[{index}]"), |n| format!("rule '{n}'"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
    ExternalName,
}

impl ServiceType {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum TrafficPolicy {
    Cluster,
    Local,
}

impl TrafficPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficPolicy::Cluster => "Cluster",
            TrafficPolicy::Local => "Local",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnConflict {
    Error,
    Warn,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancerAction {
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub sharing_key: Option<String>,
}

/// `expose: proxy`, or `expose: {kind: proxy, ports: [...]}`.
#[derive(Debug, Clone)]
pub struct Expose {
    pub ports: Vec<PortRef>,
}

impl<'de> Deserialize<'de> for Expose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Long {
            kind: String,
            #[serde(default)]
            ports: OneOrMany<PortRef>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Short(String),
            Long(Long),
        }
        let (kind, ports) = match Raw::deserialize(d)? {
            Raw::Short(kind) => (kind, Vec::new()),
            Raw::Long(l) => (l.kind, l.ports.0),
        };
        if kind != "proxy" {
            return Err(serde::de::Error::custom(format!("unknown expose kind '{kind}'; the only kind is 'proxy'")));
        }
        Ok(Expose { ports })
    }
}

/// A Service port named by its name or its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(u16),
    Name(String),
}

impl<'de> Deserialize<'de> for PortRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NumberOrText::deserialize(d)? {
            NumberOrText::Number(n) => u16::try_from(n)
                .ok()
                .filter(|&n| n > 0)
                .map(PortRef::Number)
                .ok_or_else(|| serde::de::Error::custom(format!("port {n} is not in 1-65535"))),
            NumberOrText::Text(s) => Ok(s.parse::<u16>().map_or(PortRef::Name(s), PortRef::Number)),
        }
    }
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => f.write_str(s),
        }
    }
}

/// One value or a list of them; a list matches when any entry does.
#[derive(Debug, Clone)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<T> {
            Many(Vec<T>),
            One(T),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Many(v) => OneOrMany(v),
            Raw::One(t) => OneOrMany(vec![t]),
        })
    }
}

/// Glob patterns (`*`, `?`, `[a-z]`, `{a,b}`); empty means "anything".
#[derive(Debug, Clone, Default)]
pub struct Globs(Vec<GlobMatcher>);

impl Globs {
    pub fn is_any(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, s: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|g| g.is_match(s))
    }
}

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let OneOrMany(patterns) = OneOrMany::<String>::deserialize(d)?;
        patterns
            .iter()
            .map(|p| {
                Glob::new(p)
                    .map(|g| g.compile_matcher())
                    .map_err(|e| serde::de::Error::custom(format!("'{p}' is not a valid glob: {}", e.kind())))
            })
            .collect::<Result<_, _>>()
            .map(Globs)
    }
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Match {
    pub name: Globs,
    pub namespace: Globs,
    pub labels: BTreeMap<String, Globs>,
    pub annotations: BTreeMap<String, Globs>,
    #[serde(rename = "type")]
    pub service_type: OneOrMany<ServiceType>,
    pub ports: OneOrMany<PortRef>,
    pub release: Globs,
    pub chart: Globs,
}

/// What a rule can see of a Service.
pub struct Subject<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    pub annotations: &'a BTreeMap<String, String>,
    pub service_type: ServiceType,
    /// (name, port number) of each port.
    pub ports: &'a [(Option<String>, Option<u16>)],
}

impl Subject<'_> {
    pub fn release(&self) -> Option<&str> {
        self.labels.get("app.kubernetes.io/instance").or_else(|| self.labels.get("release")).map(String::as_str)
    }

    pub fn chart(&self) -> Option<&str> {
        self.labels.get("helm.sh/chart").or_else(|| self.labels.get("chart")).map(String::as_str)
    }
}

impl Match {
    pub fn matches(&self, s: &Subject) -> bool {
        self.name.matches(s.name)
            && self.namespace.matches(s.namespace)
            && map_matches(&self.labels, s.labels)
            && map_matches(&self.annotations, s.annotations)
            && (self.service_type.0.is_empty() || self.service_type.0.contains(&s.service_type))
            && (self.ports.0.is_empty() || self.ports.0.iter().any(|p| port_matches(p, s.ports)))
            && (self.release.is_any() || s.release().is_some_and(|r| self.release.matches(r)))
            && (self.chart.is_any()
                || s.chart().is_some_and(|c| self.chart.matches(c) || self.chart.matches(chart_name(c))))
    }
}

fn map_matches(want: &BTreeMap<String, Globs>, have: &BTreeMap<String, String>) -> bool {
    want.iter().all(|(k, v)| have.get(k).is_some_and(|h| v.matches(h)))
}

fn port_matches(p: &PortRef, ports: &[(Option<String>, Option<u16>)]) -> bool {
    ports.iter().any(|(name, number)| match p {
        PortRef::Name(n) => name.as_deref() == Some(n),
        PortRef::Number(n) => *number == Some(*n),
    })
}

/// `nginx-22.1.1` is chart `nginx` at version 22.1.1.
fn chart_name(label: &str) -> &str {
    label
        .rfind('-')
        .filter(|&i| label[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
        .map_or(label, |i| &label[..i])
}

/// Reading and checking a policy file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

pub fn parse(text: &str) -> Result<Policy, PolicyError> {
    let policy: Policy = serde_yaml::from_str(text).map_err(|e| PolicyError(explain(&e)))?;
    policy.validate()?;
    Ok(policy)
}

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
        for p in crate::proxy::PLACEHOLDERS {
            rest = rest.replace(p, "x");
        }
        if rest.contains(['{', '}']) {
            return Err(PolicyError(format!(
                "proxy.host: '{host}' has an unknown placeholder; the known ones are {}",
                crate::proxy::PLACEHOLDERS.join(", ")
            )));
        }
        if let Some(path) = &self.path {
            crate::proxy::check_path(path).map_err(PolicyError)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn chart_names_lose_their_version() {
        assert_eq!(chart_name("nginx-22.1.1"), "nginx");
        assert_eq!(chart_name("kube-prometheus-stack-77.0.0"), "kube-prometheus-stack");
        assert_eq!(chart_name("plain"), "plain");
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
        assert_eq!("9000-9010".parse::<PortRange>().unwrap().len(), 11);
        assert!("0-10".parse::<PortRange>().is_err());
        assert!("10-9".parse::<PortRange>().is_err());
    }
}

// JSON Schemas for the types read by hand above, so editors check them as svcpolicy does.

/// The types a rule retypes Services to (a rule may match ExternalName Services, not make them).
#[derive(JsonSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
enum RetypeTo {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

/// A node port a rule pins, as the schema describes it (the loader also holds it to the range).
struct NodePortNumber;

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

fn api_version_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "const": "svcpolicy/v1"})
}

fn kind_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "const": "ServicePolicy"})
}

/// An RFC 6902 operation, as the schema describes `patch` entries.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct PatchOperationSchema {
    op: PatchOp,
    /// A JSON pointer into the Service, e.g. `/metadata/labels/team`.
    path: String,
    value: Option<Value>,
    from: Option<String>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum PatchOp {
    Add,
    Remove,
    Replace,
    Move,
    Copy,
    Test,
}

impl JsonSchema for PortRange {
    fn schema_name() -> Cow<'static, str> {
        "PortRange".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A port or an inclusive range of ports: 9443, \"9000-65535\"",
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 65535},
                {"type": "string", "pattern": "^[0-9]+(-[0-9]+)?$"}
            ]
        })
    }
}

impl JsonSchema for PortRef {
    fn schema_name() -> Cow<'static, str> {
        "PortRef".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Service port, by name or number",
            "anyOf": [{"type": "integer", "minimum": 1, "maximum": 65535}, {"type": "string"}]
        })
    }
}

impl JsonSchema for Globs {
    fn schema_name() -> Cow<'static, str> {
        "Globs".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A glob (*, ?, [a-z], {a,b}) or a list of globs, any of which may match",
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        })
    }
}

impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("OneOrMany_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = generator.subschema_for::<T>();
        json_schema!({"description": "One value or a list, any of which may match", "anyOf": [one, {"type": "array", "items": one}]})
    }
}

impl JsonSchema for Expose {
    fn schema_name() -> Cow<'static, str> {
        "Expose".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let ports = generator.subschema_for::<OneOrMany<PortRef>>();
        json_schema!({
            "description": "Put the Service behind the reverse proxy: `proxy`, or {kind: proxy, ports: [...]}",
            "anyOf": [
                {"const": "proxy"},
                {"type": "object", "additionalProperties": false, "required": ["kind"],
                 "properties": {"kind": {"const": "proxy"}, "ports": ports}}
            ]
        })
    }
}

/// The policy's JSON Schema, for editors (`svcpolicy schema`).
pub fn schema() -> Value {
    let mut schema = schemars::schema_for!(Policy).to_value();
    schema["title"] = "svcpolicy ServicePolicy".into();
    schema
}
