//! The port map as one HTML page: the picture (the SVG, inline) with the conflicts listed under
//! it, each naming both claimants, and beside them a table of every claim (kind, namespace,
//! name, protocol, port, claim, address, conflict). Its style sheet and its one short script (a
//! filter for the table; a click on a claim in the picture finds its row) are inline: the page
//! loads nothing. Without the script everything is still there.

use crate::output::port_map::markup::Markup;
use crate::output::port_map::model::{Clash, Entry, PortMap};
use crate::output::port_map::svg::{picture, summary, Form, TITLE};

const STYLE: &str = r##"<style>
:root{color:#1b1b1b;background:#ffffff;font-family:"DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif;font-size:14px}
body{margin:0 1rem 2rem}h1{font-size:1.5rem;margin:1rem 0 .25rem}h2{font-size:1.1rem;margin:.75rem 0 .5rem}
.summary{margin:.25rem 0 1rem;color:#3a3a3a}
.layout{display:grid;grid-template-columns:minmax(0,3fr) minmax(28rem,2fr);gap:1rem;align-items:start}
@media (max-width:1100px){.layout{grid-template-columns:1fr}}
figure{margin:0}svg.port-map{width:100%;height:auto;display:block}figcaption{color:#3a3a3a;margin:.25rem 0}
.scroll{max-height:85vh;overflow:auto;border:1px solid #9aa9bb}
table{border-collapse:collapse;width:100%;font-size:.85rem}caption{text-align:left;padding:.25rem .5rem;color:#3a3a3a}
th,td{padding:.2rem .45rem;text-align:left;border-bottom:1px solid #e2e6ec}
thead th{position:sticky;top:0;background:#eef2f7}
td.num{text-align:right;white-space:nowrap;font-family:"DejaVu Sans Mono","Liberation Mono",monospace}
tr.conflict td{background:#fde2e1}tr.picked td{outline:2px solid #1f4e79}
.bad{color:#8e1b14;font-weight:bold}td.flag{white-space:nowrap}svg.marker{width:14px;height:14px;vertical-align:-2px;margin-right:.25rem}
ol.conflicts li{margin:.25rem 0}label{display:block;margin:.25rem 0 .5rem}input{font:inherit;padding:.15rem .3rem}
</style>"##;

/// Filters the table as one types; a click on a claim in the picture shows its row. It marks
/// the page ready when it has run.
const SCRIPT: &str = r##"<script>
(function () {
  var input = document.getElementById("filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#claims tbody tr"));
  input.addEventListener("input", function () {
    var q = input.value.toLowerCase();
    rows.forEach(function (r) { r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0; });
  });
  document.querySelector("svg.port-map").addEventListener("click", function (ev) {
    var claim = ev.target.closest("[data-claim]");
    var row = claim && document.querySelector('tr[data-row="' + claim.getAttribute("data-claim") + '"]');
    if (!row) { return; }
    rows.forEach(function (r) { r.classList.remove("picked"); });
    row.hidden = false;
    row.classList.add("picked");
    row.scrollIntoView({ block: "center" });
  });
  document.body.setAttribute("data-ready", "yes");
})();
</script>"##;

/// The page.
pub fn page(map: &PortMap) -> String {
    let mut m = Markup::default();
    m.constant("<!DOCTYPE html>\n").open("html", &[("lang", &"en")]).open("head", &[]);
    m.empty("meta", &[("charset", &"utf-8")]);
    m.empty("meta", &[("name", &"viewport"), ("content", &"width=device-width, initial-scale=1")]);
    m.leaf("title", &[], "svcpolicy port map").constant(STYLE).close("head").open("body", &[]);
    m.open("header", &[]).leaf("h1", &[], TITLE);
    m.leaf("p", &[("class", &"summary")], &summary(map)).close("header");
    m.open("div", &[("class", &"layout")]).open("main", &[]).open("figure", &[]).append(picture(map, Form::InPage));
    m.leaf("figcaption", &[], "Hover a claim for what it is; click it to find its row in the table.").close("figure");
    conflict_list(&mut m, map);
    m.close("main");
    claims_table(&mut m, map);
    m.close("div").constant(SCRIPT).close("body").close("html");
    m.finish() + "\n"
}

const COLUMNS: [&str; 8] = ["Port", "Protocol", "Claim", "Kind", "Namespace", "Name", "Address", "Conflict"];

/// Every claim, by port, a row each (`data-row`: its number in the port plan).
fn claims_table(m: &mut Markup, map: &PortMap) {
    m.open("aside", &[("aria-labelledby", &"claims-heading")]);
    m.leaf("h2", &[("id", &"claims-heading")], &format!("Every claim ({})", map.entries.len()));
    m.open("label", &[]).text("Filter ");
    m.empty("input", &[("id", &"filter"), ("type", &"search"), ("placeholder", &"port, name, namespace…")]);
    m.close("label").open("div", &[("class", &"scroll")]).open("table", &[("id", &"claims")]);
    m.leaf("caption", &[], "Each claim on the node's ports, by port; the Conflict column says which collide.");
    m.open("thead", &[]).open("tr", &[]);
    for column in COLUMNS {
        m.leaf("th", &[("scope", &"col")], column);
    }
    m.close("tr").close("thead").open("tbody", &[]);
    let mut entries: Vec<&Entry> = map.entries.iter().collect();
    entries.sort_by_key(|e| (e.claim.port, &e.claim.protocol, e.claim.claim, &e.claim.namespace, &e.claim.name));
    for e in entries {
        claim_row(m, e);
    }
    m.close("tbody").close("table").close("div").close("aside");
}

fn claim_row(m: &mut Markup, e: &Entry) {
    let c = e.claim;
    let class = if e.conflicted { "conflict" } else { "" };
    m.open("tr", &[("data-row", &e.id), ("class", &class)]);
    m.leaf("td", &[("class", &"num")], &c.port.to_string());
    let kind = if e.in_cluster() { format!("{} (cluster)", c.resource) } else { c.resource.clone() };
    for text in
        [c.protocol.as_str(), c.claim.as_str(), &kind, &c.namespace, &c.name, c.address.as_deref().unwrap_or("*")]
    {
        m.leaf("td", &[], text);
    }
    m.open("td", &[("class", &"flag")]);
    if e.conflicted {
        marker(m);
        m.leaf("span", &[("class", &"bad")], "conflict");
    }
    m.close("td").close("tr");
}

/// The conflict marker, the picture's symbol.
fn marker(m: &mut Markup) {
    m.open("svg", &[("class", &"marker"), ("viewBox", &"0 0 16 16"), ("aria-hidden", &"true")]);
    m.empty("use", &[("href", &"#warn")]).close("svg");
}

/// Every conflict, naming both claimants (`data-conflict`: its number in the port plan).
fn conflict_list(m: &mut Markup, map: &PortMap) {
    m.open("section", &[("aria-labelledby", &"conflicts-heading")]);
    if map.clashes.is_empty() {
        m.leaf("h2", &[("id", &"conflicts-heading")], "No conflicts").close("section");
        return;
    }
    m.leaf("h2", &[("id", &"conflicts-heading")], &format!("Conflicts ({})", map.clashes.len()));
    m.open("ol", &[("class", &"conflicts")]);
    for clash in &map.clashes {
        conflict_item(m, clash);
    }
    m.close("ol").close("section");
}

fn conflict_item(m: &mut Markup, clash: &Clash) {
    let [first, second] = &clash.owners;
    m.open(
        "li",
        &[("class", &"conflict"), ("data-conflict", &clash.id), ("data-first", first), ("data-second", second)],
    );
    marker(m);
    m.leaf("span", &[("class", &"bad")], "Conflict: ").text(clash.message).close("li");
}
