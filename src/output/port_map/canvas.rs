//! The drawing surface the port map's sections share: the SVG written so far, how far down it
//! has come, and what every section draws with: headings, notes, the conflict marker (the cue
//! that is not colour), vertical labels, and a claim's element with its hover text.

use crate::output::port_map::layout::wrap;
use crate::output::port_map::markup::{Markup, Px};
use crate::output::port_map::model::Entry;

/// The picture's width.
pub const WIDTH: f64 = 1200.0;
/// The room left and right of everything drawn.
pub const MARGIN: f64 = 24.0;
/// The width sections draw in.
pub const INNER: f64 = WIDTH - 2.0 * MARGIN;
/// Up to this many claims a section labels each; above, it shows counts per stretch or cell.
pub const LABEL_LIMIT: usize = 80;
/// The size of body text.
pub const FONT: f64 = 12.0;

/// The SVG being drawn, top to bottom.
#[derive(Debug, Default)]
pub struct Canvas {
    /// What is drawn so far.
    pub m: Markup,
    /// How far down the next thing goes.
    pub y: f64,
}

impl Canvas {
    /// A section's heading.
    pub fn heading(&mut self, text: &str) {
        self.y += 30.0;
        self.m.leaf("text", &[("class", &"h2"), ("x", &Px(MARGIN)), ("y", &Px(self.y))], text);
        self.y += 8.0;
    }

    /// A line of explanation under a heading, wrapped to the width.
    pub fn note(&mut self, text: &str) {
        for line in wrap(text, (INNER / (FONT * 0.6)) as usize) {
            self.y += 17.0;
            self.m.leaf("text", &[("class", &"note"), ("x", &Px(MARGIN)), ("y", &Px(self.y))], &line);
        }
    }

    /// The conflict marker (a warning triangle), `size` wide, its top left at (`x`, `y`).
    pub fn marker(&mut self, x: f64, y: f64, size: f64) {
        marker(&mut self.m, x, y, size);
    }

    /// Text turned to read upwards; `end`: it ends at (`x`, `y`) and hangs below, else it
    /// starts there and rises.
    pub fn vertical(&mut self, x: f64, y: f64, class: &str, text: &str, end: bool) {
        let turn = format!("rotate(-90 {} {})", Px(x), Px(y));
        let anchor = if end { "end" } else { "start" };
        self.m.leaf(
            "text",
            &[("class", &class), ("x", &Px(x)), ("y", &Px(y)), ("text-anchor", &anchor), ("transform", &turn)],
            text,
        );
    }
}

/// The conflict marker, a warning triangle `size` wide with its top left at (`x`, `y`).
pub fn marker(m: &mut Markup, x: f64, y: f64, size: f64) {
    m.empty(
        "use",
        &[
            ("class", &"marker"),
            ("href", &"#warn"),
            ("x", &Px(x)),
            ("y", &Px(y)),
            ("width", &Px(size)),
            ("height", &Px(size)),
        ],
    );
}

/// Opens a claim's element (`data-claim`: its number in the port plan) with its hover text;
/// close it with `</g>`.
pub fn open_claim(m: &mut Markup, e: &Entry) {
    m.open("g", &[("class", &"claim"), ("data-claim", &e.id)]).leaf("title", &[], &e.describe());
}

/// The classes of a claim's shape: `base`, and `conflicted` and `cluster` where they hold.
pub fn shape_class(base: &str, e: &Entry) -> String {
    let mut class = base.to_string();
    if e.conflicted {
        class.push_str(" conflicted");
    }
    if e.in_cluster() {
        class.push_str(" cluster");
    }
    class
}

/// An SVG rectangle.
pub fn rect(m: &mut Markup, class: &str, x: f64, y: f64, width: f64, height: f64) {
    m.empty("rect", &[("class", &class), ("x", &Px(x)), ("y", &Px(y)), ("width", &Px(width)), ("height", &Px(height))]);
}

/// A claim drawn as one rectangle (a tick or a square), with its number and hover text.
pub fn claim_rect(m: &mut Markup, e: &Entry, base: &str, x: f64, y: f64, width: f64, height: f64) {
    let class = shape_class(&format!("claim {base}"), e);
    m.open(
        "rect",
        &[
            ("class", &class),
            ("data-claim", &e.id),
            ("x", &Px(x)),
            ("y", &Px(y)),
            ("width", &Px(width)),
            ("height", &Px(height)),
        ],
    )
    .leaf("title", &[], &e.describe())
    .close("rect");
}
