//! The NodePort range as a band. Up to `LABEL_LIMIT` claims, every claim has a slot at its place
//! in the range, its port above and its app below, and the free and reserved runs between them
//! are drawn short and say how long they are. Above that, the range is cut into equal stretches,
//! each a bar as high as its claims are many (with the count, and the marker where one is in a
//! conflict), every claim is a tick at its exact number on the band, and the longest free runs
//! are named.

use crate::output::port_map::canvas::{self, open_claim, rect, shape_class, Canvas, INNER, LABEL_LIMIT, MARGIN};
use crate::output::port_map::layout::{bins, shorten, slots, span, text_width, thousands, Bin, Slot, LABELLED_RUN};
use crate::output::port_map::markup::Px;
use crate::output::port_map::model::{Entry, Piece, PortMap, Run};

/// How many stretches the aggregated band has (at most).
const BINS: usize = 96;
/// The narrowest a claim's slot may be (its labels stand in it), and the widest.
const MIN_UNIT: f64 = 16.0;
const MAX_UNIT: f64 = 30.0;
/// The band's height.
const BAND: f64 = 30.0;
/// The size of the band's labels.
const LABEL_FONT: f64 = 11.0;
/// The longest app name drawn whole under the band.
const LABEL_CHARS: usize = 34;

/// Draws the band: a heading, how the range is used, and its claims.
pub fn draw(c: &mut Canvas, map: &PortMap) {
    let counts = map.band_counts();
    c.heading(&format!("NodePort range {}", span(map.range.first, map.range.last)));
    let reserved =
        if counts.reserved > 0 { format!(", {} reserved", thousands(counts.reserved)) } else { String::new() };
    c.note(&format!(
        "{} claims on {} of its {} ports; {} free{reserved}.",
        thousands(map.band.len()),
        thousands(counts.claimed),
        thousands(map.range.size()),
        thousands(counts.free)
    ));
    if map.band.len() <= LABEL_LIMIT {
        c.note("Each claim in its place in the range, in order (a long band goes on to the next line); the free stretches between them are drawn short and say how long they are.");
        detailed(c, map);
    } else {
        c.note("Too many claims to label: each bar counts the claims in one stretch of the range, each tick on the band is one claim at its number.");
        aggregated(c, map);
    }
}

fn detailed(c: &mut Canvas, map: &PortMap) {
    let slots = slots(&map.band_sequence(), INNER, MIN_UNIT, MAX_UNIT);
    let lines = slots.last().map_or(0, |s| s.line + 1);
    for line in 0..lines {
        let on_line: Vec<&Slot> = slots.iter().filter(|s| s.line == line).collect();
        band_line(c, map, &on_line);
    }
}

/// One line of the band: the port numbers above, the slots, the labels below.
fn band_line(c: &mut Canvas, map: &PortMap, slots: &[&Slot]) {
    let labels: Vec<Option<String>> = slots.iter().map(|s| slot_label(map, s)).collect();
    let room = labels.iter().flatten().map(|l| text_width(l, LABEL_FONT)).fold(0.0, f64::max) + 12.0;
    let top = c.y + 56.0;
    for (slot, label) in slots.iter().zip(&labels) {
        let x = MARGIN + slot.x;
        match slot.piece {
            Piece::Claim(id) => claim_slot(c, &map.entries[id], x, slot.width, top, label.as_deref().unwrap_or("")),
            Piece::Run(run) => run_slot(c, run, x, slot.width, top, label.as_deref()),
        }
    }
    c.y = top + BAND + room;
}

/// What is written under a slot: a claim's app, a long run's extent.
fn slot_label(map: &PortMap, slot: &Slot) -> Option<String> {
    match slot.piece {
        Piece::Claim(id) => Some(shorten(map.entries[id].app(), LABEL_CHARS)),
        Piece::Run(run) if run.len() >= LABELLED_RUN => {
            let (first, last) = run.bounds();
            Some(format!("{} {} ({})", run_word(run), span(first, last), thousands(run.len())))
        }
        Piece::Run(_) => None,
    }
}

fn run_word(run: Run) -> &'static str {
    match run {
        Run::Free(..) => "free",
        Run::Reserved(..) => "reserved",
    }
}

/// A claim's slot: its mark on the band (with the marker if in a conflict), its port above and
/// its app below.
fn claim_slot(c: &mut Canvas, e: &Entry, x: f64, width: f64, top: f64, label: &str) {
    open_claim(&mut c.m, e);
    rect(&mut c.m, &shape_class("mark", e), x + 1.0, top, width - 2.0, BAND);
    if e.conflicted {
        let size = (width - 4.0).min(14.0);
        c.marker(x + (width - size) / 2.0, top + (BAND - size) / 2.0, size);
    }
    let mid = x + width / 2.0 + LABEL_FONT * 0.35;
    let port = if e.claim.protocol == "TCP" {
        e.claim.port.to_string()
    } else {
        format!("{}/{}", e.claim.port, e.claim.protocol)
    };
    c.vertical(mid, top - 4.0, "port", &port, false);
    c.vertical(mid, top + BAND + 4.0, "app", label, true);
    c.m.close("g");
}

/// A run no claim holds: a thinner stretch of the band, labelled when it is long.
fn run_slot(c: &mut Canvas, run: Run, x: f64, width: f64, top: f64, label: Option<&str>) {
    let (first, last) = run.bounds();
    let word = run_word(run);
    c.m.open("g", &[("class", &format!("run {word}-run")), ("data-first", &first), ("data-last", &last)]).leaf(
        "title",
        &[],
        &format!("{word}: {} ({} ports)", span(first, last), thousands(run.len())),
    );
    rect(&mut c.m, word, x, top + 7.0, width, BAND - 14.0);
    if let Some(label) = label {
        c.vertical(x + width / 2.0 + LABEL_FONT * 0.35, top + BAND + 4.0, &format!("{word}-label"), label, true);
    }
    c.m.close("g");
}

fn aggregated(c: &mut Canvas, map: &PortMap) {
    let bins = bins(map, BINS);
    let width = INNER / bins.len() as f64;
    let most = bins.iter().map(|b| b.ids.len()).max().unwrap_or(0).max(1);
    let base = c.y + 150.0;
    for (i, bin) in bins.iter().enumerate() {
        bar(c, map, bin, MARGIN + i as f64 * width, width, base, most);
    }
    strip(c, map, base + 4.0);
    c.y = base + 4.0 + BAND + 18.0;
    axis(c, map);
    let longest: Vec<String> = map
        .longest_free(4)
        .iter()
        .map(|r| format!("{} ({})", span(r.bounds().0, r.bounds().1), thousands(r.len())))
        .collect();
    if !longest.is_empty() {
        c.note(&format!("Longest free stretches: {}.", longest.join(", ")));
    }
}

/// One stretch of the range: a bar as high as its claims are many, the count above it, the
/// marker above that if one of them is in a conflict; hover says what is in it.
fn bar(c: &mut Canvas, map: &PortMap, bin: &Bin, x: f64, width: f64, base: f64, most: usize) {
    let in_conflict = bin.ids.iter().filter(|&&id| map.entries[id].conflicted).count();
    let class = if in_conflict > 0 { "bin has-conflict" } else { "bin" };
    let conflicts = if in_conflict > 0 { format!(", {in_conflict} in conflict") } else { String::new() };
    let title = format!(
        "{}: {} claims on {} ports, {} free{conflicts}",
        span(bin.first, bin.last),
        thousands(bin.ids.len()),
        thousands(bin.claimed),
        thousands(bin.free)
    );
    c.m.open("g", &[("class", &class), ("data-first", &bin.first), ("data-last", &bin.last)]).leaf(
        "title",
        &[],
        &title,
    );
    rect(&mut c.m, "hit", x, base - 110.0, width, 110.0);
    if !bin.ids.is_empty() {
        let height = (100.0 * bin.ids.len() as f64 / most as f64).max(2.0);
        rect(
            &mut c.m,
            if in_conflict > 0 { "bar conflicted" } else { "bar" },
            x + 1.0,
            base - height,
            width - 2.0,
            height,
        );
        let mid = x + width / 2.0 + 3.5;
        c.vertical(mid, base - height - 3.0, "count", &thousands(bin.ids.len()), false);
        if in_conflict > 0 {
            let size = (width - 2.0).min(12.0);
            c.marker(x + (width - size) / 2.0, base - 148.0, size);
        }
    }
    c.m.close("g");
}

/// The band under the bars: free, reserved runs grey, every claim a tick at its number.
fn strip(c: &mut Canvas, map: &PortMap, top: f64) {
    rect(&mut c.m, "free", MARGIN, top, INNER, BAND);
    let scale = INNER / map.range.size() as f64;
    let x = |port: u16| MARGIN + f64::from(port - map.range.first) * scale;
    for run in map.unclaimed_runs() {
        if let Run::Reserved(a, b) = run {
            rect(&mut c.m, "reserved", x(a), top, (f64::from(b - a) + 1.0) * scale, BAND);
        }
    }
    for e in map.band_entries() {
        canvas::claim_rect(&mut c.m, e, "tick", x(e.claim.port), top, scale.max(1.0), BAND);
    }
}

/// Port numbers along the band: its ends and three points between.
fn axis(c: &mut Canvas, map: &PortMap) {
    let (first, size) = (usize::from(map.range.first), map.range.size());
    for i in 0..=4 {
        let port = first + (size - 1) * i / 4;
        let x = MARGIN + (port - first) as f64 * INNER / size as f64;
        let anchor = match i {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let at = if i == 4 { MARGIN + INNER } else { x };
        c.m.leaf(
            "text",
            &[("class", &"axis"), ("x", &Px(at)), ("y", &Px(c.y)), ("text-anchor", &anchor)],
            &port.to_string(),
        );
    }
}
