//! The syntax tree of one document: nodes that know their exact byte spans in the text, their
//! style (block or flow, plain or quoted) and their properties (anchor, tag). `compose` builds it
//! from go-yaml's events; `value` reads its meaning; `edit` rewrites text through its spans.

use std::ops::Range;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

/// One node of the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// From the first property (anchor or tag) to the end of the content.
    pub span: Range<usize>,
    /// Where the content starts, after any properties.
    pub content_start: usize,
    /// The anchor (`&name`), without the `&`.
    pub anchor: Option<String>,
    /// The tag as Go's parser resolves it: `!!str` is `tag:yaml.org,2002:str`, `!x` stays `!x`.
    pub tag: Option<String>,
    /// Scalar, mapping, sequence or alias, with what it holds.
    pub kind: NodeKind,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A scalar; an absent value (`key:` with nothing after it) is an empty plain scalar.
    Scalar {
        /// How it was written.
        style: Style,
        /// Its value, escapes, folding and chomping applied.
        text: String,
    },
    /// A mapping.
    Map(Map),
    /// A sequence.
    Seq(Seq),
    /// An alias (`*name`), without the `*`.
    Alias(String),
}

/// A mapping: its entries in document order (duplicates kept; `value` decides who wins).
#[derive(Debug, Clone)]
pub struct Map {
    /// Written in flow style (`{...}`).
    pub flow: bool,
    /// Column of the keys (block style only).
    pub indent: usize,
    /// The entries, in document order.
    pub entries: Vec<Entry>,
}

/// One `key: value` entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key.
    pub key: Node,
    /// Offset just past the `:` (equal to the key's end for a lone flow key).
    pub colon_end: usize,
    /// The value (an empty plain scalar where none is written).
    pub value: Node,
}

/// A sequence.
#[derive(Debug, Clone)]
pub struct Seq {
    /// Written in flow style (`[...]`).
    pub flow: bool,
    /// Column of the `-` indicators (block style only).
    pub indent: usize,
    /// The items, in order.
    pub items: Vec<Item>,
}

/// One item of a sequence.
#[derive(Debug, Clone)]
pub struct Item {
    /// Offset of the `-` indicator (block) or of the item itself (flow).
    pub start: usize,
    /// The item.
    pub node: Node,
}
