//! Events to tree: the first document of a text, composed from go-yaml's events as decode.go's
//! `parser` composes its node tree (the first document only, as `yaml.Unmarshal` reads it; an
//! alias names the anchor defined last before it, and an unknown one stops the read), with the
//! byte spans the editor needs. Iterative, so Go's own nesting limit (10,000) is what bounds it.

use super::events::{Event, EventKind, Parser, ScalarStyle};
use super::tree::{Entry, Item, Map, Node, NodeKind, Seq, Style};
use super::YamlError;
use std::collections::HashSet;

/// The first document of `text` as a tree, or `None` when it holds no node (empty, comments).
pub fn document(text: &[u8]) -> Result<Option<Node>, YamlError> {
    let mut parser = Parser::new(text);
    let syntax = |e: super::events::Error| YamlError {
        offset: e.offset(),
        context: (!e.context.is_empty()).then(|| (e.context.clone(), e.context_mark.offset)),
        message: e.problem,
    };
    parser.next_event().map_err(syntax)?; // StreamStart
    let first = parser.next_event().map_err(syntax)?;
    if !matches!(first.kind, EventKind::DocumentStart { .. }) {
        return Ok(None);
    }
    let mut composer = Composer { stack: Vec::new(), anchors: HashSet::new() };
    loop {
        let event = parser.next_event().map_err(syntax)?;
        if let Some(root) = composer.event(event)? {
            // decode.go reads the document's end too: a problem there fails the read.
            parser.next_event().map_err(syntax)?;
            return Ok(Some(root));
        }
    }
}

/// A collection being composed, and where it stands in its parent.
struct Open {
    node: Node,
    /// The `:` or `-` in front of the collection, from its first event.
    indicator: Option<usize>,
    /// A mapping's key, waiting for its value.
    key: Option<(Node, Option<usize>)>,
}

struct Composer {
    stack: Vec<Open>,
    /// Anchors defined so far: an alias to any other is an error where Go finds it.
    anchors: HashSet<String>,
}

impl Composer {
    /// Takes one event; returns the root once it is complete.
    fn event(&mut self, event: Event) -> Result<Option<Node>, YamlError> {
        let start = event.start.offset;
        let content_start = event.content_start.offset;
        let indicator = event.indicator;
        let (node, opened) = match event.kind {
            EventKind::Scalar { anchor, tag, value, style, .. } => {
                self.define(&anchor);
                let kind = NodeKind::Scalar { style: style_of(style), text: value };
                (Node { span: start..event.end.offset, content_start, anchor, tag, kind }, false)
            }
            EventKind::Alias { anchor } => {
                if !self.anchors.contains(&anchor) {
                    return Err(YamlError {
                        offset: start,
                        message: format!("unknown anchor '{anchor}' referenced"),
                        context: None,
                    });
                }
                let span = start..event.end.offset;
                (Node { span, content_start, anchor: None, tag: None, kind: NodeKind::Alias(anchor) }, false)
            }
            EventKind::MappingStart { anchor, tag, flow, .. } => {
                self.define(&anchor);
                let kind = NodeKind::Map(Map { flow, indent: event.content_start.column, entries: Vec::new() });
                (Node { span: start..start, content_start, anchor, tag, kind }, true)
            }
            EventKind::SequenceStart { anchor, tag, flow, .. } => {
                self.define(&anchor);
                let kind = NodeKind::Seq(Seq { flow, indent: event.content_start.column, items: Vec::new() });
                (Node { span: start..start, content_start, anchor, tag, kind }, true)
            }
            EventKind::MappingEnd | EventKind::SequenceEnd => {
                let Some(open) = self.stack.pop() else {
                    return Err(internal(start));
                };
                let mut node = open.node;
                node.span.end = collection_end(&node, event.end.offset);
                return Ok(self.attach(node, open.indicator));
            }
            _ => return Err(internal(start)),
        };
        if opened {
            self.stack.push(Open { node, indicator, key: None });
            return Ok(None);
        }
        Ok(self.attach(node, indicator))
    }

    /// Go registers an anchor when its node starts, before the node's own content.
    fn define(&mut self, anchor: &Option<String>) {
        if let Some(a) = anchor {
            self.anchors.insert(a.clone());
        }
    }

    /// Puts a finished node into the collection being composed; the root comes back.
    fn attach(&mut self, node: Node, indicator: Option<usize>) -> Option<Node> {
        let Some(parent) = self.stack.last_mut() else { return Some(node) };
        match &mut parent.node.kind {
            NodeKind::Map(m) => match parent.key.take() {
                None => parent.key = Some((node, indicator)),
                Some((key, _)) => {
                    let colon_end = indicator.unwrap_or(key.span.end);
                    m.entries.push(Entry { key, colon_end, value: node });
                }
            },
            NodeKind::Seq(s) => {
                let start = if s.flow { node.span.start } else { indicator.unwrap_or(node.span.start) };
                s.items.push(Item { start, node });
            }
            _ => unreachable!("only collections are opened"),
        }
        None
    }
}

/// A flow collection ends at its closing bracket; a block one with its last entry (Go marks its
/// end where the next token starts, past comments and blank lines).
fn collection_end(node: &Node, end_event: usize) -> usize {
    match &node.kind {
        NodeKind::Map(m) if !m.flow => {
            m.entries.last().map_or(node.span.start, |e| e.value.span.end.max(e.colon_end).max(e.key.span.end))
        }
        NodeKind::Seq(s) if !s.flow => s.items.last().map_or(node.span.start, |i| i.node.span.end.max(i.start + 1)),
        _ => end_event,
    }
}

fn style_of(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

fn internal(offset: usize) -> YamlError {
    YamlError { offset, message: "internal error: go-yaml's events do not make a tree".into(), context: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        document(text.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn spans_cover_what_the_editor_splices() {
        let text = "a: 1\nb:\n  - x\n  -  &y y\nc: {d: e, f}\n";
        let NodeKind::Map(m) = root(text).kind else { panic!() };
        assert_eq!(m.indent, 0);
        assert_eq!(&text[m.entries[0].key.span.clone()], "a");
        assert_eq!(&text[m.entries[0].colon_end..m.entries[0].colon_end + 2], " 1");
        let NodeKind::Seq(s) = &m.entries[1].value.kind else { panic!() };
        assert_eq!((s.indent, &text[s.items[1].start..s.items[1].node.span.end]), (2, "-  &y y"));
        assert_eq!(&text[m.entries[1].value.span.clone()], "- x\n  -  &y y");
        let NodeKind::Map(c) = &m.entries[2].value.kind else { panic!() };
        assert_eq!(&text[m.entries[2].value.span.clone()], "{d: e, f}");
        assert_eq!(c.entries[1].colon_end, c.entries[1].key.span.end);
    }

    #[test]
    fn reads_the_first_document_only_and_knows_its_anchors() {
        assert!(document(b"# nothing\n").unwrap().is_none());
        assert!(document(b"a: 1\n...\nnot: [read\n").unwrap().is_some());
        let e = document(b"a: *x\n").unwrap_err();
        assert_eq!(e.message, "unknown anchor 'x' referenced");
        assert!(document(b"a: &x 1\nb: *x\n").is_ok());
        assert_eq!(document(b"a: [1,,]\n").unwrap_err().message, "did not find expected node content");
    }
}
