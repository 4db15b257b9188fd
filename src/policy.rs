//! The policy file: its typed form, how it is found and read, and how a rule matches a Service.
//!
//! Policy files are read with serde_yaml (YAML 1.2 rules: `yes` is a string here; quote values
//! in patches to say exactly what you mean). Every key is known: an unknown one is an error that
//! names it, where it is, and the nearest valid key.

use crate::k8s::meta;
use crate::k8s::service::{ServiceType, TrafficPolicy};
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

    /// How many ports the range holds, both ends included.
    pub fn len(&self) -> usize {
        usize::from(self.last - self.first) + 1
    }

    /// Always `false`: a range holds at least one port.
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
    fn warn() -> Self {
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
    /// A Service with several web ports needs `{portName}` or `{port}` here, or
    /// `multiplePorts: paths`. Required by rules with `expose`.
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
    /// A Service with several web ports: `hosts` (the default), a route per port, each on its own
    /// host; or `paths`, one route with a path per port.
    pub multiple_ports: MultiplePorts,
    /// The reverse proxy's own Services (its entry points), besides Traefik's and ingress-nginx's,
    /// which svcpolicy knows by their `app.kubernetes.io/name` label. No rule makes them ClusterIP
    /// or gives them a route: putting the proxy behind itself would take every app offline. Read
    /// even without `expose`. Default: none.
    #[schemars(extend("examples" = [[{"namespace": "edge", "name": "haproxy*"}]]))]
    pub services: Vec<ServiceMatch>,
}

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
    /// A route per port, each on its own host: put `{portName}` or `{port}` in `host` (the default).
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
    /// The ports to route, by name or number; empty means every web port.
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
    /// The port's `port` number.
    Number(u16),
    /// The port's `name`.
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
    /// Whether no glob was given, so anything (even an absent value) matches.
    pub fn is_any(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether any glob matches `s`, or none was given.
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
    /// Inside the cluster only: every `nodePort` and the LoadBalancer fields go.
    ClusterIP,
    /// On a port of every node: the LoadBalancer-only fields go, `nodePort`s stay.
    NodePort,
    /// Through the load balancer: `healthCheckNodePort` goes unless `externalTrafficPolicy: Local`.
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

/// One RFC 6902 JSON Patch operation on the Service: `op`, the `path` it works on, and the
/// `value` or `from` it needs.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct PatchOperationSchema {
    /// `add`, `remove`, `replace`, `move`, `copy` or `test`.
    op: PatchOp,
    /// A JSON pointer into the Service, e.g. `/metadata/labels/team`.
    path: String,
    /// The value `add` and `replace` write and `test` compares with.
    value: Option<Value>,
    /// A JSON pointer to what `move` and `copy` take.
    from: Option<String>,
}

/// What a patch operation does (RFC 6902).
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum PatchOp {
    /// Adds `value` at `path`: a key of a mapping that exists, or a list index (`-` appends).
    Add,
    /// Removes what is at `path`; already absent is no error.
    Remove,
    /// Replaces what is at `path`, which must be there, with `value`.
    Replace,
    /// Moves what is at `from` to `path`.
    Move,
    /// Copies what is at `from` to `path`.
    Copy,
    /// Checks that `path` holds `value`; if not, the patch is an error.
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
        let mut ports = generator.subschema_for::<OneOrMany<PortRef>>();
        ports.insert("description".into(), "The ports to route, by name or number. Default: every web port".into());
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

/// The policy's JSON Schema, for editors (`svcpolicy schema`).
pub fn schema() -> Value {
    let mut schema = schemars::schema_for!(Policy).to_value();
    schema["title"] = "svcpolicy ServicePolicy".into();
    schema
}
