//! The port map's geometry, apart from any markup: where the band's pieces go when every claim
//! is drawn (a broken axis: claims in order, free runs shortened), how the range is cut into
//! bins when there are too many claims to label, how chips and marks flow into rows, how wide
//! text is, and how numbers and long lines are written.

use crate::output::port_map::model::{Piece, PortMap, Run};

/// A run this long or longer gets a full slot and a label; a shorter one a sliver.
pub const LABELLED_RUN: usize = 10;

/// The width of `text` at `font` pixels, estimated generously for DejaVu Sans (what a Debian
/// browser draws with; other fonts are narrower).
pub fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * 0.62
}

/// A piece of the band, placed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// What is drawn there.
    pub piece: Piece,
    /// The line of the band it is on: a band too long for one line goes on like text.
    pub line: usize,
    /// Its left edge, from the line's start.
    pub x: f64,
    /// Its width.
    pub width: f64,
}

/// The room a piece takes, in units: a claim one, a labelled run less, a short run a sliver.
fn units(piece: &Piece) -> f64 {
    match piece {
        Piece::Run(r) if r.len() < LABELLED_RUN => 0.4,
        Piece::Run(_) => 0.8,
        Piece::Claim(_) => 1.0,
    }
}

/// Places the band's pieces on lines `width` wide. A unit is as wide as one line holds them
/// all, but no wider than `max_unit`; where that would make it narrower than `min_unit` (too
/// narrow for a label), it is `min_unit` and the band takes more lines.
pub fn slots(pieces: &[Piece], width: f64, min_unit: f64, max_unit: f64) -> Vec<Slot> {
    let total: f64 = pieces.iter().map(units).sum();
    let unit = (width / total.max(1.0)).clamp(min_unit, max_unit);
    let places = flow(pieces.iter().map(|p| units(p) * unit), width, 0.0);
    pieces.iter().zip(places).map(|(p, (x, line))| Slot { piece: *p, line, x, width: units(p) * unit }).collect()
}

/// A stretch of the range in the aggregated band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    /// Its first port.
    pub first: u16,
    /// Its last port.
    pub last: u16,
    /// The claims on its ports, by number, in port order.
    pub ids: Vec<usize>,
    /// How many of its ports are claimed.
    pub claimed: usize,
    /// How many of its ports are free.
    pub free: usize,
}

/// The range cut into at most `count` stretches of equal length (the last may be shorter), with
/// the claims on each, and how many of its ports are claimed and free.
pub fn bins(map: &PortMap, count: usize) -> Vec<Bin> {
    let (first, size) = (usize::from(map.range.first), map.range.size());
    let step = size.div_ceil(count.max(1));
    let mut out: Vec<Bin> = (0..size.div_ceil(step))
        .map(|i| {
            let a = first + i * step;
            let b = (a + step - 1).min(usize::from(map.range.last));
            Bin { first: a as u16, last: b as u16, ids: Vec::new(), claimed: 0, free: 0 }
        })
        .collect();
    let index = |port: u16| (usize::from(port) - first) / step;
    for e in map.band_entries() {
        let bin = &mut out[index(e.claim.port)];
        let last_port = bin.ids.last().map(|&id| map.entries[id].claim.port);
        bin.claimed += usize::from(last_port != Some(e.claim.port));
        bin.ids.push(e.id);
    }
    for run in map.unclaimed_runs() {
        if let Run::Free(a, b) = run {
            for bin in &mut out[index(a)..=index(b)] {
                bin.free += usize::from(b.min(bin.last) - a.max(bin.first)) + 1;
            }
        }
    }
    out
}

/// Where items of these widths go when flowed into rows `width` wide, `gap` apart: the left
/// edge and the row of each. An item wider than a row gets a row of its own.
pub fn flow(widths: impl IntoIterator<Item = f64>, width: f64, gap: f64) -> Vec<(f64, usize)> {
    let (mut x, mut row) = (0.0, 0);
    let mut out = Vec::new();
    for w in widths {
        // A hair over is rounding: items sized to fill a row exactly stay on it.
        if x > 0.0 && x + w > width + 1e-6 {
            x = 0.0;
            row += 1;
        }
        out.push((x, row));
        x += w + gap;
    }
    out
}

/// `text` cut into lines of at most `max` characters, at spaces where it can be.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// `text` cut to `max` characters, with an ellipsis where it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    text.chars().take(max.saturating_sub(1)).chain(std::iter::once('…')).collect()
}

/// A count with thousands separated: `56,536`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A run of ports as people write it: `9000–9099`, or `9000` alone.
pub fn span(first: u16, last: u16) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_runs_take_less_room_units_are_capped_and_a_long_band_takes_more_lines() {
        let pieces = [Piece::Run(Run::Free(1, 100)), Piece::Claim(0), Piece::Run(Run::Free(102, 102))];
        let s = slots(&pieces, 1000.0, 10.0, 20.0);
        assert_eq!(s.iter().map(|s| s.width).collect::<Vec<_>>(), [16.0, 20.0, 8.0]);
        assert_eq!((s[2].x, s[2].line), (36.0, 0));
        let fitted = slots(&pieces, 44.0, 5.0, 20.0);
        assert_eq!(fitted.iter().map(|s| s.width).sum::<f64>(), 44.0);
        // Sized to fill one line exactly, the sum of widths is a hair over the line.
        let exact: Vec<Piece> = (0..10).flat_map(|_| pieces).collect();
        assert!(slots(&exact, 1152.0, 1.0, 100.0).iter().all(|s| s.line == 0));
        let wrapped = slots(&pieces, 30.0, 15.0, 20.0);
        assert_eq!(wrapped.iter().map(|s| (s.x, s.line)).collect::<Vec<_>>(), [(0.0, 0), (12.0, 0), (0.0, 1)]);
    }

    #[test]
    fn items_flow_into_rows() {
        assert_eq!(flow([40.0, 40.0, 40.0, 200.0], 100.0, 10.0), [(0.0, 0), (50.0, 0), (0.0, 1), (0.0, 2)]);
    }

    #[test]
    fn long_text_wraps_at_spaces_and_is_shortened_with_an_ellipsis() {
        assert_eq!(wrap("TCP/80 on every node is claimed", 12), ["TCP/80 on", "every node", "is claimed"]);
        assert_eq!(wrap("unbreakable-name", 5), ["unbreakable-name"]);
        assert_eq!(shorten("kps-kube-prometheus-stack", 8), "kps-kub…");
        assert_eq!(shorten("plex", 8), "plex");
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(thousands(56536), "56,536");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(span(9000, 9099), "9000–9099");
        assert_eq!(span(80, 80), "80");
    }
}
