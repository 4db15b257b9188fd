//! The event parser: go-yaml v2.4.0's parserc.go. A state machine (no recursion, so no depth
//! limit of its own: the scanner's limits bound it) over the scanner's tokens, producing the
//! events of `Event`, with Go's states, its tag directive handling and its error messages.
//!
//! The parser implements the following grammar:
//!
//! ```text
//! stream               ::= STREAM-START implicit_document? explicit_document* STREAM-END
//! implicit_document    ::= block_node DOCUMENT-END*
//! explicit_document    ::= DIRECTIVE* DOCUMENT-START block_node? DOCUMENT-END*
//! block_node_or_indentless_sequence    ::=
//!                          ALIAS
//!                          | properties (block_content | indentless_block_sequence)?
//!                          | block_content
//!                          | indentless_block_sequence
//! block_node           ::= ALIAS
//!                          | properties block_content?
//!                          | block_content
//! flow_node            ::= ALIAS
//!                          | properties flow_content?
//!                          | flow_content
//! properties           ::= TAG ANCHOR? | ANCHOR TAG?
//! block_content        ::= block_collection | flow_collection | SCALAR
//! flow_content         ::= flow_collection | SCALAR
//! block_collection     ::= block_sequence | block_mapping
//! flow_collection      ::= flow_sequence | flow_mapping
//! block_sequence       ::= BLOCK-SEQUENCE-START (BLOCK-ENTRY block_node?)* BLOCK-END
//! indentless_sequence  ::= (BLOCK-ENTRY block_node?)+
//! block_mapping        ::= BLOCK-MAPPING_START
//!                          ((KEY block_node_or_indentless_sequence?)?
//!                          (VALUE block_node_or_indentless_sequence?)?)*
//!                          BLOCK-END
//! flow_sequence        ::= FLOW-SEQUENCE-START
//!                          (flow_sequence_entry FLOW-ENTRY)*
//!                          flow_sequence_entry?
//!                          FLOW-SEQUENCE-END
//! flow_sequence_entry  ::= flow_node | KEY flow_node? (VALUE flow_node?)?
//! flow_mapping         ::= FLOW-MAPPING-START
//!                          (flow_mapping_entry FLOW-ENTRY)*
//!                          flow_mapping_entry?
//!                          FLOW-MAPPING-END
//! flow_mapping_entry   ::= flow_node | KEY flow_node? (VALUE flow_node?)?
//! ```

use super::scanner::{Token, TokenType};
use super::{Error, ErrorKind, Event, EventKind, Fallible, Mark, Parser, ScalarStyle};

/// `yaml_parser_state_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum State {
    /// Expect STREAM-START.
    #[default]
    StreamStart,
    /// Expect the beginning of an implicit document.
    ImplicitDocumentStart,
    /// Expect DOCUMENT-START.
    DocumentStart,
    /// Expect the content of a document.
    DocumentContent,
    /// Expect DOCUMENT-END.
    DocumentEnd,
    /// Expect a block node.
    BlockNode,
    /// Expect a block node or indentless sequence. [Go] Never entered, as in Go.
    #[allow(dead_code)]
    BlockNodeOrIndentlessSequence,
    /// Expect a flow node. [Go] Never entered, as in Go.
    #[allow(dead_code)]
    FlowNode,
    /// Expect the first entry of a block sequence.
    BlockSequenceFirstEntry,
    /// Expect an entry of a block sequence.
    BlockSequenceEntry,
    /// Expect an entry of an indentless sequence.
    IndentlessSequenceEntry,
    /// Expect the first key of a block mapping.
    BlockMappingFirstKey,
    /// Expect a block mapping key.
    BlockMappingKey,
    /// Expect a block mapping value.
    BlockMappingValue,
    /// Expect the first entry of a flow sequence.
    FlowSequenceFirstEntry,
    /// Expect an entry of a flow sequence.
    FlowSequenceEntry,
    /// Expect a key of an ordered mapping.
    FlowSequenceEntryMappingKey,
    /// Expect a value of an ordered mapping.
    FlowSequenceEntryMappingValue,
    /// Expect the and of an ordered mapping entry.
    FlowSequenceEntryMappingEnd,
    /// Expect the first key of a flow mapping.
    FlowMappingFirstKey,
    /// Expect a key of a flow mapping.
    FlowMappingKey,
    /// Expect a value of a flow mapping.
    FlowMappingValue,
    /// Expect an empty value of a flow mapping.
    FlowMappingEmptyValue,
    /// Expect nothing.
    End,
}

/// `yaml_tag_directive_t`.
#[derive(Debug, Clone)]
pub(super) struct TagDirective {
    handle: Vec<u8>,
    prefix: Vec<u8>,
}

/// What the parser reads of the head token without taking it (Go reads through a pointer).
#[derive(Debug, Clone, Copy)]
struct Head {
    typ: TokenType,
    start_mark: Mark,
    end_mark: Mark,
    style: ScalarStyle,
    major: i8,
    minor: i8,
}

/// `default_tag_directives`.
const DEFAULT_TAG_DIRECTIVES: [(&[u8], &[u8]); 2] = [(b"!", b"!"), (b"!!", b"tag:yaml.org,2002:")];

/// An event with `content_start` at its start and no indicator.
fn event(kind: EventKind, start: Mark, end: Mark) -> Event {
    Event { kind, start, end, content_start: start, indicator: None, tag_bytes: None }
}

/// A scanner string as a Rust string: anchors and values are UTF-8 by construction (the reader
/// checked the input, escapes encode valid code points), so this does not copy.
fn string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A node's tag: the string, and the bytes when they are not UTF-8 (URI escapes may make that).
fn tag_string(tag: Vec<u8>) -> (Option<String>, Option<Vec<u8>>) {
    if tag.is_empty() {
        return (None, None);
    }
    match String::from_utf8(tag) {
        Ok(tag) => (Some(tag), None),
        Err(e) => (Some(String::from_utf8_lossy(e.as_bytes()).into_owned()), Some(e.into_bytes())),
    }
}

/// Sets `indicator` on the first event of a node.
fn with_indicator(result: Fallible<Event>, indicator: Option<usize>) -> Fallible<Event> {
    result.map(|mut e| {
        e.indicator = indicator;
        e
    })
}

impl Parser<'_> {
    /// peek_token: the next token in the token queue.
    fn peek_token(&mut self) -> Fallible<Head> {
        if !self.token_available {
            self.fetch_more_tokens()?;
        }
        Ok(match self.tokens.front() {
            Some(t) => Head {
                typ: t.typ,
                start_mark: t.start_mark,
                end_mark: t.end_mark,
                style: t.style,
                major: t.major,
                minor: t.minor,
            },
            // [Go] A successful fetch leaves a token in the queue.
            None => Head {
                typ: TokenType::NoToken,
                start_mark: self.mark,
                end_mark: self.mark,
                style: ScalarStyle::Plain,
                major: 0,
                minor: 0,
            },
        })
    }

    /// The head token's byte strings (value, suffix, prefix), taken from its slot.
    fn take_token_strings(&mut self) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        match self.tokens.front_mut() {
            Some(t) => (std::mem::take(&mut t.value), std::mem::take(&mut t.suffix), std::mem::take(&mut t.prefix)),
            None => Default::default(),
        }
    }

    /// skip_token: remove the next token from the queue (must be called after peek_token).
    fn skip_token(&mut self) {
        self.token_available = false;
        self.tokens_parsed += 1;
        self.stream_end_produced = self.tokens.front().map(|t: &Token| t.typ) == Some(TokenType::StreamEnd);
        self.tokens.head += 1;
    }

    /// Pops the parser states stack into the current state.
    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    /// yaml_parser_parse: get the next event.
    pub(super) fn parse(&mut self) -> Fallible<Event> {
        // Generate the next event.
        self.state_machine()
    }

    /// yaml_parser_set_parser_error.
    fn set_parser_error(&self, problem: &str, problem_mark: Mark) -> Box<Error> {
        Box::new(Error {
            kind: ErrorKind::Parser,
            problem: problem.to_string(),
            problem_mark,
            context: String::new(),
            context_mark: Mark::default(),
            problem_offset: 0,
            problem_value: 0,
        })
    }

    /// yaml_parser_set_parser_error_context.
    fn set_parser_error_context(
        &self,
        context: &str,
        context_mark: Mark,
        problem: &str,
        problem_mark: Mark,
    ) -> Box<Error> {
        Box::new(Error {
            kind: ErrorKind::Parser,
            problem: problem.to_string(),
            problem_mark,
            context: context.to_string(),
            context_mark,
            problem_offset: 0,
            problem_value: 0,
        })
    }

    /// yaml_parser_state_machine: the state dispatcher.
    fn state_machine(&mut self) -> Fallible<Event> {
        match self.state {
            State::StreamStart => self.parse_stream_start(),
            State::ImplicitDocumentStart => self.parse_document_start(true),
            State::DocumentStart => self.parse_document_start(false),
            State::DocumentContent => self.parse_document_content(),
            State::DocumentEnd => self.parse_document_end(),
            State::BlockNode => self.parse_node(true, false),
            State::BlockNodeOrIndentlessSequence => self.parse_node(true, true),
            State::FlowNode => self.parse_node(false, false),
            State::BlockSequenceFirstEntry => self.parse_block_sequence_entry(true),
            State::BlockSequenceEntry => self.parse_block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.parse_indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.parse_block_mapping_key(true),
            State::BlockMappingKey => self.parse_block_mapping_key(false),
            State::BlockMappingValue => self.parse_block_mapping_value(),
            State::FlowSequenceFirstEntry => self.parse_flow_sequence_entry(true),
            State::FlowSequenceEntry => self.parse_flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => self.parse_flow_sequence_entry_mapping_key(),
            State::FlowSequenceEntryMappingValue => self.parse_flow_sequence_entry_mapping_value(),
            State::FlowSequenceEntryMappingEnd => self.parse_flow_sequence_entry_mapping_end(),
            State::FlowMappingFirstKey => self.parse_flow_mapping_key(true),
            State::FlowMappingKey => self.parse_flow_mapping_key(false),
            State::FlowMappingValue => self.parse_flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.parse_flow_mapping_value(true),
            // [Go] yaml_parser_parse returns no event in the end state; `Parser::next_event`
            // repeats the STREAM-END event instead and never gets here.
            State::End => Err(self.set_parser_error("no events after the end of the stream", self.mark)),
        }
    }

    /// yaml_parser_parse_stream_start.
    ///
    /// ```text
    /// stream   ::= STREAM-START implicit_document? explicit_document* STREAM-END
    ///              ************
    /// ```
    fn parse_stream_start(&mut self) -> Fallible<Event> {
        let token = self.peek_token()?;
        if token.typ != TokenType::StreamStart {
            return Err(self.set_parser_error("did not find expected <stream-start>", token.start_mark));
        }
        self.state = State::ImplicitDocumentStart;
        let e = event(EventKind::StreamStart, token.start_mark, token.end_mark);
        self.skip_token();
        Ok(e)
    }

    /// yaml_parser_parse_document_start.
    ///
    /// ```text
    /// implicit_document    ::= block_node DOCUMENT-END*
    ///                          *
    /// explicit_document    ::= DIRECTIVE* DOCUMENT-START block_node? DOCUMENT-END*
    ///                          *************************
    /// ```
    fn parse_document_start(&mut self, implicit: bool) -> Fallible<Event> {
        let mut token = self.peek_token()?;

        // Parse extra document end indicators.
        if !implicit {
            while token.typ == TokenType::DocumentEnd {
                self.skip_token();
                token = self.peek_token()?;
            }
        }

        if implicit
            && token.typ != TokenType::VersionDirective
            && token.typ != TokenType::TagDirective
            && token.typ != TokenType::DocumentStart
            && token.typ != TokenType::StreamEnd
        {
            // Parse an implicit document.
            self.process_directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;

            // [Go] v2.4.0 leaves the event's implicit flag false here; see EventKind::DocumentStart.
            Ok(event(EventKind::DocumentStart { implicit: true }, token.start_mark, token.end_mark))
        } else if token.typ != TokenType::StreamEnd {
            // Parse an explicit document.
            let start_mark = token.start_mark;
            self.process_directives()?;
            token = self.peek_token()?;
            if token.typ != TokenType::DocumentStart {
                return Err(self.set_parser_error("did not find expected <document start>", token.start_mark));
            }
            self.states.push(State::DocumentEnd);
            self.state = State::DocumentContent;
            let end_mark = token.end_mark;

            let e = event(EventKind::DocumentStart { implicit: false }, start_mark, end_mark);
            self.skip_token();
            Ok(e)
        } else {
            // Parse the stream end.
            self.state = State::End;
            let e = event(EventKind::StreamEnd, token.start_mark, token.end_mark);
            self.skip_token();
            Ok(e)
        }
    }

    /// yaml_parser_parse_document_content.
    ///
    /// ```text
    /// explicit_document    ::= DIRECTIVE* DOCUMENT-START block_node? DOCUMENT-END*
    ///                                                    ***********
    /// ```
    fn parse_document_content(&mut self) -> Fallible<Event> {
        let token = self.peek_token()?;
        if matches!(
            token.typ,
            TokenType::VersionDirective
                | TokenType::TagDirective
                | TokenType::DocumentStart
                | TokenType::DocumentEnd
                | TokenType::StreamEnd
        ) {
            self.pop_state();
            return Ok(self.process_empty_scalar(token.start_mark));
        }
        self.parse_node(true, false)
    }

    /// yaml_parser_parse_document_end.
    ///
    /// ```text
    /// implicit_document    ::= block_node DOCUMENT-END*
    ///                                     *************
    /// explicit_document    ::= DIRECTIVE* DOCUMENT-START block_node? DOCUMENT-END*
    ///                                                                *************
    /// ```
    fn parse_document_end(&mut self) -> Fallible<Event> {
        let token = self.peek_token()?;

        let start_mark = token.start_mark;
        let mut end_mark = token.start_mark;

        let mut implicit = true;
        if token.typ == TokenType::DocumentEnd {
            end_mark = token.end_mark;
            self.skip_token();
            implicit = false;
        }

        self.tag_directives.clear();

        self.state = State::DocumentStart;
        Ok(event(EventKind::DocumentEnd { implicit }, start_mark, end_mark))
    }

    /// yaml_parser_parse_node.
    ///
    /// ```text
    /// block_node_or_indentless_sequence    ::=
    ///                          ALIAS
    ///                          *****
    ///                          | properties (block_content | indentless_block_sequence)?
    ///                            **********  *
    ///                          | block_content | indentless_block_sequence
    ///                            *
    /// block_node           ::= ALIAS
    ///                          *****
    ///                          | properties block_content?
    ///                            ********** *
    ///                          | block_content
    ///                            *
    /// flow_node            ::= ALIAS
    ///                          *****
    ///                          | properties flow_content?
    ///                            ********** *
    ///                          | flow_content
    ///                            *
    /// properties           ::= TAG ANCHOR? | ANCHOR TAG?
    ///                          *************************
    /// block_content        ::= block_collection | flow_collection | SCALAR
    ///                                                               ******
    /// flow_content         ::= flow_collection | SCALAR
    ///                                            ******
    /// ```
    fn parse_node(&mut self, block: bool, indentless_sequence: bool) -> Fallible<Event> {
        let mut token = self.peek_token()?;

        if token.typ == TokenType::Alias {
            self.pop_state();
            let (anchor, _, _) = self.take_token_strings();
            let e = event(EventKind::Alias { anchor: string(anchor) }, token.start_mark, token.end_mark);
            self.skip_token();
            return Ok(e);
        }

        let mut start_mark = token.start_mark;
        let mut end_mark = token.start_mark;

        let mut tag_token = false;
        let mut tag_handle = Vec::new();
        let mut tag_suffix = Vec::new();
        let mut anchor: Option<Vec<u8>> = None;
        let mut tag_mark = Mark::default();
        if token.typ == TokenType::Anchor {
            anchor = Some(self.take_token_strings().0);
            start_mark = token.start_mark;
            end_mark = token.end_mark;
            self.skip_token();
            token = self.peek_token()?;
            if token.typ == TokenType::Tag {
                tag_token = true;
                (tag_handle, tag_suffix, _) = self.take_token_strings();
                tag_mark = token.start_mark;
                end_mark = token.end_mark;
                self.skip_token();
                token = self.peek_token()?;
            }
        } else if token.typ == TokenType::Tag {
            tag_token = true;
            (tag_handle, tag_suffix, _) = self.take_token_strings();
            start_mark = token.start_mark;
            tag_mark = token.start_mark;
            end_mark = token.end_mark;
            self.skip_token();
            token = self.peek_token()?;
            if token.typ == TokenType::Anchor {
                anchor = Some(self.take_token_strings().0);
                end_mark = token.end_mark;
                self.skip_token();
                token = self.peek_token()?;
            }
        }

        let mut tag = Vec::new();
        if tag_token {
            if tag_handle.is_empty() {
                tag = tag_suffix;
            } else {
                for directive in &self.tag_directives {
                    if directive.handle == tag_handle {
                        tag.extend_from_slice(&directive.prefix);
                        tag.extend_from_slice(&tag_suffix);
                        break;
                    }
                }
                if tag.is_empty() {
                    return Err(self.set_parser_error_context(
                        "while parsing a node",
                        start_mark,
                        "found undefined tag handle",
                        tag_mark,
                    ));
                }
            }
        }

        let implicit = tag.is_empty();
        let has_anchor = anchor.is_some();
        let has_tag = !tag.is_empty();
        let anchor = anchor.map(string);
        let (tag, tag_bytes) = tag_string(tag);
        let node = |kind: EventKind, end_mark: Mark, content_start: Mark| Event {
            kind,
            start: start_mark,
            end: end_mark,
            content_start,
            indicator: None,
            tag_bytes,
        };

        if indentless_sequence && token.typ == TokenType::BlockEntry {
            end_mark = token.end_mark;
            self.state = State::IndentlessSequenceEntry;
            let kind = EventKind::SequenceStart { anchor, tag, implicit, flow: false };
            return Ok(node(kind, end_mark, token.start_mark));
        }
        if token.typ == TokenType::Scalar {
            let mut plain_implicit = false;
            let mut quoted_implicit = false;
            end_mark = token.end_mark;
            if (!has_tag && token.style == ScalarStyle::Plain) || tag.as_deref() == Some("!") {
                plain_implicit = true;
            } else if !has_tag {
                quoted_implicit = true;
            }
            self.pop_state();

            let (value, _, _) = self.take_token_strings();
            let kind = EventKind::Scalar {
                anchor,
                tag,
                value: string(value),
                plain_implicit,
                quoted_implicit,
                style: token.style,
            };
            let e = node(kind, end_mark, token.start_mark);
            self.skip_token();
            return Ok(e);
        }
        if token.typ == TokenType::FlowSequenceStart {
            // [Go] Some of the events below can be merged as they differ only on style.
            end_mark = token.end_mark;
            self.state = State::FlowSequenceFirstEntry;
            let kind = EventKind::SequenceStart { anchor, tag, implicit, flow: true };
            return Ok(node(kind, end_mark, token.start_mark));
        }
        if token.typ == TokenType::FlowMappingStart {
            end_mark = token.end_mark;
            self.state = State::FlowMappingFirstKey;
            let kind = EventKind::MappingStart { anchor, tag, implicit, flow: true };
            return Ok(node(kind, end_mark, token.start_mark));
        }
        if block && token.typ == TokenType::BlockSequenceStart {
            end_mark = token.end_mark;
            self.state = State::BlockSequenceFirstEntry;
            let kind = EventKind::SequenceStart { anchor, tag, implicit, flow: false };
            return Ok(node(kind, end_mark, token.start_mark));
        }
        if block && token.typ == TokenType::BlockMappingStart {
            end_mark = token.end_mark;
            self.state = State::BlockMappingFirstKey;
            let kind = EventKind::MappingStart { anchor, tag, implicit, flow: false };
            return Ok(node(kind, end_mark, token.start_mark));
        }
        if has_anchor || has_tag {
            self.pop_state();

            let kind = EventKind::Scalar {
                anchor,
                tag,
                value: String::new(),
                plain_implicit: implicit,
                quoted_implicit: false,
                style: ScalarStyle::Plain,
            };
            // [svcpolicy] The empty content begins where the properties end.
            return Ok(node(kind, end_mark, end_mark));
        }

        let context = if block { "while parsing a block node" } else { "while parsing a flow node" };
        Err(self.set_parser_error_context(context, start_mark, "did not find expected node content", token.start_mark))
    }

    /// yaml_parser_parse_block_sequence_entry.
    ///
    /// ```text
    /// block_sequence ::= BLOCK-SEQUENCE-START (BLOCK-ENTRY block_node?)* BLOCK-END
    ///                    ********************  *********** *             *********
    /// ```
    fn parse_block_sequence_entry(&mut self, first: bool) -> Fallible<Event> {
        if first {
            let token = self.peek_token()?;
            self.marks.push(token.start_mark);
            self.skip_token();
        }

        let mut token = self.peek_token()?;

        if token.typ == TokenType::BlockEntry {
            let indicator = Some(token.start_mark.offset);
            let mark = token.end_mark;
            self.skip_token();
            token = self.peek_token()?;
            if token.typ != TokenType::BlockEntry && token.typ != TokenType::BlockEnd {
                self.states.push(State::BlockSequenceEntry);
                return with_indicator(self.parse_node(true, false), indicator);
            } else {
                self.state = State::BlockSequenceEntry;
                return with_indicator(Ok(self.process_empty_scalar(mark)), indicator);
            }
        }
        if token.typ == TokenType::BlockEnd {
            self.pop_state();
            self.marks.pop();

            let e = event(EventKind::SequenceEnd, token.start_mark, token.end_mark);

            self.skip_token();
            return Ok(e);
        }

        let context_mark = self.marks.pop().unwrap_or_default();
        Err(self.set_parser_error_context(
            "while parsing a block collection",
            context_mark,
            "did not find expected '-' indicator",
            token.start_mark,
        ))
    }

    /// yaml_parser_parse_indentless_sequence_entry.
    ///
    /// ```text
    /// indentless_sequence  ::= (BLOCK-ENTRY block_node?)+
    ///                           *********** *
    /// ```
    fn parse_indentless_sequence_entry(&mut self) -> Fallible<Event> {
        let mut token = self.peek_token()?;

        if token.typ == TokenType::BlockEntry {
            let indicator = Some(token.start_mark.offset);
            let mark = token.end_mark;
            self.skip_token();
            token = self.peek_token()?;
            if token.typ != TokenType::BlockEntry
                && token.typ != TokenType::Key
                && token.typ != TokenType::Value
                && token.typ != TokenType::BlockEnd
            {
                self.states.push(State::IndentlessSequenceEntry);
                return with_indicator(self.parse_node(true, false), indicator);
            }
            self.state = State::IndentlessSequenceEntry;
            return with_indicator(Ok(self.process_empty_scalar(mark)), indicator);
        }
        self.pop_state();

        // [Go] Shouldn't this be token.end_mark?
        Ok(event(EventKind::SequenceEnd, token.start_mark, token.start_mark))
    }

    /// yaml_parser_parse_block_mapping_key.
    ///
    /// ```text
    /// block_mapping        ::= BLOCK-MAPPING_START
    ///                          *******************
    ///                          ((KEY block_node_or_indentless_sequence?)?
    ///                            *** *
    ///                          (VALUE block_node_or_indentless_sequence?)?)*
    ///
    ///                          BLOCK-END
    ///                          *********
    /// ```
    fn parse_block_mapping_key(&mut self, first: bool) -> Fallible<Event> {
        if first {
            let token = self.peek_token()?;
            self.marks.push(token.start_mark);
            self.skip_token();
        }

        let mut token = self.peek_token()?;

        if token.typ == TokenType::Key {
            let mark = token.end_mark;
            self.skip_token();
            token = self.peek_token()?;
            if token.typ != TokenType::Key && token.typ != TokenType::Value && token.typ != TokenType::BlockEnd {
                self.states.push(State::BlockMappingValue);
                return self.parse_node(true, true);
            } else {
                self.state = State::BlockMappingValue;
                return Ok(self.process_empty_scalar(mark));
            }
        } else if token.typ == TokenType::BlockEnd {
            self.pop_state();
            self.marks.pop();
            let e = event(EventKind::MappingEnd, token.start_mark, token.end_mark);
            self.skip_token();
            return Ok(e);
        }

        let context_mark = self.marks.pop().unwrap_or_default();
        Err(self.set_parser_error_context(
            "while parsing a block mapping",
            context_mark,
            "did not find expected key",
            token.start_mark,
        ))
    }

    /// yaml_parser_parse_block_mapping_value.
    ///
    /// ```text
    /// block_mapping        ::= BLOCK-MAPPING_START
    ///
    ///                          ((KEY block_node_or_indentless_sequence?)?
    ///
    ///                          (VALUE block_node_or_indentless_sequence?)?)*
    ///                           ***** *
    ///                          BLOCK-END
    /// ```
    fn parse_block_mapping_value(&mut self) -> Fallible<Event> {
        let mut token = self.peek_token()?;
        if token.typ == TokenType::Value {
            let mark = token.end_mark;
            let indicator = Some(token.end_mark.offset);
            self.skip_token();
            token = self.peek_token()?;
            if token.typ != TokenType::Key && token.typ != TokenType::Value && token.typ != TokenType::BlockEnd {
                self.states.push(State::BlockMappingKey);
                return with_indicator(self.parse_node(true, true), indicator);
            }
            self.state = State::BlockMappingKey;
            return with_indicator(Ok(self.process_empty_scalar(mark)), indicator);
        }
        self.state = State::BlockMappingKey;
        Ok(self.process_empty_scalar(token.start_mark))
    }

    /// yaml_parser_parse_flow_sequence_entry.
    ///
    /// ```text
    /// flow_sequence        ::= FLOW-SEQUENCE-START
    ///                          *******************
    ///                          (flow_sequence_entry FLOW-ENTRY)*
    ///                           *                   **********
    ///                          flow_sequence_entry?
    ///                          *
    ///                          FLOW-SEQUENCE-END
    ///                          *****************
    /// flow_sequence_entry  ::= flow_node | KEY flow_node? (VALUE flow_node?)?
    ///                          *
    /// ```
    fn parse_flow_sequence_entry(&mut self, first: bool) -> Fallible<Event> {
        if first {
            let token = self.peek_token()?;
            self.marks.push(token.start_mark);
            self.skip_token();
        }
        let mut token = self.peek_token()?;
        if token.typ != TokenType::FlowSequenceEnd {
            if !first {
                if token.typ == TokenType::FlowEntry {
                    self.skip_token();
                    token = self.peek_token()?;
                } else {
                    let context_mark = self.marks.pop().unwrap_or_default();
                    return Err(self.set_parser_error_context(
                        "while parsing a flow sequence",
                        context_mark,
                        "did not find expected ',' or ']'",
                        token.start_mark,
                    ));
                }
            }

            if token.typ == TokenType::Key {
                self.state = State::FlowSequenceEntryMappingKey;
                let e = event(
                    EventKind::MappingStart { anchor: None, tag: None, implicit: true, flow: true },
                    token.start_mark,
                    token.end_mark,
                );
                self.skip_token();
                return Ok(e);
            } else if token.typ != TokenType::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.parse_node(false, false);
            }
        }

        self.pop_state();
        self.marks.pop();

        let e = event(EventKind::SequenceEnd, token.start_mark, token.end_mark);

        self.skip_token();
        Ok(e)
    }

    /// yaml_parser_parse_flow_sequence_entry_mapping_key.
    ///
    /// ```text
    /// flow_sequence_entry  ::= flow_node | KEY flow_node? (VALUE flow_node?)?
    ///                                      *** *
    /// ```
    fn parse_flow_sequence_entry_mapping_key(&mut self) -> Fallible<Event> {
        let token = self.peek_token()?;
        if token.typ != TokenType::Value && token.typ != TokenType::FlowEntry && token.typ != TokenType::FlowSequenceEnd
        {
            self.states.push(State::FlowSequenceEntryMappingValue);
            return self.parse_node(false, false);
        }
        let mark = token.end_mark;
        self.skip_token();
        self.state = State::FlowSequenceEntryMappingValue;
        Ok(self.process_empty_scalar(mark))
    }

    /// yaml_parser_parse_flow_sequence_entry_mapping_value.
    ///
    /// ```text
    /// flow_sequence_entry  ::= flow_node | KEY flow_node? (VALUE flow_node?)?
    ///                                                      ***** *
    /// ```
    ///
    /// [Go] After a VALUE token not followed by a node, Go makes the empty value at
    /// `token.start_mark` through a pointer to the VALUE token's slot in the token queue (the
    /// inner `token :=` shadows the outer one), which the queue may have written over while
    /// fetching the next token: the slot is read as Go's slice left it (see `TokenQueue`). In
    /// practice the slot is written over (by the `,` or `]` fetched) only when the queue's
    /// slice never grew past one token, e.g. in `--- !t [? a : ]`.
    fn parse_flow_sequence_entry_mapping_value(&mut self) -> Fallible<Event> {
        let token = self.peek_token()?;
        let mut mark = token.start_mark;
        let mut indicator = None;
        if token.typ == TokenType::Value {
            indicator = Some(token.end_mark.offset);
            self.skip_token();
            self.tokens.watch(self.tokens.head - 1);
            let inner = self.peek_token();
            mark = self.tokens.unwatch();
            let token = inner?;
            if token.typ != TokenType::FlowEntry && token.typ != TokenType::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntryMappingEnd);
                return with_indicator(self.parse_node(false, false), indicator);
            }
        }
        self.state = State::FlowSequenceEntryMappingEnd;
        with_indicator(Ok(self.process_empty_scalar(mark)), indicator)
    }

    /// yaml_parser_parse_flow_sequence_entry_mapping_end.
    ///
    /// ```text
    /// flow_sequence_entry  ::= flow_node | KEY flow_node? (VALUE flow_node?)?
    ///                                                                      *
    /// ```
    fn parse_flow_sequence_entry_mapping_end(&mut self) -> Fallible<Event> {
        let token = self.peek_token()?;
        self.state = State::FlowSequenceEntry;
        // [Go] Shouldn't this be end_mark?
        Ok(event(EventKind::MappingEnd, token.start_mark, token.start_mark))
    }

    /// yaml_parser_parse_flow_mapping_key.
    ///
    /// ```text
    /// flow_mapping         ::= FLOW-MAPPING-START
    ///                          ******************
    ///                          (flow_mapping_entry FLOW-ENTRY)*
    ///                           *                  **********
    ///                          flow_mapping_entry?
    ///                          ******************
    ///                          FLOW-MAPPING-END
    ///                          ****************
    /// flow_mapping_entry   ::= flow_node | KEY flow_node? (VALUE flow_node?)?
    ///                          *           *** *
    /// ```
    fn parse_flow_mapping_key(&mut self, first: bool) -> Fallible<Event> {
        if first {
            let token = self.peek_token()?;
            self.marks.push(token.start_mark);
            self.skip_token();
        }

        let mut token = self.peek_token()?;

        if token.typ != TokenType::FlowMappingEnd {
            if !first {
                if token.typ == TokenType::FlowEntry {
                    self.skip_token();
                    token = self.peek_token()?;
                } else {
                    let context_mark = self.marks.pop().unwrap_or_default();
                    return Err(self.set_parser_error_context(
                        "while parsing a flow mapping",
                        context_mark,
                        "did not find expected ',' or '}'",
                        token.start_mark,
                    ));
                }
            }

            if token.typ == TokenType::Key {
                self.skip_token();
                token = self.peek_token()?;
                if token.typ != TokenType::Value
                    && token.typ != TokenType::FlowEntry
                    && token.typ != TokenType::FlowMappingEnd
                {
                    self.states.push(State::FlowMappingValue);
                    return self.parse_node(false, false);
                } else {
                    self.state = State::FlowMappingValue;
                    return Ok(self.process_empty_scalar(token.start_mark));
                }
            } else if token.typ != TokenType::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.parse_node(false, false);
            }
        }

        self.pop_state();
        self.marks.pop();
        let e = event(EventKind::MappingEnd, token.start_mark, token.end_mark);
        self.skip_token();
        Ok(e)
    }

    /// yaml_parser_parse_flow_mapping_value.
    ///
    /// ```text
    /// flow_mapping_entry   ::= flow_node | KEY flow_node? (VALUE flow_node?)?
    ///                                   *                  ***** *
    /// ```
    fn parse_flow_mapping_value(&mut self, empty: bool) -> Fallible<Event> {
        let mut token = self.peek_token()?;
        if empty {
            self.state = State::FlowMappingKey;
            return Ok(self.process_empty_scalar(token.start_mark));
        }
        let mut indicator = None;
        if token.typ == TokenType::Value {
            indicator = Some(token.end_mark.offset);
            self.skip_token();
            token = self.peek_token()?;
            if token.typ != TokenType::FlowEntry && token.typ != TokenType::FlowMappingEnd {
                self.states.push(State::FlowMappingKey);
                return with_indicator(self.parse_node(false, false), indicator);
            }
        }
        self.state = State::FlowMappingKey;
        with_indicator(Ok(self.process_empty_scalar(token.start_mark)), indicator)
    }

    /// yaml_parser_process_empty_scalar: generate an empty scalar event.
    fn process_empty_scalar(&self, mark: Mark) -> Event {
        let kind = EventKind::Scalar {
            anchor: None,
            tag: None,
            value: String::new(),
            plain_implicit: true,
            quoted_implicit: false,
            style: ScalarStyle::Plain,
        };
        event(kind, mark, mark)
    }

    /// yaml_parser_process_directives: parse directives (the version and tag directives of
    /// the document are not reported: svcpolicy has no use for them).
    fn process_directives(&mut self) -> Fallible<()> {
        let mut version_directive = false;

        let mut token = self.peek_token()?;

        while token.typ == TokenType::VersionDirective || token.typ == TokenType::TagDirective {
            if token.typ == TokenType::VersionDirective {
                if version_directive {
                    return Err(self.set_parser_error("found duplicate %YAML directive", token.start_mark));
                }
                if token.major != 1 || token.minor != 1 {
                    return Err(self.set_parser_error("found incompatible YAML document", token.start_mark));
                }
                version_directive = true;
            } else if token.typ == TokenType::TagDirective {
                let (handle, _, prefix) = self.take_token_strings();
                self.append_tag_directive(TagDirective { handle, prefix }, false, token.start_mark)?;
            }

            self.skip_token();
            token = self.peek_token()?;
        }

        for (handle, prefix) in DEFAULT_TAG_DIRECTIVES {
            let value = TagDirective { handle: handle.to_vec(), prefix: prefix.to_vec() };
            self.append_tag_directive(value, true, token.start_mark)?;
        }
        Ok(())
    }

    /// yaml_parser_append_tag_directive: append a tag directive to the directives stack.
    fn append_tag_directive(&mut self, value: TagDirective, allow_duplicates: bool, mark: Mark) -> Fallible<()> {
        for directive in &self.tag_directives {
            if value.handle == directive.handle {
                if allow_duplicates {
                    return Ok(());
                }
                return Err(self.set_parser_error("found duplicate %TAG directive", mark));
            }
        }

        self.tag_directives.push(value);
        Ok(())
    }
}
