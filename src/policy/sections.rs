//! The policy's sections besides its rules: `nodePorts`, `loadBalancer`, `hostNetwork` and
//! `hostPorts`, and `proxy` (with what its host template means).

use crate::k8s::meta;
use crate::policy::rule::{map_matches, Subject};
use crate::policy::values::{Globs, NumberOrText};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// The node ports svcpolicy may hand out. Every number it keeps or gives is inside `range`, not
/// reserved, and used by no other port in the render or the cluster state; fresh numbers depend
/// only on `namespace/name/port` and on what is taken, so a reinstall gets the same ports.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePorts {
    /// The cluster's node-port range (its `--service-node-port-range`), inclusive. Default:
    /// `30000-32767`, Kubernetes' own; TrueNAS SCALE style clusters use `9000-65535`.
    #[serde(default = "PortRange::kubernetes_default")]
    #[schemars(example = &"9000-65535")]
    pub range: PortRange,
    /// Numbers and ranges never handed out (the node's own services, say): a chart's nodePort on
    /// one is reassigned, and a rule's pin on one is an error. Default: none.
    #[serde(default)]
    #[schemars(extend("examples" = [[9443, "10250-10260"]]))]
    pub reserved: Vec<PortRange>,
    /// `true` (the default): every port of a NodePort Service without a `nodePort` gets one from
    /// the range. `false`: those are left to the apiserver; the numbers the render does give are
    /// still checked.
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
    /// The lowest port in the range.
    pub first: u16,
    /// The highest port in the range, never below `first` (the parser refuses a range that ends
    /// before it starts).
    pub last: u16,
}

impl PortRange {
    /// Kubernetes' default `--service-node-port-range`, used when a policy names none.
    pub fn kubernetes_default() -> Self {
        PortRange { first: 30000, last: 32767 }
    }

    /// Whether `port` is in the range, both ends included.
    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }

    /// How many ports the range holds, both ends included: at least one.
    pub fn size(&self) -> usize {
        usize::from(self.last - self.first) + 1
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

impl<'de> Deserialize<'de> for PortRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match NumberOrText::deserialize(d)? {
            NumberOrText::Number(n) => n.to_string(),
            NumberOrText::Text(s) => s,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
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

/// The cluster's load balancer: how its addresses are shared, which decides when two
/// LoadBalancer Services collide, and which implementation reads a rule's `loadBalancer`
/// address and sharing key. A collision is an error naming both Services, unless a rule's
/// `onConflict` makes it a warning.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancer {
    /// How LoadBalancer addresses are handed out: `per-service` (the default; MetalLB, Cilium,
    /// kube-vip) or `shared` (k3s ServiceLB).
    pub addresses: Addresses,
    /// The implementation that reads a rule's `loadBalancer: {ip, sharingKey}`: `metallb`,
    /// `cilium`, `kube-vip`, `servicelb` or `none`. Where it reads the address from an
    /// annotation, the chart's own `spec.loadBalancerIP` is removed, so the Service asks for one
    /// address, not two. Default: `none`.
    pub implementation: Option<Implementation>,
}

/// How LoadBalancer Services get their addresses, and so when two of them collide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Addresses {
    /// MetalLB, Cilium, kube-vip: Services collide only when they ask for one address and break its sharing rules.
    #[default]
    PerService,
    /// k3s ServiceLB: every LoadBalancer port is a host port on every node, so it belongs to one Service.
    Shared,
}

/// The load-balancer implementation, and so where a requested address and sharing key are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    /// MetalLB: `metallb.io/loadBalancerIPs` and `metallb.io/allow-shared-ip`.
    Metallb,
    /// Cilium LB IPAM: `lbipam.cilium.io/ips` and `lbipam.cilium.io/sharing-key`.
    Cilium,
    /// kube-vip: `kube-vip.io/loadbalancerIPs`; it has no sharing key.
    KubeVip,
    /// k3s ServiceLB: takes neither, as every node's addresses serve every Service.
    Servicelb,
    /// None named (the default): the address goes in `spec.loadBalancerIP`; no sharing key.
    None,
}

/// What to do with workloads that use the node's network or ports, in every kind with a pod
/// spec (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController, Job,
/// CronJob, PodTemplate), containers and init containers alike.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostAccess {
    /// `deny`, `strip`, `warn` or `allow`. Required.
    pub action: HostAction,
    /// Workloads the action does not apply to; any entry may match. Default: none.
    #[serde(default)]
    #[schemars(extend("examples" = [[{"namespace": "kube-system"}, {"kind": "DaemonSet", "name": "metallb-*"}]]))]
    pub except: Vec<WorkloadMatch>,
}

impl HostAccess {
    /// The default for both sections: warn, with no exceptions.
    pub(crate) fn warn() -> Self {
        HostAccess { action: HostAction::Warn, except: Vec::new() }
    }
}

/// What happens to a workload on the host network, or to a container's `hostPort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HostAction {
    /// The render fails (exit 1), naming the workload (and the container, port and protocol).
    Deny,
    /// Removed: `hostNetwork` (with `dnsPolicy: ClusterFirstWithHostNet`), or `hostPort` and `hostIP`.
    Strip,
    /// Nothing is done or said.
    Allow,
    /// A warning in the report; the workload passes as it is (the built-in policy's choice).
    Warn,
}

/// Workloads by name, namespace, kind and labels (globs): every key is optional, and all given
/// keys must hold.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadMatch {
    /// The workload's `metadata.name` matches one of these globs.
    pub name: Globs,
    /// Its namespace (`metadata.namespace`, else the render's namespace) matches one of these
    /// globs.
    pub namespace: Globs,
    /// Every listed label is on the workload itself (not its pod template) and matches its
    /// globs.
    #[schemars(extend("examples" = [{"app.kubernetes.io/name": ["metallb", "frr-k8s"]}]))]
    pub labels: BTreeMap<String, Globs>,
    /// Its kind (`DaemonSet`, `Deployment`, `Pod`, ...) matches one of these globs.
    pub kind: Globs,
}

/// The reverse proxy in front of the cluster's web apps: what `expose: proxy` generates for each
/// web port (an Ingress, HTTPRoute or IngressRoute, right after its Service in the stream), and
/// which Services are the proxy's own. A route already in the stream for a Service and port means
/// none is generated.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Proxy {
    /// The route generated: `Ingress` (the default), `HTTPRoute` or `IngressRoute`.
    pub kind: ProxyKind,
    /// The Ingress class (`spec.ingressClassName`); Ingress only. Default: none set.
    #[schemars(example = &"traefik")]
    pub class_name: Option<String>,
    /// The host of each route: `{service}`, `{namespace}`, `{release}`, `{port}` and `{portName}`
    /// are filled in per Service port. It must give a DNS name (optionally `*.`), never an IP.
    /// Where it gives several web ports of a Service one host, one route goes to the Service's
    /// primary web port; `{portName}` or `{port}` give each port a host of its own. Required by
    /// rules with `expose`.
    #[schemars(example = &"{service}.{namespace}.home.lan")]
    pub host: Option<String>,
    /// The path prefix routes match: absolute, without `//`, `/./`, `/../`, `%2f` or `#`.
    /// Default: `/`.
    #[schemars(example = &"/")]
    pub path: Option<String>,
    /// TLS for Ingress and IngressRoute routes: a Secret you name, or one cert-manager issues.
    /// Default: none.
    #[schemars(extend("examples" = [{"secretName": "wildcard-tls"}, {"clusterIssuer": "letsencrypt"}]))]
    pub tls: Option<Tls>,
    /// Annotations on every generated route. Default: none.
    #[schemars(extend("examples" = [{"traefik.ingress.kubernetes.io/router.entrypoints": "websecure"}]))]
    pub annotations: BTreeMap<String, String>,
    /// Labels on every generated route, besides the Service's `app.kubernetes.io/instance` and
    /// `helm.sh/chart` and `svcpolicy.io/generated: "true"`. Default: none.
    #[schemars(extend("examples" = [{"team": "media"}]))]
    pub labels: BTreeMap<String, String>,
    /// The Gateway an HTTPRoute attaches to (its `parentRefs`); required with `kind: HTTPRoute`.
    #[schemars(extend("examples" = [{"name": "main", "namespace": "gateway", "sectionName": "https"}]))]
    pub gateway: Option<GatewayRef>,
    /// The Traefik entry points an IngressRoute is on (`spec.entryPoints`); IngressRoute only.
    /// Default: none listed.
    #[schemars(extend("examples" = [["websecure"]]))]
    pub entry_points: Vec<String>,
    /// A Service with several web ports: `hosts` (the default), a route per host (of ports the
    /// host template gives one host, the primary web port); or `paths`, one route with a path per
    /// port.
    pub multiple_ports: MultiplePorts,
    /// The reverse proxy's own Services (its entry points), besides Traefik's and ingress-nginx's,
    /// which svcpolicy knows by their `app.kubernetes.io/name` label. No rule makes them ClusterIP
    /// or gives them a route: putting the proxy behind itself would take every app offline. Read
    /// even without `expose`. Default: none.
    #[schemars(extend("examples" = [[{"namespace": "edge", "name": "haproxy*"}]]))]
    pub services: Vec<ServiceMatch>,
}
/// What a host template's placeholders stand for, for one Service.
pub struct TemplateNames<'a> {
    /// `{service}`: the Service's name.
    pub service: &'a str,
    /// `{namespace}`: the Service's namespace.
    pub namespace: &'a str,
    /// `{release}`: its `app.kubernetes.io/instance` (or `release`) label; empty without one.
    pub release: &'a str,
}

/// A host template with its placeholders filled in for one port; an unnamed port's `{portName}`
/// is empty.
pub fn fill_host(template: &str, names: &TemplateNames, port_name: Option<&str>, port: u16) -> String {
    template
        .replace("{service}", names.service)
        .replace("{namespace}", names.namespace)
        .replace("{release}", names.release)
        .replace("{portName}", port_name.unwrap_or(""))
        .replace("{port}", &port.to_string())
}

/// The placeholders a host template may use; anything else in braces is a policy error.
pub const PLACEHOLDERS: &[&str] = &["{service}", "{namespace}", "{release}", "{port}", "{portName}"];
/// The label values that mark the Services of the reverse proxies svcpolicy knows, as their
/// charts set them: `app.kubernetes.io/name: traefik` (traefik/traefik) and `ingress-nginx`
/// (kubernetes/ingress-nginx).
pub const PROXY_LABELS: &[(&str, &str)] = &[(meta::NAME_LABEL, "traefik"), (meta::NAME_LABEL, "ingress-nginx")];

/// Services by name, namespace and labels (globs); every key optional, all given keys must hold.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceMatch {
    /// The Service's `metadata.name` matches one of these globs.
    pub name: Globs,
    /// Its namespace matches one of these globs.
    pub namespace: Globs,
    /// Every listed label is present and matches its globs.
    #[schemars(extend("examples" = [{"app.kubernetes.io/name": "envoy"}]))]
    pub labels: BTreeMap<String, Globs>,
}

impl ServiceMatch {
    /// Whether every given key holds for the Service.
    pub fn matches(&self, s: &Subject) -> bool {
        self.name.matches(s.name) && self.namespace.matches(s.namespace) && map_matches(&self.labels, s.labels)
    }
}

/// How a Service with several web ports is routed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MultiplePorts {
    /// A route per host (the default): each port on its own host with `{portName}` or `{port}` in
    /// `host`; of ports that share a host, the Service's primary web port.
    #[default]
    Hosts,
    /// One route on the first port's host: the first port at `path`, each next at `path/<portName>`.
    Paths,
}

/// The kind of route `expose: proxy` generates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ProxyKind {
    /// A `networking.k8s.io/v1` Ingress (`pathType: Prefix`) of class `className` (the default).
    #[default]
    Ingress,
    /// A Gateway API `gateway.networking.k8s.io/v1` HTTPRoute, attached to `gateway`.
    #[serde(rename = "HTTPRoute")]
    HttpRoute,
    /// A Traefik `traefik.io/v1alpha1` IngressRoute on `entryPoints`.
    IngressRoute,
}

/// TLS for generated Ingresses and IngressRoutes (an HTTPRoute's TLS is its Gateway's): name the
/// Secret, or have cert-manager issue one into `<route>-tls`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Tls {
    /// The Secret holding the certificate (a wildcard one, say). Default: `<route>-tls`.
    #[schemars(example = &"wildcard-tls")]
    pub secret_name: Option<String>,
    /// A cert-manager Issuer to ask for the certificate (the `cert-manager.io/issuer` annotation).
    pub issuer: Option<String>,
    /// A cert-manager ClusterIssuer to ask for the certificate (the
    /// `cert-manager.io/cluster-issuer` annotation).
    #[schemars(example = &"letsencrypt")]
    pub cluster_issuer: Option<String>,
}

/// The Gateway an HTTPRoute attaches to: its `parentRefs` entry. The Gateway's listener must
/// allow routes from the apps' namespaces.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayRef {
    /// The Gateway's name. Required.
    pub name: String,
    /// The Gateway's namespace. Default: the route's own, the Service's namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The Gateway listener to attach to (`https`, say). Default: none named.
    #[serde(default)]
    pub section_name: Option<String>,
}
