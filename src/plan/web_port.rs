//! The ports of a Service that go behind the proxy: which ports are web ports, which of them speak
//! HTTPS to the proxy, and, where the host template gives several ports one host, which one gets
//! the route. Ports that reach the same `targetPort` are one backend, and the preferred of them
//! stands for it; of ports on different backends, a rule that lists no ports routes the Service's
//! primary web port (named or `appProtocol` `http`, then 80, then 8080, then the HTTPS ones), and
//! a rule that lists them cannot be routed.

use crate::k8s::meta;
use crate::k8s::service::{self, target_port, TargetPort};
use crate::policy::PortRef;
use serde_json::Value;
use std::fmt;

/// A Service port that goes behind the proxy.
#[derive(Debug, Clone)]
pub struct WebPort {
    /// The Service port's `port`: what the route sends traffic to.
    pub number: u16,
    /// Its `name`, for `{portName}` and for the names of routes.
    pub name: Option<String>,
    /// Its backend speaks HTTPS, so the proxy must too: `appProtocol: https`, else the name
    /// `https`, else the number 443 or 8443 without an `http` name or `appProtocol`.
    pub https: bool,
    /// Where its traffic goes in the pod; ports with the same target are one backend.
    target: Option<TargetPort>,
    /// How strongly it is the Service's web port: the lowest wins (see `rank`).
    rank: u8,
}

impl fmt::Display for WebPort {
    /// As messages name a port: `admin (8080)`, or `8080` without a name.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} ({})", self.number),
            None => write!(f, "{}", self.number),
        }
    }
}

/// The ports of a Service that go behind the proxy: those a rule lists, else the TCP ports that
/// speak HTTP by name (http, https, web), by appProtocol, or by number (80, 443, 8080, 8443).
pub fn web_ports(svc: &Value, listed: &[PortRef]) -> Vec<WebPort> {
    service::ports(svc)
        .iter()
        .filter_map(|p| {
            let port = web_port(p)?;
            let web = if listed.is_empty() {
                is_tcp(p) && is_web(p, &port)
            } else {
                listed.iter().any(|r| match r {
                    PortRef::Number(n) => *n == port.number,
                    PortRef::Name(s) => port.name.as_deref() == Some(s),
                })
            };
            web.then_some(port)
        })
        .collect()
}

/// One entry of `spec.ports` as a port the proxy could send traffic to; `None` without a number.
fn web_port(p: &Value) -> Option<WebPort> {
    let number = meta::as_u16(p.get("port"))?;
    let name = p.get("name").and_then(Value::as_str).map(str::to_string);
    let app = app_protocol(p);
    let https = speaks_https(name.as_deref(), app, number);
    let rank = rank(name.as_deref(), app, number, https);
    Some(WebPort { number, name, https, target: target_port(p), rank })
}

fn app_protocol(p: &Value) -> &str {
    p.get("appProtocol").and_then(Value::as_str).unwrap_or("")
}

/// `protocol: TCP`, the default: the only protocol an HTTP proxy reaches.
fn is_tcp(p: &Value) -> bool {
    p.get("protocol").and_then(Value::as_str).unwrap_or("TCP") == "TCP"
}

/// A port that speaks HTTP by its name, its appProtocol or its number.
fn is_web(p: &Value, port: &WebPort) -> bool {
    matches!(port.name.as_deref(), Some("http" | "https" | "web"))
        || matches!(app_protocol(p), "http" | "https" | "kubernetes.io/h2c")
        || matches!(port.number, 80 | 443 | 8080 | 8443)
}

/// Whether the backend behind a port speaks HTTPS: its appProtocol says so first, then its name,
/// then its number.
fn speaks_https(name: Option<&str>, app: &str, number: u16) -> bool {
    match (app, name) {
        ("https", _) => true,
        ("http" | "kubernetes.io/h2c", _) => false,
        (_, Some("https")) => true,
        (_, Some("http")) => false,
        _ => matches!(number, 443 | 8443),
    }
}

/// The order in which a Service's web ports are its primary one, lowest first: plain HTTP before
/// HTTPS (the proxy terminates TLS), and within each, a port named for its scheme or with it as
/// appProtocol (0), then the scheme's usual number (80 or 443: 1), then its alternative (8080 or
/// 8443: 2), then any other web port (3); HTTPS ports rank 4 higher.
fn rank(name: Option<&str>, app: &str, number: u16, https: bool) -> u8 {
    let (scheme, usual, alternative, base) = if https { ("https", 443, 8443, 4) } else { ("http", 80, 8080, 0) };
    let tier = if name == Some(scheme) || app == scheme {
        0
    } else if number == usual {
        1
    } else if number == alternative {
        2
    } else {
        3
    };
    base + tier
}

/// The web ports that get a route, and those left out.
#[derive(Debug, Default)]
pub struct Chosen {
    /// The ports to route, in the Service's order, no two on one host.
    pub routed: Vec<WebPort>,
    /// Ports on another backend than the primary port of their host, which a rule that lists no
    /// ports leaves without a route, each with that primary port. An HTTPS port beside a
    /// plain-HTTP primary is not among them: it is the same app's TLS face, and the proxy
    /// terminates TLS.
    pub left_out: Vec<(WebPort, WebPort)>,
}

/// Where `host` gives several ports one host, the one that gets the route: the best-ranked (the
/// Service's order breaks ties). Ports on its backend go with it; ports on other backends are
/// left out when the rule lists no ports (`listed` false), and otherwise make the host an error
/// (`Err` with the host).
pub fn choose(ports: Vec<WebPort>, host: impl Fn(&WebPort) -> String, listed: bool) -> Result<Chosen, String> {
    let hosts: Vec<String> = ports.iter().map(host).collect();
    let mut keep = vec![false; ports.len()];
    let mut left_out = Vec::new();
    for (i, h) in hosts.iter().enumerate() {
        if hosts[..i].contains(h) {
            continue;
        }
        let sharing: Vec<usize> = (i..ports.len()).filter(|&j| &hosts[j] == h).collect();
        let best = *sharing.iter().min_by_key(|&&j| (ports[j].rank, j)).expect("the host's first port shares it");
        keep[best] = true;
        let primary = &ports[best];
        for &j in &sharing {
            let other = &ports[j];
            if j == best || other.target == primary.target {
                continue;
            }
            if listed {
                return Err(h.clone());
            }
            let tls_face = other.https && !primary.https;
            if !tls_face {
                left_out.push((other.clone(), primary.clone()));
            }
        }
    }
    let routed = ports.into_iter().zip(keep).filter_map(|(p, k)| k.then_some(p)).collect();
    Ok(Chosen { routed, left_out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn svc(ports: Value) -> Value {
        json!({"spec": {"ports": ports}})
    }

    fn numbers(ports: &[WebPort]) -> Vec<u16> {
        ports.iter().map(|p| p.number).collect()
    }

    fn one_host(svc: &Value, listed: &[PortRef]) -> Result<Chosen, String> {
        choose(web_ports(svc, listed), |_| "app.home.lan".into(), !listed.is_empty())
    }

    #[test]
    fn https_is_read_from_app_protocol_then_name_then_number() {
        let s = svc(json!([
            {"name": "https", "port": 80, "appProtocol": "http"},
            {"name": "http", "port": 443},
            {"name": "web", "port": 8443},
            {"name": "tls", "port": 9443, "appProtocol": "https"},
            {"name": "https", "port": 8080},
            {"port": 443, "appProtocol": "kubernetes.io/h2c"}
        ]));
        let https: Vec<bool> = web_ports(&s, &[]).iter().map(|p| p.https).collect();
        assert_eq!(https, [false, false, true, true, true, false]);
    }

    #[test]
    fn the_primary_port_is_http_by_name_or_app_protocol_then_80_then_8080_then_https() {
        let cases: &[(Value, u16)] = &[
            (json!([{"name": "web", "port": 80}, {"name": "ui", "port": 3000, "appProtocol": "http"}]), 3000),
            (json!([{"name": "a", "port": 8080}, {"name": "b", "port": 80}]), 80),
            (json!([{"name": "a", "port": 8443}, {"name": "b", "port": 8080}]), 8080),
            (json!([{"name": "web", "port": 9000}, {"name": "https", "port": 8443}]), 9000),
            (json!([{"name": "a", "port": 8443}, {"name": "b", "port": 443}]), 443),
            (json!([{"name": "a", "port": 443}, {"name": "https", "port": 9443}]), 9443),
        ];
        for (ports, primary) in cases {
            let chosen = one_host(&svc(ports.clone()), &[]).unwrap();
            assert_eq!(numbers(&chosen.routed), [*primary], "{ports}");
        }
    }

    #[test]
    fn ports_on_one_target_are_one_backend_even_when_listed() {
        // argo-cd's argocd-server: http and https both to the server's 8080.
        let s = svc(json!([
            {"name": "http", "port": 80, "targetPort": 8080},
            {"name": "https", "port": 443, "targetPort": 8080}
        ]));
        let listed = [PortRef::Name("https".into()), PortRef::Name("http".into())];
        for listed in [&listed[..], &[]] {
            let chosen = one_host(&s, listed).unwrap();
            assert_eq!(numbers(&chosen.routed), [80]);
            assert!(chosen.left_out.is_empty());
        }
        // A port without targetPort goes to its own number; a name is one target with itself.
        let s = svc(json!([{"name": "http", "port": 8080}, {"name": "web", "port": 80, "targetPort": 8080}]));
        assert_eq!(numbers(&one_host(&s, &[PortRef::Number(80), PortRef::Number(8080)]).unwrap().routed), [8080]);
    }

    #[test]
    fn other_backends_are_left_out_unless_listed_and_https_faces_silently() {
        let s = svc(json!([
            {"name": "http", "port": 80, "targetPort": "http"},
            {"name": "https", "port": 443, "targetPort": "https"},
            {"name": "admin", "port": 8080, "targetPort": "admin"}
        ]));
        let chosen = one_host(&s, &[]).unwrap();
        assert_eq!(numbers(&chosen.routed), [80]);
        let left_out: Vec<(u16, u16)> = chosen.left_out.iter().map(|(p, instead)| (p.number, instead.number)).collect();
        assert_eq!(left_out, [(8080, 80)]);
        assert_eq!(one_host(&s, &[PortRef::Number(80), PortRef::Number(8080)]).unwrap_err(), "app.home.lan");
    }

    #[test]
    fn ports_on_hosts_of_their_own_are_all_routed_in_the_services_order() {
        let s = svc(json!([{"name": "metrics", "port": 9090, "appProtocol": "http"}, {"name": "http", "port": 80}]));
        let chosen = choose(web_ports(&s, &[]), |p| format!("{}.home.lan", p.number), false).unwrap();
        assert_eq!(numbers(&chosen.routed), [9090, 80]);
    }

    #[test]
    fn udp_ports_are_no_web_ports_unless_listed() {
        let s = svc(json!([{"name": "http3", "port": 443, "protocol": "UDP"}, {"name": "http", "port": 80}]));
        assert_eq!(numbers(&web_ports(&s, &[])), [80]);
        assert_eq!(numbers(&web_ports(&s, &[PortRef::Number(443)])), [443]);
    }
}
