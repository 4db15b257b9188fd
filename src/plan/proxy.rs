//! Behind the reverse proxy: for a Service a rule exposes (`expose: proxy`), the route that keeps
//! its web ports reachable from outside: an Ingress, a Gateway API HTTPRoute or a Traefik
//! IngressRoute, as the policy's `proxy` section says, told to speak HTTPS where the port's
//! backend does. Which ports get routes is `web_port`'s to say. A route already in the stream for
//! that Service and port (generated before, or the chart's own) means none is generated, so a
//! second run changes nothing.
//!
//! `expose` is the stage. Routes leave it as JSON; the output stage writes them as YAML.

use crate::change::{Change, Seg, Tracked};
use crate::input::{self, DocId, Manifest};
use crate::k8s::kinds::{Kind, Route};
use crate::k8s::meta;
use crate::k8s::names::{check_host, check_path, object_name};
use crate::plan::planned::Planned;
use crate::plan::web_port::{choose, web_ports, Chosen, WebPort};
use crate::policy::{fill_host, MultiplePorts, Policy, PortRef, Proxy, ProxyKind, TemplateNames};
use crate::report::{Problem, Report};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The label that marks what svcpolicy generated.
pub const MARKER: &str = "svcpolicy.io/generated";

/// ingress-nginx's scheme towards the backend, on an Ingress: `HTTPS` for all its paths.
pub const NGINX_BACKEND_PROTOCOL: &str = "nginx.ingress.kubernetes.io/backend-protocol";

/// Traefik's scheme towards a Service's pods for its Ingress provider, on the Service: for every
/// port of it. Without it Traefik speaks HTTPS to port 443 and to ports named `https...` only.
pub const TRAEFIK_SERVERS_SCHEME: &str = "traefik.ingress.kubernetes.io/service.serversscheme";

/// (namespace, service, port number) of every route already in the render.
pub fn existing_routes(manifests: &[Manifest], default_namespace: &str) -> Vec<(String, String, u16)> {
    let mut out = Vec::new();
    for obj in input::objects(manifests, |k| matches!(k, Kind::Route(_)), default_namespace) {
        let v = obj.value(manifests);
        let ns = obj.location.namespace.clone().unwrap_or_default();
        let mut add = |name: Option<&str>, port: Option<&Value>| {
            if let (Some(name), Some(port)) = (name, meta::as_u16(port)) {
                out.push((ns.clone(), name.to_string(), port));
            }
        };
        match obj.kind {
            Kind::Route(Route::Ingress) => {
                let rules = v.pointer("/spec/rules").and_then(Value::as_array).into_iter().flatten();
                for path in rules.flat_map(|r| r.pointer("/http/paths").and_then(Value::as_array).into_iter().flatten())
                {
                    add(
                        path.pointer("/backend/service/name").and_then(Value::as_str),
                        path.pointer("/backend/service/port/number"),
                    );
                }
                add(
                    v.pointer("/spec/defaultBackend/service/name").and_then(Value::as_str),
                    v.pointer("/spec/defaultBackend/service/port/number"),
                );
            }
            Kind::Route(Route::HttpRoute) => {
                let rules = v.pointer("/spec/rules").and_then(Value::as_array).into_iter().flatten();
                for b in rules.flat_map(|r| r.get("backendRefs").and_then(Value::as_array).into_iter().flatten()) {
                    add(b.get("name").and_then(Value::as_str), b.get("port"));
                }
            }
            _ => {
                let routes = v.pointer("/spec/routes").and_then(Value::as_array).into_iter().flatten();
                for s in routes.flat_map(|r| r.get("services").and_then(Value::as_array).into_iter().flatten()) {
                    add(s.get("name").and_then(Value::as_str), s.get("port"));
                }
            }
        }
    }
    out
}

/// The hosts a generated route answers for, for the report.
pub fn hosts_of(route: &Value) -> Value {
    // `key` of every entry of the list at `list`.
    let of_each = |list: &str, key: &str| -> Vec<Value> {
        route
            .pointer(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get(key).cloned())
            .collect()
    };
    let hosts: Vec<Value> = match route["kind"].as_str() {
        Some("Ingress") => of_each("/spec/rules", "host"),
        Some("HTTPRoute") => route.pointer("/spec/hostnames").and_then(Value::as_array).cloned().unwrap_or_default(),
        _ => of_each("/spec/routes", "match"),
    };
    Value::Array(hosts)
}

/// The routes for one Service's ports (no two on one host with `multiplePorts: hosts`, as
/// `chosen_ports` leaves them), or a message saying why they cannot be made.
pub fn routes_for(proxy: &Proxy, svc: &Value, names: &TemplateNames, ports: &[WebPort]) -> Result<Vec<Value>, String> {
    let template =
        proxy.host.as_deref().ok_or("proxy.host is not set: svcpolicy needs it to name the host of a route")?;
    let path = proxy.path.as_deref().unwrap_or("/");
    check_path(path)?;
    let mut hosts: Vec<String> = Vec::new();
    for p in ports {
        let host = fill_host(template, names, p.name.as_deref(), p.number);
        check_host(&host)?;
        hosts.push(host);
    }
    let groups: Vec<(String, Vec<(&WebPort, String)>)> = match proxy.multiple_ports {
        MultiplePorts::Paths => {
            // One route on the first port's host; the first port at `path`, each next under its name.
            let base = path.trim_end_matches('/');
            let entries = ports
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    (
                        p,
                        if i == 0 {
                            path.to_string()
                        } else {
                            format!("{base}/{}", p.name.clone().unwrap_or_else(|| p.number.to_string()))
                        },
                    )
                })
                .collect();
            vec![(hosts[0].clone(), entries)]
        }
        MultiplePorts::Hosts => hosts.into_iter().zip(ports).map(|(h, p)| (h, vec![(p, path.to_string())])).collect(),
    };
    let single = groups.len() == 1;
    Ok(groups
        .into_iter()
        .map(|(host, entries)| {
            let suffix = if single {
                None
            } else {
                Some(entries[0].0.name.clone().unwrap_or_else(|| entries[0].0.number.to_string()))
            };
            let name = object_name(names.service, suffix.as_deref());
            let mut route = match proxy.kind {
                ProxyKind::Ingress => ingress(proxy, names.service, &name, &host, &entries),
                ProxyKind::HttpRoute => http_route(proxy, names.service, &host, &entries),
                ProxyKind::IngressRoute => ingress_route(proxy, names.service, &name, &host, &entries),
            };
            let https_only = entries.iter().all(|(p, _)| p.https);
            route["metadata"] = metadata(proxy, svc, &name, https_only);
            route
        })
        .collect())
}

/// A generated route's metadata; `https_only` when every backend of the route speaks HTTPS.
fn metadata(proxy: &Proxy, svc: &Value, name: &str, https_only: bool) -> Value {
    let mut labels = Map::new();
    for k in [meta::INSTANCE_LABEL, meta::CHART_LABEL] {
        if let Some(v) = svc.pointer("/metadata/labels").and_then(|l| l.get(k)) {
            labels.insert(k.into(), v.clone());
        }
    }
    labels.extend(proxy.labels.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))));
    labels.insert(MARKER.into(), "true".into());
    let mut annotations: Map<String, Value> =
        proxy.annotations.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
    if let Some(tls) = &proxy.tls {
        if let Some(issuer) = &tls.issuer {
            annotations.insert("cert-manager.io/issuer".into(), issuer.as_str().into());
        }
        if let Some(issuer) = &tls.cluster_issuer {
            annotations.insert("cert-manager.io/cluster-issuer".into(), issuer.as_str().into());
        }
    }
    if https_only && proxy.kind == ProxyKind::Ingress {
        // The policy's own annotations say it otherwise.
        annotations.entry(NGINX_BACKEND_PROTOCOL).or_insert_with(|| "HTTPS".into());
    }
    // Helm 4 files each document by this annotation: the route goes where its Service goes.
    if let Some(file) = meta::annotation(svc, meta::HELM4_FILENAME_ANNOTATION) {
        annotations.insert(meta::HELM4_FILENAME_ANNOTATION.into(), file.into());
    }
    let mut meta = json!({"name": name});
    if let Some(ns) = svc.pointer("/metadata/namespace") {
        meta["namespace"] = ns.clone();
    }
    meta["labels"] = Value::Object(labels);
    if !annotations.is_empty() {
        meta["annotations"] = Value::Object(annotations);
    }
    meta
}

fn tls_secret(proxy: &Proxy, name: &str) -> Option<String> {
    let tls = proxy.tls.as_ref()?;
    Some(tls.secret_name.clone().unwrap_or_else(|| format!("{name}-tls")))
}

fn ingress(proxy: &Proxy, service: &str, name: &str, host: &str, entries: &[(&WebPort, String)]) -> Value {
    let paths: Vec<Value> = entries
        .iter()
        .map(|(p, path)| json!({"path": path, "pathType": "Prefix", "backend": {"service": {"name": service, "port": {"number": p.number}}}}))
        .collect();
    let mut spec = Map::new();
    if let Some(class) = &proxy.class_name {
        spec.insert("ingressClassName".into(), class.as_str().into());
    }
    spec.insert("rules".into(), json!([{"host": host, "http": {"paths": paths}}]));
    if let Some(secret) = tls_secret(proxy, name) {
        spec.insert("tls".into(), json!([{"hosts": [host], "secretName": secret}]));
    }
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {}, "spec": spec})
}

fn http_route(proxy: &Proxy, service: &str, host: &str, entries: &[(&WebPort, String)]) -> Value {
    let mut parent = Map::new();
    if let Some(g) = &proxy.gateway {
        parent.insert("name".into(), g.name.as_str().into());
        if let Some(ns) = &g.namespace {
            parent.insert("namespace".into(), ns.as_str().into());
        }
        if let Some(section) = &g.section_name {
            parent.insert("sectionName".into(), section.as_str().into());
        }
    }
    let rules: Vec<Value> = entries
        .iter()
        .map(|(p, path)| json!({"matches": [{"path": {"type": "PathPrefix", "value": path}}], "backendRefs": [{"name": service, "port": p.number}]}))
        .collect();
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {}, "spec": {"parentRefs": [parent], "hostnames": [host], "rules": rules}})
}

fn ingress_route(proxy: &Proxy, service: &str, name: &str, host: &str, entries: &[(&WebPort, String)]) -> Value {
    let routes: Vec<Value> = entries
        .iter()
        .map(|(p, path)| {
            let mut backend = json!({"name": service, "port": p.number});
            if p.https {
                backend["scheme"] = "https".into();
            }
            json!({"match": format!("Host(`{host}`) && PathPrefix(`{path}`)"), "kind": "Rule", "services": [backend]})
        })
        .collect();
    let mut spec = Map::new();
    if !proxy.entry_points.is_empty() {
        spec.insert("entryPoints".into(), json!(proxy.entry_points));
    }
    spec.insert("routes".into(), Value::Array(routes));
    if let Some(secret) = tls_secret(proxy, name) {
        spec.insert("tls".into(), json!({"secretName": secret}));
    }
    json!({"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": {}, "spec": spec})
}

/// The web ports that get routes: with `multiplePorts: hosts`, one per host (`web_port::choose`),
/// and a policy error naming the Service where a rule's own list gives one host to several
/// backends.
fn chosen_ports(proxy: &Proxy, names: &TemplateNames, ports: Vec<WebPort>, listed: bool) -> Result<Chosen, String> {
    let (Some(template), MultiplePorts::Hosts) = (&proxy.host, proxy.multiple_ports) else {
        return Ok(Chosen { routed: ports, left_out: Vec::new() });
    };
    choose(ports, |p| fill_host(template, names, p.name.as_deref(), p.number), listed).map_err(|host| {
        format!(
            "the host template gives {host} to more than one port of {}; use {{portName}} or {{port}} in proxy.host, or proxy.multiplePorts: paths",
            names.service
        )
    })
}

/// What the proxy cannot be told about the HTTPS ports among `routed`, one warning each; and the
/// port for which the Service should carry Traefik's `serversscheme: https`: an Ingress's HTTPS
/// port that Traefik would not take for one, beside no plain-HTTP port the Service-wide
/// annotation would turn to HTTPS too. An IngressRoute says `scheme: https` per backend, and an
/// Ingress carries ingress-nginx's `backend-protocol` where all its backends speak HTTPS
/// (`routes_for`).
fn https_backends<'p>(proxy: &Proxy, service: &str, routed: &'p [WebPort]) -> (Option<&'p WebPort>, Vec<String>) {
    let https: Vec<&WebPort> = routed.iter().filter(|p| p.https).collect();
    let plain = routed.iter().find(|p| !p.https);
    match (proxy.kind, plain) {
        (ProxyKind::IngressRoute, _) => (None, Vec::new()),
        (ProxyKind::HttpRoute, _) => (None, https.iter().map(|p| no_backend_tls_policy(p, service)).collect()),
        (ProxyKind::Ingress, None) => (https.into_iter().find(|p| !traefik_guesses_https(p)), Vec::new()),
        (ProxyKind::Ingress, Some(plain)) => {
            let mut warnings = Vec::new();
            if let Some(p) = https.iter().find(|p| !traefik_guesses_https(p)) {
                warnings.push(format!(
                    "port {p} speaks HTTPS, which Traefik reads only from the Service-wide {TRAEFIK_SERVERS_SCHEME}, and port {plain} does not: not set; route one of them, or use proxy.kind: IngressRoute, which says it per backend"
                ));
            }
            if let (Some(p), MultiplePorts::Paths) = (https.first(), proxy.multiple_ports) {
                warnings.push(format!(
                    "port {p} speaks HTTPS in one Ingress with port {plain}, which does not: ingress-nginx's {NGINX_BACKEND_PROTOCOL} holds for a whole Ingress and is not set; use proxy.multiplePorts: hosts"
                ));
            }
            (None, warnings)
        }
    }
}

/// Why an HTTPRoute to an HTTPS port leaves the Gateway speaking plain HTTP to it.
fn no_backend_tls_policy(p: &WebPort, service: &str) -> String {
    format!(
        "port {p} speaks HTTPS: a Gateway speaks TLS to it only under a BackendTLSPolicy for Service {service}, which names the certificate authority to trust; svcpolicy cannot know it and writes none"
    )
}

/// Traefik speaks HTTPS by itself to port 443 and to ports whose name starts with `https`.
fn traefik_guesses_https(p: &WebPort) -> bool {
    p.number == 443 || p.name.as_deref().unwrap_or("").starts_with("https")
}

/// Records a generated route as a change of its Service, and keeps it to follow the Service.
fn add_route(p: &mut Planned, route: Value, label: &str, routes: &mut BTreeMap<DocId, Vec<Value>>) {
    let kind = route["kind"].as_str().unwrap_or_default().to_string();
    let route_name = route["metadata"]["name"].as_str().unwrap_or_default().to_string();
    p.changes.push(Change {
        field: format!("{kind} {route_name}"),
        from: None,
        to: Some(hosts_of(&route)),
        reason: format!("generated to put the Service behind the proxy ({label})"),
    });
    routes.entry(p.obj.doc).or_default().push(route);
}

/// Traefik's `serversscheme: https` on the Service, for `port`, recorded as a change.
fn tell_traefik_https(p: &mut Planned, port: &WebPort, label: &str) {
    let field = [Seg::Key("metadata"), Seg::Key("annotations"), Seg::Key(TRAEFIK_SERVERS_SCHEME)];
    let why = format!("port {port} speaks HTTPS, which Traefik's Ingress provider reads only here ({label})");
    let mut tracked = Tracked::new(&mut p.target);
    tracked.set(&field, Value::from("https"), &why);
    p.changes.extend(tracked.changes);
}

/// The proxy stage: the routes that put exposed Services behind the proxy, keyed by the
/// document each goes after (its Service's).
pub fn expose(
    manifests: &[Manifest],
    services: &mut [Planned],
    policy: &Policy,
    default_namespace: &str,
    report: &mut Report,
) -> BTreeMap<DocId, Vec<Value>> {
    let mut routes: BTreeMap<DocId, Vec<Value>> = BTreeMap::new();
    let Some(proxy_section) = &policy.proxy else { return routes };
    let existing = existing_routes(manifests, default_namespace);
    for p in services.iter_mut() {
        let Some((rule, label)) = p.rule(policy) else { continue };
        let Some(expose) = &rule.expose else { continue };
        if p.own_proxy {
            // Said so when it was planned.
            continue;
        }
        for route in expose_service(p, proxy_section, &expose.ports, &existing, &label, report) {
            add_route(p, route, &label, &mut routes);
        }
    }
    routes
}

/// The routes one exposed Service gets, with Traefik's annotation on it where one is due; none
/// where the stream has a route for every port chosen already, or where the report says why not.
fn expose_service(
    p: &mut Planned,
    proxy: &Proxy,
    listed: &[PortRef],
    existing: &[(String, String, u16)],
    label: &str,
    report: &mut Report,
) -> Vec<Value> {
    let loc = p.obj.location.clone();
    let rule = Some(label.to_string());
    if meta::annotation(&p.target, meta::HOOK_ANNOTATION).is_some() {
        report.warn(loc, "a hook Service is not put behind the proxy", rule);
        return Vec::new();
    }
    let (namespace, name) = (loc.namespace.clone().unwrap_or_default(), loc.name.clone().unwrap_or_default());
    let web = web_ports(&p.target, listed);
    if web.is_empty() {
        report.warn(loc, "no web port to put behind the proxy (name http/https/web, appProtocol http/https/h2c, or 80/443/8080/8443)", rule);
        return Vec::new();
    }
    let labels = meta::labels(&p.target);
    let names = TemplateNames { service: &name, namespace: &namespace, release: meta::release(&labels).unwrap_or("") };
    // Chosen before the routes already there are left out, so a second run chooses the same.
    let chosen = match chosen_ports(proxy, &names, web, !listed.is_empty()) {
        Ok(chosen) => chosen,
        Err(message) => {
            report.error(Problem::InvalidPolicy, loc, None, message, rule);
            return Vec::new();
        }
    };
    for (port, instead) in &chosen.left_out {
        report.warn(
            loc.clone(),
            format!("web port {port} gets no route: proxy.host gives it the host of {instead}, the primary web port, which reaches another backend; put {{portName}} or {{port}} in proxy.host to route both"),
            rule.clone(),
        );
    }
    let missing: Vec<WebPort> = chosen
        .routed
        .into_iter()
        .filter(|w| !existing.contains(&(namespace.clone(), name.clone(), w.number)))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let made = match routes_for(proxy, &p.target, &names, &missing) {
        Ok(made) => made,
        Err(message) => {
            report.error(Problem::InvalidPolicy, loc, None, message, rule);
            return Vec::new();
        }
    };
    let (traefik_https, warnings) = https_backends(proxy, &name, &missing);
    for warning in warnings {
        report.warn(loc.clone(), warning, rule.clone());
    }
    if let Some(port) = traefik_https {
        tell_traefik_https(p, port, label);
    }
    made
}
