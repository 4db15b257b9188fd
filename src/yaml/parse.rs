//! The syntax tree: one YAML document read into nodes that know their exact byte spans, their
//! style (block or flow, plain or quoted) and their properties (anchor, tag). Nothing here
//! decides what a scalar means; `value` does that with Go's YAML 1.1 rules.
//!
//! The reader covers the YAML that Kubernetes manifests are written in, Helm 3 templates and
//! Helm 4's re-serialised output included (a single-quoted scalar may close at column 0, as
//! go-yaml v3 writes it). Explicit `?` keys, directives and collection keys are refused with an
//! error rather than guessed at.

use std::ops::Range;

/// How deep collections may nest before the reader gives up. Manifests nest a few dozen levels
/// (deep CRD schemas about forty); the limit keeps hostile input from overflowing the stack, even
/// with a debug build's large frames.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

type Result<T> = std::result::Result<T, SyntaxError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone)]
pub struct Node {
    /// From the first property (anchor or tag) to the end of the content.
    pub span: Range<usize>,
    /// Where the content starts, after any properties.
    pub content_start: usize,
    pub anchor: Option<String>,
    pub tag: Option<String>,
    pub kind: NodeKind,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A scalar; an absent value (`key:` with nothing after it) is an empty plain scalar.
    Scalar {
        style: Style,
        text: String,
    },
    Map(Map),
    Seq(Seq),
    Alias(String),
}

#[derive(Debug, Clone)]
pub struct Map {
    pub flow: bool,
    /// Column of the keys (block style only).
    pub indent: usize,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: Node,
    /// Offset just past the `:` (equal to the key's end for a lone flow key).
    pub colon_end: usize,
    pub value: Node,
}

#[derive(Debug, Clone)]
pub struct Seq {
    pub flow: bool,
    /// Column of the `-` indicators (block style only).
    pub indent: usize,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Item {
    /// Offset of the `-` indicator (block) or of the item itself (flow).
    pub start: usize,
    pub node: Node,
}

impl Node {
    fn scalar(
        span: Range<usize>,
        content_start: usize,
        anchor: Option<String>,
        tag: Option<String>,
        style: Style,
        text: String,
    ) -> Node {
        Node { span, content_start, anchor, tag, kind: NodeKind::Scalar { style, text } }
    }
}

/// A parsed document: the root node, or `None` when the text holds only comments.
pub fn parse_document(src: &str) -> Result<Option<Node>> {
    let mut p = Parser { b: src.as_bytes(), src, pos: 0, depth: 0 };
    p.skip_trivia()?;
    if p.at_document_end() {
        return Ok(None);
    }
    if p.peek() == Some(b'%') {
        return Err(p.error("YAML directives (%) are not supported inside a document"));
    }
    let root = p.block_node(-1, false)?;
    p.skip_trivia()?;
    if !p.at_document_end() {
        return Err(p.error("unexpected content after the document's root node"));
    }
    Ok(Some(root))
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

fn is_blank_or_end(c: Option<u8>) -> bool {
    matches!(c, None | Some(b' ' | b'\t' | b'\n' | b'\r'))
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Parser<'a> {
    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError { offset: self.pos, message: message.into() }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.b.get(self.pos + n).copied()
    }

    fn line_start(&self, pos: usize) -> usize {
        self.b[..pos].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1)
    }

    fn column(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    fn at_line_break(&self) -> bool {
        match self.peek() {
            Some(b'\n') => true,
            Some(b'\r') => self.peek_at(1) == Some(b'\n') || self.peek_at(1).is_none(),
            _ => false,
        }
    }

    fn skip_line_break(&mut self) -> bool {
        match self.peek() {
            Some(b'\n') => {
                self.pos += 1;
                true
            }
            Some(b'\r') if self.peek_at(1) == Some(b'\n') => {
                self.pos += 2;
                true
            }
            // A carriage return ending the text is a line break too (as `at_line_break` says).
            Some(b'\r') if self.peek_at(1).is_none() => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn skip_inline_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) {
        if self.peek() == Some(b'#') {
            while !matches!(self.peek(), None | Some(b'\n')) && !self.at_line_break() {
                self.pos += 1;
            }
        }
    }

    /// Skips spaces, comments and line breaks. Refuses a tab that indents content, as YAML does.
    fn skip_trivia(&mut self) -> Result<()> {
        loop {
            self.skip_inline_space();
            self.skip_comment();
            if self.skip_line_break() {
                while self.peek() == Some(b' ') {
                    self.pos += 1;
                }
                if self.peek() == Some(b'\t') {
                    let mut p = self.pos;
                    while matches!(self.b.get(p), Some(b' ' | b'\t')) {
                        p += 1;
                    }
                    if !matches!(self.b.get(p), None | Some(b'\n' | b'\r' | b'#')) {
                        self.pos = p;
                        return Err(self.error("a tab character indents this line; YAML allows only spaces"));
                    }
                }
                continue;
            }
            if self.peek() == Some(b'\r') && self.peek_at(1).is_none() {
                self.pos += 1;
                continue;
            }
            return Ok(());
        }
    }

    /// `...` at column 0 ends the document; so does the end of the text.
    fn at_document_end(&self) -> bool {
        self.pos >= self.b.len()
            || (self.column(self.pos) == 0
                && self.b[self.pos..].starts_with(b"...")
                && is_blank_or_end(self.b.get(self.pos + 3).copied()))
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("collections nest more than {MAX_DEPTH} levels deep")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn empty_node(&self, at: usize, anchor: Option<String>, tag: Option<String>, start: usize) -> Node {
        Node::scalar(start..at, at, anchor, tag, Style::Plain, String::new())
    }

    /// Reads `&anchor` and `!tag` in either order.
    fn properties(&mut self) -> Result<(Option<String>, Option<String>)> {
        let (mut anchor, mut tag) = (None, None);
        loop {
            match self.peek() {
                Some(b'&') if anchor.is_none() => {
                    self.pos += 1;
                    anchor = Some(self.anchor_name()?);
                }
                Some(b'!') if tag.is_none() => tag = Some(self.tag()?),
                _ => return Ok((anchor, tag)),
            }
            self.skip_inline_space();
        }
    }

    fn anchor_name(&mut self) -> Result<String> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_blank_or_end(Some(c)) || is_flow_indicator(c) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("an anchor or alias needs a name"));
        }
        Ok(self.src[start..self.pos].to_string())
    }

    fn tag(&mut self) -> Result<String> {
        let start = self.pos;
        if self.peek_at(1) == Some(b'<') {
            while self.peek().is_some_and(|c| c != b'>') {
                self.pos += 1;
            }
            if self.peek() != Some(b'>') {
                return Err(self.error("a verbatim tag is not closed with '>'"));
            }
            self.pos += 1;
        } else {
            while let Some(c) = self.peek() {
                if is_blank_or_end(Some(c)) || is_flow_indicator(c) {
                    break;
                }
                self.pos += 1;
            }
        }
        Ok(self.src[start..self.pos].to_string())
    }

    /// A node in block context. `parent_indent` is the indentation of the enclosing block
    /// collection (-1 at the root); `seq_at_parent` lets a block sequence sit at the parent's own
    /// indentation, as YAML allows for the value of a mapping key.
    fn block_node(&mut self, parent_indent: isize, seq_at_parent: bool) -> Result<Node> {
        let after_indicator = self.pos;
        self.skip_inline_space();
        let mut same_line = !matches!(self.peek(), None | Some(b'#')) && !self.at_line_break();
        if !same_line {
            self.skip_trivia()?;
            if !self.content_belongs_here(parent_indent, seq_at_parent) {
                self.pos = after_indicator;
                return Ok(self.empty_node(after_indicator, None, None, after_indicator));
            }
        }
        let props_start = self.pos;
        let props_line = self.line_start(self.pos);
        let (anchor, tag) = self.properties()?;
        if anchor.is_some() || tag.is_some() {
            let after_props = self.pos;
            self.skip_inline_space();
            if matches!(self.peek(), None | Some(b'#')) || self.at_line_break() {
                self.skip_trivia()?;
                if !self.content_belongs_here(parent_indent, seq_at_parent) {
                    self.pos = after_props;
                    return Ok(self.empty_node(after_props, anchor, tag, props_start));
                }
                same_line = false;
            } else if self.implicit_key_ahead() {
                // `&a key: v` puts the anchor on the key, not on the mapping.
                self.pos = props_start;
                let col = self.column(self.pos);
                return self.block_map(col, props_start, None, None);
            }
        }
        let start = self.pos;
        let col = self.column(start);
        let on_own_line = self.line_start(start) != props_line || !same_line;
        let c = self.peek();
        let mut node = match c {
            Some(b'-') if is_blank_or_end(self.peek_at(1)) => {
                if same_line && !on_own_line && seq_at_parent {
                    return Err(self.error("a block sequence cannot start on the same line as its key"));
                }
                self.block_seq(col, props_start, anchor, tag)?
            }
            Some(b'|' | b'>') => {
                let node = self.block_scalar(parent_indent, props_start, anchor, tag)?;
                return Ok(node);
            }
            Some(b'?') if is_blank_or_end(self.peek_at(1)) => {
                return Err(self.error("explicit mapping keys ('? ') are not supported"));
            }
            _ if self.implicit_key_ahead() => {
                if same_line && !on_own_line && seq_at_parent && parent_indent >= 0 {
                    return Err(self.error("mapping values are not allowed on the same line as their parent key"));
                }
                return self.block_map(col, props_start, anchor, tag);
            }
            Some(b'*') => {
                self.pos += 1;
                let name = self.anchor_name()?;
                if anchor.is_some() || tag.is_some() {
                    return Err(self.error("an alias cannot have an anchor or a tag"));
                }
                Node {
                    span: start..self.pos,
                    content_start: start,
                    anchor: None,
                    tag: None,
                    kind: NodeKind::Alias(name),
                }
            }
            Some(b'[' | b'{') => self.flow_collection(props_start, anchor, tag)?,
            Some(b'"') => self.quoted(props_start, anchor, tag, Style::DoubleQuoted)?,
            Some(b'\'') => self.quoted(props_start, anchor, tag, Style::SingleQuoted)?,
            _ => self.plain_block(parent_indent, props_start, anchor, tag)?,
        };
        node.span.start = props_start;
        Ok(node)
    }

    /// After trivia: does the content at `pos` belong to a node whose parent is indented at
    /// `parent_indent`?
    fn content_belongs_here(&self, parent_indent: isize, seq_at_parent: bool) -> bool {
        if self.at_document_end() {
            return false;
        }
        let col = self.column(self.pos) as isize;
        col > parent_indent || (seq_at_parent && col == parent_indent && self.at_sequence_entry())
    }

    /// Looks ahead on this line: does a key (plain, quoted or alias) end in `: ` here?
    fn implicit_key_ahead(&self) -> bool {
        let mut p = self.pos;
        let b = self.b;
        match b.get(p) {
            Some(b'"') => {
                p += 1;
                while p < b.len() && b[p] != b'"' && b[p] != b'\n' {
                    p += if b[p] == b'\\' { 2 } else { 1 };
                }
                if b.get(p) != Some(&b'"') {
                    return false;
                }
                p += 1;
            }
            Some(b'\'') => {
                p += 1;
                loop {
                    match b.get(p) {
                        Some(b'\'') if b.get(p + 1) == Some(&b'\'') => p += 2,
                        Some(b'\'') => break,
                        None | Some(b'\n') => return false,
                        _ => p += 1,
                    }
                }
                p += 1;
            }
            Some(b'[' | b'{' | b'|' | b'>' | b'#') | None => return false,
            Some(b'-' | b'?') if is_blank_or_end(b.get(p + 1).copied()) => return false,
            _ => {
                while p < b.len() && b[p] != b'\n' && b[p] != b'\r' {
                    if b[p] == b':' && is_blank_or_end(b.get(p + 1).copied()) {
                        return true;
                    }
                    if b[p] == b'#' && p > 0 && matches!(b[p - 1], b' ' | b'\t') {
                        return false;
                    }
                    p += 1;
                }
                return false;
            }
        }
        while matches!(b.get(p), Some(b' ' | b'\t')) {
            p += 1;
        }
        b.get(p) == Some(&b':') && is_blank_or_end(b.get(p + 1).copied())
    }

    fn block_map(&mut self, indent: usize, start: usize, anchor: Option<String>, tag: Option<String>) -> Result<Node> {
        self.enter()?;
        let mut entries = Vec::new();
        let mut end;
        loop {
            let key = self.block_key()?;
            self.skip_inline_space();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after a mapping key"));
            }
            self.pos += 1;
            let colon_end = self.pos;
            let value = self.block_node(indent as isize, true)?;
            end = value.span.end.max(colon_end);
            entries.push(Entry { key, colon_end, value });
            let Some(before) = self.next_entry_at(indent, "mapping's keys")? else { break };
            if self.at_sequence_entry() {
                self.pos = before;
                break;
            }
            if self.line_start(self.pos) == self.line_start(end) {
                return Err(self.error("expected a new line before the next mapping key"));
            }
        }
        Ok(self.finish_block(start, end, anchor, tag, NodeKind::Map(Map { flow: false, indent, entries })))
    }

    /// A `- ` (or a `-` ending its line) starts a block sequence entry here.
    fn at_sequence_entry(&self) -> bool {
        self.peek() == Some(b'-') && is_blank_or_end(self.peek_at(1))
    }

    /// Closes a block collection that spans `start..end`.
    fn finish_block(
        &mut self,
        start: usize,
        end: usize,
        anchor: Option<String>,
        tag: Option<String>,
        kind: NodeKind,
    ) -> Node {
        self.leave();
        self.pos = self.pos.max(end);
        Node { span: start..end, content_start: start, anchor, tag, kind }
    }

    /// After an entry of a block collection whose entries sit at column `indent`: moves to the
    /// next line at that column and returns where it was, or stays where the collection ends.
    fn next_entry_at(&mut self, indent: usize, entries: &str) -> Result<Option<usize>> {
        let before = self.pos;
        self.skip_trivia()?;
        if self.at_document_end() || self.column(self.pos) < indent {
            self.pos = before;
            return Ok(None);
        }
        let col = self.column(self.pos);
        if col > indent {
            return Err(self.error(format!(
                "bad indentation: this line is at column {} but the {entries} are at column {}",
                col + 1,
                indent + 1
            )));
        }
        Ok(Some(before))
    }

    fn block_key(&mut self) -> Result<Node> {
        let start = self.pos;
        let (anchor, tag) = self.properties()?;
        let content_start = self.pos;
        let mut node = match self.peek() {
            Some(b'"') => self.quoted(start, anchor, tag, Style::DoubleQuoted)?,
            Some(b'\'') => self.quoted(start, anchor, tag, Style::SingleQuoted)?,
            Some(b'*') => {
                self.pos += 1;
                let name = self.anchor_name()?;
                Node { span: start..self.pos, content_start, anchor, tag, kind: NodeKind::Alias(name) }
            }
            Some(b'[' | b'{' | b'?') => return Err(self.error("collection and explicit keys are not supported")),
            _ => {
                let s = self.pos;
                while self.pos < self.b.len() && !self.at_line_break() {
                    let c = self.b[self.pos];
                    if c == b':' && is_blank_or_end(self.peek_at(1)) {
                        break;
                    }
                    self.pos += 1;
                }
                let text = self.src[s..self.pos].trim_end_matches([' ', '\t']);
                self.pos = s + text.len();
                if text.is_empty() {
                    return Err(self.error("expected a mapping key"));
                }
                Node {
                    span: start..self.pos,
                    content_start,
                    anchor,
                    tag,
                    kind: NodeKind::Scalar { style: Style::Plain, text: text.to_string() },
                }
            }
        };
        node.span.start = start;
        Ok(node)
    }

    fn block_seq(&mut self, indent: usize, start: usize, anchor: Option<String>, tag: Option<String>) -> Result<Node> {
        self.enter()?;
        let mut items = Vec::new();
        let mut end;
        loop {
            let dash = self.pos;
            self.pos += 1;
            let node = self.block_node(indent as isize, false)?;
            end = node.span.end.max(dash + 1);
            items.push(Item { start: dash, node });
            let Some(before) = self.next_entry_at(indent, "sequence's items")? else { break };
            if !(self.at_sequence_entry()) {
                self.pos = before;
                break;
            }
        }
        Ok(self.finish_block(start, end, anchor, tag, NodeKind::Seq(Seq { flow: false, indent, items })))
    }

    /// A plain scalar in block context, possibly over several lines (folded with spaces).
    fn plain_block(
        &mut self,
        parent_indent: isize,
        start: usize,
        anchor: Option<String>,
        tag: Option<String>,
    ) -> Result<Node> {
        let content_start = self.pos;
        let c = self.peek().unwrap_or(b' ');
        if matches!(c, b'@' | b'`' | b'%') || (matches!(c, b']' | b'}' | b',')) {
            return Err(self.error(format!("a plain scalar cannot start with '{}'", c as char)));
        }
        let mut text = String::new();
        let mut end = self.pos;
        let mut pending_breaks = 0usize;
        loop {
            let seg_start = self.pos;
            while self.pos < self.b.len() && !self.at_line_break() {
                let c = self.b[self.pos];
                if c == b':' && is_blank_or_end(self.peek_at(1)) {
                    return Err(self.error("mapping values are not allowed here (a plain scalar contains ': ')"));
                }
                if c == b'#' && self.pos > seg_start && matches!(self.b[self.pos - 1], b' ' | b'\t') {
                    break;
                }
                self.pos += 1;
            }
            let seg = self.src[seg_start..self.pos].trim_end_matches([' ', '\t']);
            if !seg.is_empty() {
                append_folded(&mut text, seg, pending_breaks + 1);
                end = seg_start + seg.len();
            }
            if self.peek() == Some(b'#') {
                break;
            }
            // Look at the next lines: a continuation is indented deeper than the parent.
            let save = self.pos;
            let mut breaks = 0usize;
            let mut p = self.pos;
            loop {
                if p < self.b.len() && self.b[p] == b'\r' {
                    p += 1;
                }
                if p >= self.b.len() || self.b[p] != b'\n' {
                    break;
                }
                p += 1;
                breaks += 1;
                let line = p;
                while matches!(self.b.get(p), Some(b' ' | b'\t')) {
                    p += 1;
                }
                if matches!(self.b.get(p), Some(b'\n' | b'\r')) {
                    continue;
                }
                let col = (p - line) as isize;
                let next = self.b.get(p).copied();
                let doc_marker = col == 0
                    && (self.b[p..].starts_with(b"---") || self.b[p..].starts_with(b"..."))
                    && is_blank_or_end(self.b.get(p + 3).copied());
                if next.is_none() || next == Some(b'#') || col <= parent_indent || doc_marker {
                    break;
                }
                self.pos = p;
                pending_breaks = breaks - 1;
                break;
            }
            if self.pos == save {
                break;
            }
        }
        self.pos = end;
        Ok(Node::scalar(start..end, content_start, anchor, tag, Style::Plain, text))
    }

    fn flow_collection(&mut self, start: usize, anchor: Option<String>, tag: Option<String>) -> Result<Node> {
        self.enter()?;
        let content_start = self.pos;
        let is_map = self.peek() == Some(b'{');
        let close = if is_map { b'}' } else { b']' };
        self.pos += 1;
        let mut entries = Vec::new();
        let mut items = Vec::new();
        loop {
            self.skip_flow_trivia()?;
            match self.peek() {
                None => return Err(self.unclosed(content_start, close)),
                Some(c) if c == close => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            let item_start = self.pos;
            let first = self.flow_node()?;
            self.skip_flow_trivia()?;
            let is_pair = self.peek() == Some(b':');
            if is_map || is_pair {
                let (colon_end, value) = if is_pair {
                    self.pos += 1;
                    let colon_end = self.pos;
                    self.skip_flow_trivia()?;
                    let value = if matches!(self.peek(), Some(b',' | b'}' | b']')) {
                        self.empty_node(colon_end, None, None, colon_end)
                    } else {
                        self.flow_node()?
                    };
                    (colon_end, value)
                } else {
                    let end = first.span.end;
                    (end, self.empty_node(end, None, None, end))
                };
                let entry = Entry { key: first, colon_end, value };
                if is_map {
                    entries.push(entry);
                } else {
                    // A single pair inside a flow sequence is a one-entry mapping.
                    let span = item_start..entry.value.span.end.max(entry.colon_end);
                    let node = Node {
                        span: span.clone(),
                        content_start: item_start,
                        anchor: None,
                        tag: None,
                        kind: NodeKind::Map(Map { flow: true, indent: 0, entries: vec![entry] }),
                    };
                    items.push(Item { start: item_start, node });
                }
            } else {
                items.push(Item { start: item_start, node: first });
            }
            self.skip_flow_trivia()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {}
                None => return Err(self.unclosed(content_start, close)),
                Some(c) => {
                    return Err(self.error(format!(
                        "expected ',' or '{}' in a flow collection, found '{}'",
                        close as char, c as char
                    )))
                }
            }
        }
        self.leave();
        let kind = if is_map {
            NodeKind::Map(Map { flow: true, indent: 0, entries })
        } else {
            NodeKind::Seq(Seq { flow: true, indent: 0, items })
        };
        Ok(Node { span: start..self.pos, content_start, anchor, tag, kind })
    }

    fn unclosed(&self, open: usize, close: u8) -> SyntaxError {
        SyntaxError { offset: open, message: format!("this flow collection is never closed with '{}'", close as char) }
    }

    fn skip_flow_trivia(&mut self) -> Result<()> {
        loop {
            self.skip_inline_space();
            self.skip_comment();
            if !self.skip_line_break() {
                return Ok(());
            }
            if self.at_document_end() && self.pos < self.b.len() {
                return Err(self.error("the document ends inside a flow collection"));
            }
        }
    }

    fn flow_node(&mut self) -> Result<Node> {
        let start = self.pos;
        let (anchor, tag) = self.properties()?;
        if anchor.is_some() || tag.is_some() {
            self.skip_flow_trivia()?;
        }
        let content_start = self.pos;
        let mut node = match self.peek() {
            Some(b'[' | b'{') => self.flow_collection(start, anchor, tag)?,
            Some(b'"') => self.quoted(start, anchor, tag, Style::DoubleQuoted)?,
            Some(b'\'') => self.quoted(start, anchor, tag, Style::SingleQuoted)?,
            Some(b'*') => {
                self.pos += 1;
                let name = self.anchor_name()?;
                Node { span: start..self.pos, content_start, anchor, tag, kind: NodeKind::Alias(name) }
            }
            Some(b',' | b']' | b'}' | b':') | None => {
                if self.peek() == Some(b':')
                    && !is_blank_or_end(self.peek_at(1))
                    && !matches!(self.peek_at(1), Some(b',' | b']' | b'}'))
                {
                    self.plain_flow(start, anchor, tag)?
                } else {
                    self.empty_node(self.pos, anchor, tag, start)
                }
            }
            Some(b'?') if is_blank_or_end(self.peek_at(1)) => {
                return Err(self.error("explicit mapping keys ('? ') are not supported"));
            }
            _ => self.plain_flow(start, anchor, tag)?,
        };
        node.span.start = start;
        Ok(node)
    }

    fn plain_flow(&mut self, start: usize, anchor: Option<String>, tag: Option<String>) -> Result<Node> {
        let content_start = self.pos;
        let mut text = String::new();
        let mut end = self.pos;
        let mut breaks = 0usize;
        loop {
            let seg_start = self.pos;
            while self.pos < self.b.len() && !self.at_line_break() {
                let c = self.b[self.pos];
                if is_flow_indicator(c) {
                    break;
                }
                if c == b':' && (is_blank_or_end(self.peek_at(1)) || self.peek_at(1).is_some_and(is_flow_indicator)) {
                    break;
                }
                if c == b'#' && self.pos > seg_start && matches!(self.b[self.pos - 1], b' ' | b'\t') {
                    break;
                }
                self.pos += 1;
            }
            let seg = self.src[seg_start..self.pos].trim_matches([' ', '\t']);
            if !seg.is_empty() {
                append_folded(&mut text, seg, breaks);
                end = seg_start
                    + (self.src[seg_start..self.pos].len()
                        - self.src[seg_start..self.pos].trim_start_matches([' ', '\t']).len())
                    + seg.len();
                breaks = 0;
            }
            if !self.at_line_break() {
                break;
            }
            self.skip_line_break();
            breaks += 1;
            self.skip_inline_space();
            if self.at_document_end() {
                break;
            }
        }
        self.pos = end;
        Ok(Node::scalar(start..end, content_start, anchor, tag, Style::Plain, text))
    }

    /// Folds the line break at `pos` and the blank lines after it, as quoted scalars do:
    /// one break becomes a space, each further (empty) line a newline.
    fn fold_quoted_break(&mut self, out: &mut String) {
        while out.ends_with([' ', '\t']) {
            out.pop();
        }
        self.skip_line_break();
        let mut empty_lines = 0;
        loop {
            self.skip_inline_space();
            if self.skip_line_break() {
                empty_lines += 1;
            } else {
                break;
            }
        }
        if empty_lines == 0 {
            out.push(' ');
        }
        for _ in 0..empty_lines {
            out.push('\n');
        }
    }

    /// A single- or double-quoted scalar: line breaks fold alike; only double quotes escape.
    fn quoted(&mut self, start: usize, anchor: Option<String>, tag: Option<String>, style: Style) -> Result<Node> {
        let content_start = self.pos;
        let quote = self.b[self.pos];
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => {
                    self.pos = content_start;
                    let which = if quote == b'"' { "double" } else { "single" };
                    return Err(self.error(format!("a {which}-quoted scalar is not closed")));
                }
                Some(b'\'') if quote == b'\'' && self.peek_at(1) == Some(b'\'') => {
                    text.push('\'');
                    self.pos += 2;
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') if quote == b'"' => {
                    self.pos += 1;
                    if self.at_line_break() {
                        // An escaped line break joins the lines without a space.
                        self.skip_line_break();
                        self.skip_inline_space();
                        continue;
                    }
                    self.escape(&mut text)?;
                }
                _ if self.at_line_break() => self.fold_quoted_break(&mut text),
                _ => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or(' ');
                    text.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        Ok(Node::scalar(start..self.pos, content_start, anchor, tag, style, text))
    }

    fn escape(&mut self, out: &mut String) -> Result<()> {
        let c = self.peek().ok_or_else(|| self.error("a double-quoted scalar ends in an escape"))?;
        self.pos += 1;
        let simple = match c {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' | b'\t' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' | b'u' | b'U' => {
                let len = match c {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = self
                    .src
                    .get(self.pos..self.pos + len)
                    .ok_or_else(|| self.error("a hexadecimal escape is cut short"))?;
                let code = u32::from_str_radix(hex, 16)
                    .map_err(|_| self.error(format!("'\\{}{hex}' is not a valid escape", c as char)))?;
                let ch = char::from_u32(code)
                    .ok_or_else(|| self.error(format!("'\\{}{hex}' is not a valid character", c as char)))?;
                self.pos += len;
                ch
            }
            _ => {
                self.pos -= 1;
                return Err(self.error(format!("'\\{}' is not a valid escape in a double-quoted scalar", c as char)));
            }
        };
        out.push(simple);
        Ok(())
    }

    /// `|` and `>` scalars. Content lines are those indented deeper than the parent.
    fn block_scalar(
        &mut self,
        parent_indent: isize,
        start: usize,
        anchor: Option<String>,
        tag: Option<String>,
    ) -> Result<Node> {
        let content_start = self.pos;
        let folded = self.peek() == Some(b'>');
        self.pos += 1;
        let mut chomp = 0i8; // -1 strip, 0 clip, 1 keep
        let mut explicit: Option<usize> = None;
        for _ in 0..2 {
            match self.peek() {
                Some(b'-') => {
                    chomp = -1;
                    self.pos += 1;
                }
                Some(b'+') => {
                    chomp = 1;
                    self.pos += 1;
                }
                Some(d @ b'1'..=b'9') => {
                    explicit = Some((d - b'0') as usize);
                    self.pos += 1;
                }
                _ => {}
            }
        }
        self.skip_inline_space();
        if self.peek() == Some(b'#') && matches!(self.b.get(self.pos.wrapping_sub(1)), Some(b' ' | b'\t')) {
            self.skip_comment();
        }
        if !self.at_line_break() && self.pos < self.b.len() {
            return Err(self.error("unexpected text after a block scalar indicator"));
        }
        let base = parent_indent.max(0) as usize;
        let mut indent = explicit.map(|d| if parent_indent < 0 { d } else { base + d });
        let mut lines: Vec<&str> = Vec::new();
        let mut end = self.pos;
        let mut p = self.pos;
        loop {
            // p is at a line break (or the end).
            let mut q = p;
            if q < self.b.len() && self.b[q] == b'\r' {
                q += 1;
            }
            if q >= self.b.len() || self.b[q] != b'\n' {
                break;
            }
            q += 1;
            if q >= self.b.len() {
                break;
            }
            let line_start = q;
            let mut line_end = q;
            while line_end < self.b.len() && self.b[line_end] != b'\n' {
                line_end += 1;
            }
            let mut line = &self.src[line_start..line_end];
            if line.ends_with('\r') {
                line = &line[..line.len() - 1];
            }
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let blank = line.trim_start_matches(' ').is_empty();
            let doc_marker = (line.starts_with("---") || line.starts_with("..."))
                && is_blank_or_end(line.as_bytes().get(3).copied());
            if doc_marker {
                break;
            }
            if !blank {
                let need = indent.unwrap_or((parent_indent + 1).max(0) as usize);
                if spaces < need || (indent.is_none() && (spaces as isize) <= parent_indent) {
                    break;
                }
                if indent.is_none() {
                    indent = Some(spaces);
                }
                end = line_start + line.len();
            }
            lines.push(line);
            p = line_end;
        }
        // Trailing blank lines belong to the scalar only through chomping.
        let indent = indent.unwrap_or(0);
        let mut content: Vec<&str> = lines.iter().map(|l| if l.len() >= indent { &l[indent..] } else { "" }).collect();
        let mut trailing = 0usize;
        while content.last().is_some_and(|l| l.is_empty()) {
            content.pop();
            trailing += 1;
        }
        let mut text = if folded { fold_block_lines(&content) } else { content.join("\n") };
        if !content.is_empty() {
            match chomp {
                -1 => {}
                0 => text.push('\n'),
                _ => {
                    text.push('\n');
                    for _ in 0..trailing {
                        text.push('\n');
                    }
                }
            }
        } else if chomp == 1 {
            for _ in 0..trailing {
                text.push('\n');
            }
        }
        self.pos = end;
        let style = if folded { Style::Folded } else { Style::Literal };
        Ok(Node::scalar(start..end, content_start, anchor, tag, style, text))
    }
}

/// Joins one line of a multi-line plain scalar to the text before it: after one line break a
/// space, after more (empty lines between) a newline for each empty line.
fn append_folded(text: &mut String, segment: &str, line_breaks: usize) {
    if !text.is_empty() {
        if line_breaks <= 1 {
            text.push(' ');
        }
        for _ in 1..line_breaks {
            text.push('\n');
        }
    }
    text.push_str(segment);
}

/// Folding for `>` scalars: a break between two normal lines becomes a space, empty lines become
/// newlines, and lines indented further keep their breaks.
fn fold_block_lines(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut prev_normal = false;
    let mut pending_empty = 0usize;
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            pending_empty += 1;
            continue;
        }
        let more_indented = line.starts_with([' ', '\t']);
        if i > 0 {
            if prev_normal && !more_indented && pending_empty == 0 {
                out.push(' ');
            } else if prev_normal && !more_indented {
                for _ in 0..pending_empty {
                    out.push('\n');
                }
            } else {
                for _ in 0..=pending_empty {
                    out.push('\n');
                }
            }
        } else {
            for _ in 0..pending_empty {
                out.push('\n');
            }
        }
        pending_empty = 0;
        out.push_str(line);
        prev_normal = !more_indented;
    }
    out
}
