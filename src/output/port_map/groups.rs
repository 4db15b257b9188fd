//! Claims in groups: the LoadBalancer addresses, each with the ports asked for on it, and the
//! node's ports outside the NodePort range, each with what claims it. Up to `LABEL_LIMIT` claims
//! in a section, a row per group with a labelled chip per claim (and the marker on those in a
//! conflict); above that, a cell per group with its counts and a square per claim.

use crate::output::port_map::canvas::{self, open_claim, rect, shape_class, Canvas, FONT, INNER, LABEL_LIMIT, MARGIN};
use crate::output::port_map::layout::{flow, shorten, text_width, thousands};
use crate::output::port_map::markup::Px;
use crate::output::port_map::model::{Entry, Group};
use std::collections::BTreeSet;

/// Where the chips start, right of the group's name.
const KEY_WIDTH: f64 = 140.0;
/// A chip's height, and a row of chips'.
const CHIP: f64 = 22.0;
const CHIP_ROW: f64 = 27.0;
/// A cell's width, and the room between cells.
const CELL: f64 = 184.0;
const CELL_GAP: f64 = 8.0;
/// A square's side, and its room with the gap after it.
const SQUARE: f64 = 8.0;
const SQUARE_STEP: f64 = 10.0;
/// The room in a cell above its squares.
const CELL_HEAD: f64 = 54.0;

/// A section of groups: its heading and note, its groups, and what each claim's chip says.
pub struct Section<'s, 'a> {
    /// The section's heading.
    pub heading: &'s str,
    /// What the section shows, or why it is empty.
    pub note: String,
    /// Its groups.
    pub groups: &'s [Group<'a>],
    /// A claim's chip text.
    pub chip: fn(&Entry) -> String,
}

/// Draws a section of groups.
pub fn draw(c: &mut Canvas, section: &Section) {
    c.heading(section.heading);
    c.note(&section.note);
    c.y += 8.0;
    let claims: usize = section.groups.iter().map(|g| g.entries.len()).sum();
    if claims <= LABEL_LIMIT {
        for g in section.groups {
            row(c, g, section.chip);
        }
    } else {
        cells(c, section.groups);
    }
}

/// A group as a row: its name, then a chip per claim, flowing onto more rows when needed.
fn row(c: &mut Canvas, group: &Group, chip_text: fn(&Entry) -> String) {
    let texts: Vec<String> = group.entries.iter().map(chip_text).collect();
    let widths: Vec<f64> = group.entries.iter().zip(&texts).map(|(e, t)| chip_width(e, t)).collect();
    let places = flow(widths.iter().copied(), INNER - KEY_WIDTH, 6.0);
    c.m.leaf("text", &[("class", &"key"), ("x", &Px(MARGIN)), ("y", &Px(c.y + 15.0))], &shorten(&group.key, 19));
    for ((e, text), ((x, line), width)) in group.entries.iter().zip(&texts).zip(places.iter().zip(&widths)) {
        chip(c, e, text, MARGIN + KEY_WIDTH + x, c.y + *line as f64 * CHIP_ROW, *width);
    }
    let lines = places.last().map_or(1, |(_, line)| line + 1);
    c.y += lines as f64 * CHIP_ROW + 4.0;
}

/// A chip's width: its text, its padding, and room for the marker when it is in a conflict.
fn chip_width(e: &Entry, text: &str) -> f64 {
    text_width(text, FONT) + 16.0 + if e.conflicted { 18.0 } else { 0.0 }
}

/// A claim as a labelled chip, with the marker first when it is in a conflict.
fn chip(c: &mut Canvas, e: &Entry, text: &str, x: f64, y: f64, width: f64) {
    open_claim(&mut c.m, e);
    rect(&mut c.m, &shape_class("chip", e), x, y, width, CHIP);
    let mut text_x = x + 8.0;
    if e.conflicted {
        c.marker(x + 5.0, y + 4.0, 14.0);
        text_x += 18.0;
    }
    c.m.leaf("text", &[("class", &"chip-text"), ("x", &Px(text_x)), ("y", &Px(y + 15.0))], text);
    c.m.close("g");
}

/// The groups as a grid of cells, a row of cells as tall as its tallest.
fn cells(c: &mut Canvas, groups: &[Group]) {
    let columns = (((INNER + CELL_GAP) / (CELL + CELL_GAP)).floor() as usize).max(1);
    for line in groups.chunks(columns) {
        let height = line.iter().map(cell_height).fold(0.0, f64::max);
        for (i, g) in line.iter().enumerate() {
            cell(c, g, MARGIN + i as f64 * (CELL + CELL_GAP), height);
        }
        c.y += height + CELL_GAP;
    }
}

fn per_line() -> usize {
    ((CELL - 16.0 + SQUARE_STEP - SQUARE) / SQUARE_STEP).floor() as usize
}

fn cell_height(g: &Group) -> f64 {
    CELL_HEAD + g.entries.len().div_ceil(per_line()) as f64 * SQUARE_STEP + 6.0
}

/// A group as a cell: its name, how many claims and owners, how many in conflict (with the
/// marker), and a square per claim.
fn cell(c: &mut Canvas, g: &Group, x: f64, height: f64) {
    let owners: BTreeSet<String> = g.entries.iter().map(|e| e.claim.owner()).collect();
    let conflicted = g.conflicted();
    let counts = format!("{} claims · {} owners", thousands(g.entries.len()), thousands(owners.len()));
    let class = if conflicted > 0 { "group has-conflict" } else { "group" };
    let y = c.y;
    c.m.open("g", &[("class", &class), ("data-key", &g.key)]);
    let title = format!("{}: {counts}, {conflicted} in conflict", g.key);
    c.m.leaf("title", &[], &title);
    rect(&mut c.m, if conflicted > 0 { "cell conflicted-cell" } else { "cell" }, x, y, CELL, height);
    c.m.leaf("text", &[("class", &"key"), ("x", &Px(x + 8.0)), ("y", &Px(y + 16.0))], &shorten(&g.key, 22));
    c.m.leaf("text", &[("class", &"small"), ("x", &Px(x + 8.0)), ("y", &Px(y + 31.0))], &counts);
    if conflicted > 0 {
        c.marker(x + 8.0, y + 36.0, 12.0);
        let text = format!("{} in conflict", thousands(conflicted));
        c.m.leaf("text", &[("class", &"small bad-text"), ("x", &Px(x + 24.0)), ("y", &Px(y + 46.0))], &text);
    }
    for (k, e) in g.entries.iter().enumerate() {
        let (col, line) = (k % per_line(), k / per_line());
        let (sx, sy) = (x + 8.0 + col as f64 * SQUARE_STEP, y + CELL_HEAD + line as f64 * SQUARE_STEP);
        canvas::claim_rect(&mut c.m, e, "square", sx, sy, SQUARE, SQUARE);
    }
    c.m.close("g");
}
