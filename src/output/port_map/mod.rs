//! The port plan as a picture (`svcpolicy ports --format svg|html`): the node's NodePort range
//! as a band with each claim at its number, the LoadBalancer addresses with their ports, the
//! node's other ports (hostPorts, host-network pods), the free room, and the conflicts, in red
//! and with a marker, naming both claimants. Past `LABEL_LIMIT` claims a section shows counts
//! per stretch or group instead of a label per claim. Plan data in, one self-contained file
//! out: no script, font or image from anywhere else.
//!
//! `markup` writes escaped markup; `model` sorts the plan into what is drawn; `layout` is the
//! geometry; `canvas` what every section draws with; `band` and `groups` the sections; `svg`
//! the picture; `html` the page around it, with a table of every claim.

mod band;
mod canvas;
mod groups;
mod html;
mod layout;
mod markup;
mod model;
mod svg;

use crate::plan::port_plan::{Claim, Conflict};
use crate::policy::NodePorts;
use model::PortMap;

/// The port map as an SVG picture, which needs no script: hover text on every claim, the
/// conflicts listed with both claimants.
pub fn svg(claims: &[Claim], conflicts: &[Conflict], node_ports: &NodePorts) -> String {
    svg::picture(&PortMap::new(claims, conflicts, node_ports), svg::Form::Alone).finish() + "\n"
}

/// The port map as an HTML page: the picture, a table of every claim, the conflicts listed.
pub fn html(claims: &[Claim], conflicts: &[Conflict], node_ports: &NodePorts) -> String {
    html::page(&PortMap::new(claims, conflicts, node_ports))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Location;
    use crate::plan::port_plan::{conflicts, service_claims};
    use crate::policy;
    use canvas::LABEL_LIMIT;
    use serde_json::json;

    fn nodeports(name: &str, ports: impl IntoIterator<Item = u16>) -> Vec<Claim> {
        let ports: Vec<_> = ports.into_iter().map(|p| json!({"port": 80, "nodePort": p})).collect();
        let svc = json!({"metadata": {"name": name}, "spec": {"type": "NodePort", "ports": ports}});
        service_claims(&svc, "apps", Some(Location::default()), &policy::default_policy(), false)
    }

    fn count(text: &str, needle: &str) -> usize {
        text.matches(needle).count()
    }

    #[test]
    fn a_name_a_chart_gives_cannot_break_out_of_the_markup() {
        let hostile = "x\"><script>alert('&')</script>";
        let claims = nodeports(hostile, [30080]);
        let node_ports = policy::default_policy().node_ports;
        for text in [svg(&claims, &[], &node_ports), html(&claims, &[], &node_ports)] {
            assert!(!text.contains(hostile) && !text.contains("<script>alert"), "{text}");
            assert!(text.contains("x&quot;&gt;&lt;script&gt;alert(&#39;&amp;&#39;)&lt;/script&gt;"));
        }
    }

    #[test]
    fn every_claim_and_conflict_has_its_element_labelled_or_aggregated() {
        let node_ports = policy::default_policy().node_ports;
        for n in [3, LABEL_LIMIT + 1, 2000] {
            let mut claims = nodeports("a", (0..n as u16).map(|i| 9000 + 7 * i));
            claims.extend(nodeports("b", [9000]));
            let found = conflicts(&claims);
            let (picture, page) = (svg(&claims, &found, &node_ports), html(&claims, &found, &node_ports));
            for i in 0..claims.len() {
                assert_eq!(count(&picture, &format!(" data-claim=\"{i}\"")), 1, "claim {i} of {n}");
                assert_eq!(count(&page, &format!(" data-row=\"{i}\"")), 1, "claim {i} of {n}");
            }
            assert_eq!(count(&picture, " data-conflict=\"0\""), 1);
            assert_eq!(count(&page, " data-conflict=\"0\""), 1);
            // Labels below the limit; bars of counts above it.
            assert_eq!(picture.contains("class=\"bin"), n > LABEL_LIMIT, "{n} claims");
            assert_eq!(picture.contains("class=\"app\""), n <= LABEL_LIMIT, "{n} claims");
        }
    }

    #[test]
    fn the_map_is_self_contained() {
        let claims = nodeports("web", [30080]);
        let page = html(&claims, &[], &policy::default_policy().node_ports);
        for outside in ["http:", "https:", "src=", "@import", "url(http", "<link"] {
            assert!(!page.replace("http://www.w3.org/2000/svg", "").contains(outside), "{outside}");
        }
    }
}
