//! Rules: what a rule does to the Services it decides for, and which Services those are
//! (`match`, against the `Subject` a Service shows a rule).

use crate::k8s::meta;
use crate::k8s::service::{ServiceType, TrafficPolicy};
use crate::policy::schema::{NodePortNumber, PatchOperationSchema, RetypeTo};
use crate::policy::values::{Globs, OneOrMany, PortRef};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A rule: the Services it decides for (`match`) and what it does to them, in this order:
/// `deny` (nothing else happens), `warn`, `patch` and `mergePatch`, then `type` and
/// `externalTrafficPolicy` (so a patch cannot undo the type), then the apiserver's rules.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("not" = {
    "description": "loadBalancer (addresses) only with type LoadBalancer, or with no type",
    "required": ["type", "loadBalancer"],
    "properties": {"type": {"enum": ["ClusterIP", "NodePort"]}, "loadBalancer": {"type": "object"}}
}))]
pub struct Rule {
    /// Names the rule in messages (`rule 'NAME'`); without it, its place (`rules[N]`).
    #[schemars(example = &"media-nodeports")]
    pub name: Option<String>,
    /// The Services the rule decides for: all given keys must hold. Default: `{}`, every Service.
    #[serde(rename = "match")]
    #[schemars(extend("examples" = [{"namespace": "media"}, {"ports": [53]}]))]
    pub matcher: Match,
    /// Retypes the Service to `ClusterIP`, `NodePort` or `LoadBalancer`, removing what the new
    /// type may not have, so the apiserver accepts it on create and on update. A headless Service
    /// is not made NodePort or LoadBalancer, an ExternalName Service is not retyped, and the
    /// proxy's own Services are not made ClusterIP: each is a warning. Default: the type stays.
    #[serde(rename = "type")]
    #[schemars(with = "Option<RetypeTo>")]
    pub service_type: Option<ServiceType>,
    /// Puts the Service behind the reverse proxy: ClusterIP (unless the rule sets `type`), with a
    /// route per web port as the policy's `proxy` section says. `proxy` routes the ports named
    /// `http`, `https` or `web`, with `appProtocol` `http`, `https` or `kubernetes.io/h2c`, or
    /// numbered 80, 443, 8080 or 8443; `{kind: proxy, ports: [...]}` routes exactly those listed.
    /// The proxy's own Services keep their type and get no route; hook Services get no route.
    #[schemars(extend("examples" = ["proxy", {"kind": "proxy", "ports": ["http", 80]}]))]
    pub expose: Option<Expose>,
    /// Pins nodePort numbers, by port name or number. A pin must be inside `nodePorts.range`, not
    /// reserved, held by no other Service in the cluster, pinned once, and no port a pod of the
    /// render listens on.
    #[schemars(with = "BTreeMap<String, NodePortNumber>")]
    #[schemars(extend("examples" = [{"http": 32400, "1900": 31900}]))]
    pub node_ports: BTreeMap<String, u16>,
    /// The address the Service asks its load balancer for, and the key that lets Services share
    /// it, written where `loadBalancer.implementation` reads them. Only on a rule with
    /// `type: LoadBalancer` or no type; applied to Services that end up LoadBalancer.
    #[schemars(extend("examples" = [{"ip": "192.168.10.53", "sharingKey": "pihole"}]))]
    pub load_balancer: Option<LoadBalancerAction>,
    /// Sets `spec.externalTrafficPolicy` to `Cluster` or `Local`, only where the Service is
    /// externally accessible (NodePort, LoadBalancer, or ClusterIP with `externalIPs`); elsewhere
    /// it is a warning.
    pub external_traffic_policy: Option<TrafficPolicy>,
    /// Sets `spec.allocateLoadBalancerNodePorts`: `false` keeps the apiserver from giving a
    /// LoadBalancer Service nodePorts. Applied to Services that end up LoadBalancer.
    pub allocate_load_balancer_node_ports: Option<bool>,
    /// Whether a port or address conflict of a Service this rule decides for fails the render
    /// (`error`, the default) or is a warning (`warn`).
    pub on_conflict: Option<OnConflict>,
    /// RFC 6902 JSON Patch operations applied to the Service, in order. One that does not apply
    /// (`replace` of a missing path, `add` under a missing mapping, a failing `test`) is an error
    /// naming the rule and the Service; a `remove` of a missing path is done already.
    #[schemars(with = "Option<Vec<PatchOperationSchema>>")]
    #[schemars(extend("examples" = [[{"op": "add", "path": "/metadata/labels/team", "value": "observability"}]]))]
    pub patch: Option<json_patch::Patch>,
    /// An RFC 7396 merge patch applied to the Service after `patch`: a mapping, where `null`
    /// removes a key. It never fails.
    #[schemars(with = "Option<BTreeMap<String, Value>>")]
    #[schemars(extend("examples" = [{"metadata": {"annotations": {"prometheus.io/scrape": "true", "legacy": null}}}]))]
    pub merge_patch: Option<Value>,
    /// Refuses the Service with this reason: the render fails (exit 1) and nothing else the rule
    /// says happens. Not blank.
    #[schemars(extend("pattern" = "\\S"))]
    #[schemars(example = &"databases stay inside the cluster; use a port-forward")]
    pub deny: Option<String>,
    /// A warning printed (and recorded in the report) for each Service the rule decides for; the
    /// Service passes.
    #[schemars(example = &"LoadBalancers here need a ticket")]
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

/// What a port or address conflict is for the Services a rule decides for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnConflict {
    /// The render fails (exit 1), naming both resources and the port or address (the default).
    Error,
    /// A warning in the report; the render goes on.
    Warn,
}

/// What a LoadBalancer Service asks its load balancer for. What the policy's
/// `loadBalancer.implementation` cannot take is a warning.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancerAction {
    /// The address: in the implementation's annotation (MetalLB, Cilium, kube-vip), or in
    /// `spec.loadBalancerIP` with implementation `none`; ServiceLB takes none.
    #[serde(default)]
    #[schemars(example = &"192.168.10.53")]
    pub ip: Option<String>,
    /// The key that lets Services share one address (`metallb.io/allow-shared-ip`,
    /// `lbipam.cilium.io/sharing-key`); kube-vip, ServiceLB and `none` have none.
    #[serde(default)]
    #[schemars(example = &"pihole")]
    pub sharing_key: Option<String>,
}

/// `expose: proxy`, or `expose: {kind: proxy, ports: [...]}`.
#[derive(Debug, Clone)]
pub struct Expose {
    /// The ports to route, by name or number; empty means the web ports (of those the host
    /// template gives one host, the primary one).
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

impl JsonSchema for Expose {
    fn schema_name() -> Cow<'static, str> {
        "Expose".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut ports = generator.subschema_for::<OneOrMany<PortRef>>();
        ports.insert(
            "description".into(),
            "The ports to route, by name or number. Default: the web ports (the primary one of those on one host)"
                .into(),
        );
        json_schema!({
            "description": "Put the Service behind the reverse proxy: `proxy`, or {kind: proxy, ports: [...]}",
            "anyOf": [
                {"const": "proxy"},
                {"type": "object", "additionalProperties": false, "required": ["kind"],
                 "properties": {
                    "kind": {"description": "Always `proxy`: behind the policy's reverse proxy", "const": "proxy"},
                    "ports": ports
                 }}
            ]
        })
    }
}

/// Which Services a rule decides for. Every key is optional and all given keys must hold; where a
/// key takes a list, the list holds if any entry does. `{}` holds for every Service.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Match {
    /// The Service's `metadata.name` matches one of these globs.
    #[schemars(example = &"plex*")]
    pub name: Globs,
    /// Its namespace matches one of these globs: `metadata.namespace`, else `--namespace`, else
    /// `$HELM_NAMESPACE`, else `default`. Helm passes no namespace to a post-renderer: pass it
    /// with `--post-renderer-args=--namespace=NS`.
    #[schemars(extend("examples" = [["media", "prod-*"]]))]
    pub namespace: Globs,
    /// Every listed label is present and matches its globs.
    #[schemars(extend("examples" = [{"app.kubernetes.io/name": "plex"}]))]
    pub labels: BTreeMap<String, Globs>,
    /// Every listed annotation is present and matches its globs.
    #[schemars(extend("examples" = [{"expose": "true"}]))]
    pub annotations: BTreeMap<String, Globs>,
    /// Its type as it comes in (no `spec.type` counts as `ClusterIP`) is one of these:
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`. On a second run over svcpolicy's
    /// own output that is the type a rule gave it, so a rule that retypes should match its own
    /// result too, or a later rule decides next time.
    #[serde(rename = "type")]
    #[schemars(extend("examples" = [["NodePort", "LoadBalancer"]]))]
    pub service_type: OneOrMany<ServiceType>,
    /// It has a port with one of these names or numbers.
    #[schemars(extend("examples" = [["http", 443]]))]
    pub ports: OneOrMany<PortRef>,
    /// Its Helm release, the `app.kubernetes.io/instance` (or `release`) label, matches one of
    /// these globs.
    #[schemars(example = &"jelly*")]
    pub release: Globs,
    /// Its chart, the `helm.sh/chart` (or `chart`) label, matches one of these globs, with or
    /// without the version: `nginx` matches `nginx-22.1.1`.
    #[schemars(example = &"nginx")]
    pub chart: Globs,
}

/// What a rule can see of a Service.
pub struct Subject<'a> {
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.namespace`, else the namespace the run was given.
    pub namespace: &'a str,
    /// `metadata.labels`, as strings.
    pub labels: &'a BTreeMap<String, String>,
    /// `metadata.annotations`, as strings.
    pub annotations: &'a BTreeMap<String, String>,
    /// The type as it comes in (no `spec.type` is ClusterIP).
    pub service_type: ServiceType,
    /// (name, port number) of each port.
    pub ports: &'a [(Option<String>, Option<u16>)],
}

impl Subject<'_> {
    /// The Helm release: the `app.kubernetes.io/instance` label, else the older `release`.
    pub fn release(&self) -> Option<&str> {
        meta::release(self.labels)
    }

    /// The chart and its version (`nginx-22.1.1`): the `helm.sh/chart` label, else the older
    /// `chart`.
    pub fn chart(&self) -> Option<&str> {
        meta::chart(self.labels)
    }
}

impl Match {
    /// Whether every given key holds for the Service.
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

/// Whether every wanted key is present and matches its globs.
pub(crate) fn map_matches(want: &BTreeMap<String, Globs>, have: &BTreeMap<String, String>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_names_lose_their_version() {
        assert_eq!(chart_name("nginx-22.1.1"), "nginx");
        assert_eq!(chart_name("kube-prometheus-stack-77.0.0"), "kube-prometheus-stack");
        assert_eq!(chart_name("plain"), "plain");
    }
}
