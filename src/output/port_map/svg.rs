//! The port map as one SVG picture, top to bottom: a summary, the NodePort band, the
//! LoadBalancer addresses, the node's other ports, the conflicts (each naming both claimants,
//! with the marker) and a legend. Every claim is an element with `data-claim` (its number in
//! `ports --format json`) and hover text (`<title>`); every conflict one with `data-conflict`.
//! The picture needs no script, font or image from anywhere: its style sheet and shapes are
//! inside it, and its `<title>` and `<desc>` say in words what it shows.

use crate::output::port_map::band;
use crate::output::port_map::canvas::{marker, rect, Canvas, FONT, INNER, MARGIN, WIDTH};
use crate::output::port_map::groups::{self, Section};
use crate::output::port_map::layout::{flow, shorten, span, text_width, thousands, wrap};
use crate::output::port_map::markup::{Markup, Px};
use crate::output::port_map::model::{Clash, Entry, PortMap};
use std::collections::BTreeMap;

/// The map's heading.
pub const TITLE: &str = "Port map of a node";

/// Up to this many conflicts, each has a line of its own; above, a line per place.
const CONFLICT_LINES: usize = 40;

/// The style sheet, the hatching that marks conflicts besides their colour, and the marker.
const DEFS: &str = r##"<defs><style>
text{font-family:"DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif;font-size:12px;fill:#1b1b1b}
.h1{font-size:20px;font-weight:bold}.h2{font-size:15px;font-weight:bold}.note{fill:#3a3a3a}
.small,.port,.app,.count,.free-label,.reserved-label{font-size:11px}
.port,.axis,.key{font-family:"DejaVu Sans Mono","Liberation Mono",monospace}.key{font-weight:bold}
.mark,.chip{fill:#dbe8f6;stroke:#1f4e79;stroke-width:1}.chip{rx:4px}
.cluster{stroke-dasharray:4 2}
.conflicted{fill:url(#hatch);stroke:#b3261e;stroke-width:2}.chip.conflicted{fill:#fde2e1}
.tick{fill:#1f4e79}.tick.conflicted{fill:#b3261e;stroke:none}.square{fill:#6d93c0}
.free{fill:#e3f1e6;stroke:#8fbf9a}.free-label{fill:#1e5631;font-style:italic}
.reserved{fill:url(#grey);stroke:#8a8a8a}.reserved-label{fill:#474747;font-style:italic}
.bar{fill:#6d93c0}.bar.conflicted{fill:url(#hatch)}.hit{fill:transparent}
.cell{fill:#f6f8fb;stroke:#9aa9bb}.conflicted-cell{fill:#fff5f5;stroke:#b3261e;stroke-width:2}
.bad-text,.conflict-lead{fill:#8e1b14;font-weight:bold}
.claim:hover .mark,.claim:hover .chip{stroke-width:3}
</style>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde2e1"/><rect width="2.5" height="6" fill="#b3261e"/></pattern>
<pattern id="grey" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#eeeeee"/><rect width="1.5" height="6" fill="#9e9e9e"/></pattern>
<symbol id="warn" viewBox="0 0 16 16"><path d="M8 0.8 15.6 15.2H0.4Z" fill="#b3261e" stroke="#ffffff" stroke-width="0.8" stroke-linejoin="round"/><rect x="7" y="5" width="2" height="6" fill="#ffffff"/><rect x="7" y="12" width="2" height="2" fill="#ffffff"/></symbol>
</defs>"##;

/// Where the picture goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A file of its own: with its heading, the summary and the conflicts.
    Alone,
    /// Inside the HTML page, which has the heading and summary and lists the conflicts as text.
    InPage,
}

/// The picture.
pub fn picture(map: &PortMap, form: Form) -> Markup {
    let mut c = Canvas::default();
    if form == Form::Alone {
        c.y = 12.0;
        c.m.leaf("text", &[("class", &"h1"), ("x", &Px(MARGIN)), ("y", &Px(c.y + 22.0))], TITLE);
        c.y += 26.0;
        c.note(&summary(map));
    }
    band::draw(&mut c, map);
    groups::draw(&mut c, &addresses(map));
    groups::draw(&mut c, &other_ports(map));
    if form == Form::Alone {
        conflicts(&mut c, map);
    }
    legend(&mut c);
    let height = c.y + 20.0;
    let mut m = Markup::default();
    let view = format!("0 0 {} {}", Px(WIDTH), Px(height));
    m.open(
        "svg",
        &[
            ("xmlns", &"http://www.w3.org/2000/svg"),
            ("class", &"port-map"),
            ("role", &"img"),
            ("aria-labelledby", &"map-title map-desc"),
            ("viewBox", &view),
            ("width", &Px(WIDTH)),
            ("height", &Px(height)),
        ],
    );
    m.leaf("title", &[("id", &"map-title")], "svcpolicy port map");
    m.leaf("desc", &[("id", &"map-desc")], &description(map));
    m.constant(DEFS);
    m.empty("rect", &[("width", &"100%"), ("height", &"100%"), ("fill", &"#ffffff")]);
    m.append(c.m).close("svg");
    m
}

/// What the map holds, in a sentence or three.
pub fn summary(map: &PortMap) -> String {
    let counts = map.band_counts();
    let conflicts = match map.clashes.len() {
        0 => "no conflicts".to_string(),
        1 => "1 conflict".to_string(),
        n => format!("{} conflicts", thousands(n)),
    };
    format!(
        "{} claims on the node's ports, {conflicts}. NodePort range {}: {} of {} ports claimed, {} free. \
         {} LoadBalancer addresses; {} other ports of every node.",
        thousands(map.entries.len()),
        span(map.range.first, map.range.last),
        thousands(counts.claimed),
        thousands(map.range.size()),
        thousands(counts.free),
        thousands(map.addresses.len()),
        thousands(map.host.len())
    )
}

/// The picture in words: the summary, and the conflicts when they are few.
fn description(map: &PortMap) -> String {
    let mut text = summary(map);
    if !map.clashes.is_empty() && map.clashes.len() <= CONFLICT_LINES {
        let messages: Vec<&str> = map.clashes.iter().map(|c| c.message).collect();
        text.push_str(&format!(" Conflicts: {}.", messages.join("; ")));
    }
    text
}

fn addresses<'s, 'a>(map: &'s PortMap<'a>) -> Section<'s, 'a> {
    let note = if map.addresses.is_empty() {
        "None: no LoadBalancer Service asks for an address of its own.".to_string()
    } else {
        "The ports each LoadBalancer address carries, and the Service that asks for each.".to_string()
    };
    Section { heading: "LoadBalancer addresses", note, groups: &map.addresses, chip: address_chip }
}

fn address_chip(e: &Entry) -> String {
    format!("{}/{} {}", e.claim.protocol, e.claim.port, shorten(e.app(), 40))
}

fn other_ports<'s, 'a>(map: &'s PortMap<'a>) -> Section<'s, 'a> {
    let note = if map.host.is_empty() {
        "None: nothing claims a port of every node outside the range.".to_string()
    } else {
        "Ports of every node outside the NodePort range: hostPorts, host-network pods, shared \
         LoadBalancer ports."
            .to_string()
    };
    Section { heading: "Other ports of every node", note, groups: &map.host, chip: host_chip }
}

fn host_chip(e: &Entry) -> String {
    let address = e.claim.address.as_deref().map(|a| format!(" on {a}")).unwrap_or_default();
    format!("{} {} · {}{address}", e.claim.protocol, shorten(e.app(), 40), e.claim.claim.as_str())
}

/// Every conflict: a line each, naming both claimants, or, when there are many, a line per
/// place with a marker per conflict.
fn conflicts(c: &mut Canvas, map: &PortMap) {
    if map.clashes.is_empty() {
        c.heading("No conflicts");
        c.note("No two claims collide.");
        return;
    }
    c.heading(&format!("Conflicts ({})", thousands(map.clashes.len())));
    if map.clashes.len() <= CONFLICT_LINES {
        for clash in &map.clashes {
            conflict_line(c, clash);
        }
        return;
    }
    let mut by_place: BTreeMap<&str, Vec<&Clash>> = BTreeMap::new();
    for clash in &map.clashes {
        by_place.entry(&clash.at).or_default().push(clash);
    }
    for (at, clashes) in by_place {
        place_line(c, at, &clashes);
    }
}

/// Opens a conflict's element (`data-conflict`: its number; both owners) with its message as
/// hover text; close it with `</g>`.
fn open_conflict(m: &mut Markup, clash: &Clash) {
    let [first, second] = &clash.owners;
    m.open(
        "g",
        &[("class", &"conflict"), ("data-conflict", &clash.id), ("data-first", first), ("data-second", second)],
    )
    .leaf("title", &[], clash.message);
}

fn conflict_line(c: &mut Canvas, clash: &Clash) {
    open_conflict(&mut c.m, clash);
    c.marker(MARGIN, c.y + 6.0, 16.0);
    let lines = wrap(clash.message, ((INNER - 100.0) / (FONT * 0.62)) as usize);
    for (i, line) in lines.iter().enumerate() {
        c.y += 18.0;
        c.m.open("text", &[("x", &Px(MARGIN + 24.0)), ("y", &Px(c.y))]);
        if i == 0 {
            c.m.leaf("tspan", &[("class", &"conflict-lead")], "Conflict: ");
        }
        c.m.text(line).close("text");
    }
    c.m.close("g");
    c.y += 6.0;
}

/// The conflicts of one place: the place, how many, between whom, then a marker per conflict
/// (its message on hover).
fn place_line(c: &mut Canvas, at: &str, clashes: &[&Clash]) {
    let mut owners: Vec<&str> = clashes.iter().flat_map(|c| c.owners.iter().map(String::as_str)).collect();
    owners.sort_unstable();
    owners.dedup();
    let named: Vec<&str> = owners.iter().take(3).copied().collect();
    let more = if owners.len() > 3 { format!(" and {} more", owners.len() - 3) } else { String::new() };
    c.marker(MARGIN, c.y + 6.0, 16.0);
    c.y += 18.0;
    let text = format!("{at}: {} conflicts between {}{more}", clashes.len(), named.join(", "));
    c.m.leaf("text", &[("class", &"conflict-lead"), ("x", &Px(MARGIN + 24.0)), ("y", &Px(c.y))], &text);
    let places = flow(clashes.iter().map(|_| 14.0), INNER - 24.0, 4.0);
    for (clash, (x, line)) in clashes.iter().zip(&places) {
        open_conflict(&mut c.m, clash);
        marker(&mut c.m, MARGIN + 24.0 + x, c.y + 6.0 + *line as f64 * 18.0, 14.0);
        c.m.close("g");
    }
    c.y += places.last().map_or(0, |(_, line)| line + 1) as f64 * 18.0 + 8.0;
}

/// What each shape and mark means.
fn legend(c: &mut Canvas) {
    c.heading("Legend");
    c.y += 8.0;
    let items: [(&str, &str); 5] = [
        ("mark", "a claim of the render"),
        ("mark cluster", "a claim the cluster holds"),
        ("mark conflicted", "a claim in a conflict: hatched, with the marker"),
        ("free", "free ports"),
        ("reserved", "reserved by the policy"),
    ];
    let mut x = MARGIN;
    for (class, text) in items {
        rect(&mut c.m, class, x, c.y, 22.0, 16.0);
        if class.ends_with("conflicted") {
            c.marker(x + 4.0, c.y + 1.0, 14.0);
        }
        c.m.leaf("text", &[("x", &Px(x + 28.0)), ("y", &Px(c.y + 12.5))], text);
        x += 28.0 + text_width(text, FONT) + 24.0;
    }
    c.y += 24.0;
}
