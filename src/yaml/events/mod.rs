//! go-yaml v2.4.0's YAML reader, scanner and event parser, ported line by line: readerc.go
//! (`reader`), scannerc.go (`scanner`) and parserc.go (`parser`), with the types and helpers
//! of yamlh.go, yamlprivateh.go and apic.go they need.
//!
//! Why a port: Helm and kubectl read manifests with go-yaml v2 (through sigs.k8s.io/yaml).
//! svcpolicy must accept exactly the streams they accept, reject exactly the ones they reject,
//! with the message Helm would print, and see the same structure, so it reads with Go's own
//! algorithm, quirks included (the reader decodes 512 bytes ahead and fails on a control
//! character there, `is_bom` looks at the start of the buffer, simple keys are looked up by
//! token number, ...). Functions keep Go's names without the `yaml_parser_` prefix and Go's
//! order, so a reviewer can read the port beside the Go source
//! (/usr/share/gocode/src/gopkg.in/yaml.v2 from Debian's golang-gopkg-yaml.v2-dev).
//!
//! What is added: every mark carries its byte offset in the input (`Mark::offset`), and node
//! events say where their content begins (`Event::content_start`) and where their `:` or `-`
//! indicator is (`Event::indicator`), for the span tree svcpolicy edits text with.
//!
//! What differs from Go, on purpose:
//! - A stream that starts with a UTF-16 byte-order mark is refused with a reader error (Go would
//!   decode it): svcpolicy edits UTF-8 text in place and writes it back byte for byte.
//! - `DocumentStart::implicit` says whether the document had no `---`; Go v2.4.0 never sets the
//!   flag (its event is always `implicit: false`), and nothing in Go reads it.
//! - Where Go would index past its buffers and panic, the port reads NUL or does nothing; no input
//!   makes it panic. (None of those places is reachable with the reader's checks in place.)
//!
//! Kept from Go, as Helm has them: marks Go's own comments doubt (an indentless sequence's end
//! and the end of a single-pair mapping in a flow sequence are empty, at the next token's start);
//! the empty value of `--- !t [? a : ]`, marked at the `]` (a stale pointer into Go's token queue,
//! which is kept slot for slot); tags that are not UTF-8, which URI escapes can make
//! (`Event::tag_bytes`).
//!
//! The proof is tests/it/yaml_events.rs: it compares every event, mark and error with what go-yaml
//! itself produces (tools/go-yaml-events, built from Debian's sources by scripts/tools.sh).

mod parser;
mod reader;
mod scanner;

/// What the port's functions return where Go's return `false` after setting `parser.error`.
type Fallible<T> = Result<T, Box<Error>>;

use parser::{State, TagDirective};
use reader::Encoding;
pub use scanner::is_indicator;
use scanner::{SimpleKey, TokenNumberMap, TokenQueue};

/// A position in the input, as go-yaml counts it, plus its byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Mark {
    /// The byte offset in the input given to `Parser::new` (a leading byte-order mark counts its
    /// three bytes).
    pub offset: usize,
    /// go-yaml's index: characters read so far (a CRLF counts two; a leading BOM none).
    pub index: usize,
    /// The line, from 0.
    pub line: usize,
    /// The column, from 0, in characters.
    pub column: usize,
}

/// How a scalar was written (`yaml_scalar_style_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScalarStyle {
    /// Plain: `value`.
    #[default]
    Plain,
    /// Single-quoted: `'value'`.
    SingleQuoted,
    /// Double-quoted: `"value"`.
    DoubleQuoted,
    /// Literal block scalar: `|`.
    Literal,
    /// Folded block scalar: `>`.
    Folded,
}

/// What an event is, with what go-yaml reports for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The start of the stream.
    StreamStart,
    /// The end of the stream.
    StreamEnd,
    /// The start of a document.
    DocumentStart {
        /// No `---` opened the document. (Go v2.4.0 leaves its own flag false; see the module.)
        implicit: bool,
    },
    /// The end of a document.
    DocumentEnd {
        /// No `...` closed the document.
        implicit: bool,
    },
    /// An alias node: `*anchor`.
    Alias {
        /// The anchor it refers to.
        anchor: String,
    },
    /// A scalar node.
    Scalar {
        /// Its anchor, without the `&`.
        anchor: Option<String>,
        /// Its tag, resolved as the event type documents.
        tag: Option<String>,
        /// Its value, with escapes, folding and chomping applied.
        value: String,
        /// Go's `implicit`: untagged and plain, or tagged `!`.
        plain_implicit: bool,
        /// Go's `quoted_implicit`: untagged and not plain.
        quoted_implicit: bool,
        /// How it was written.
        style: ScalarStyle,
    },
    /// The start of a sequence node.
    SequenceStart {
        /// Its anchor, without the `&`.
        anchor: Option<String>,
        /// Its tag, resolved.
        tag: Option<String>,
        /// Untagged.
        implicit: bool,
        /// Written in flow style (`[...]`).
        flow: bool,
    },
    /// The end of a sequence node.
    SequenceEnd,
    /// The start of a mapping node.
    MappingStart {
        /// Its anchor, without the `&`.
        anchor: Option<String>,
        /// Its tag, resolved.
        tag: Option<String>,
        /// Untagged.
        implicit: bool,
        /// Written in flow style (`{...}`, or a single pair in a flow sequence).
        flow: bool,
    },
    /// The end of a mapping node.
    MappingEnd,
}

/// One event of the stream. Tags are reported as Go's parser reports them: handles resolved
/// (`!!str` -> `tag:yaml.org,2002:str`, `!x` stays `!x`, a `%TAG` prefix applied), a verbatim
/// `!<...>` gives its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What the event is.
    pub kind: EventKind,
    /// Go's start_mark for the event, unchanged.
    pub start: Mark,
    /// Go's end_mark for the event, unchanged.
    pub end: Mark,
    /// For node events (Alias, Scalar, SequenceStart, MappingStart): where the node's content
    /// begins after its anchor and tag (== start when it has none); for a node of properties
    /// only, where they end. For an empty scalar made up by the parser, its mark. Otherwise ==
    /// start.
    pub content_start: Mark,
    /// For the first event of a node that is a mapping *value*: the byte offset just past its
    /// `:` (the VALUE token's end), or None when the entry has no `:` (a lone flow key, `? k`
    /// without `:`). For the first event of a node that is a *block sequence entry* (including
    /// indentless sequences): the byte offset of its `-` (the BLOCK-ENTRY token's start). None
    /// otherwise.
    pub indicator: Option<usize>,
    /// The tag's bytes when they are not UTF-8 (only URI escapes such as `!%C0%80` make such a
    /// tag; the `tag` string then holds a lossy copy). None otherwise.
    pub tag_bytes: Option<Vec<u8>>,
}

/// Which part of go-yaml found the problem (`yaml_error_type_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The reader: bad UTF-8, a control character (or a UTF-16 stream, which svcpolicy refuses).
    Reader,
    /// The scanner: a token cannot be read.
    Scanner,
    /// The parser: the tokens do not make a YAML stream.
    Parser,
}

/// A YAML syntax error, as go-yaml reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Which part of go-yaml found the problem.
    pub kind: ErrorKind,
    /// Go's problem text, e.g. `mapping values are not allowed in this context`.
    pub problem: String,
    /// Where the problem is (scanner and parser errors).
    pub problem_mark: Mark,
    /// Go's context text, e.g. `while parsing a block mapping`, or empty.
    pub context: String,
    /// Where the context starts.
    pub context_mark: Mark,
    /// For reader errors: the byte offset of the problem in the input.
    pub problem_offset: usize,
    /// For reader errors: the offending byte or code point, or -1.
    pub problem_value: i64,
}

impl Error {
    /// Exactly the message go-yaml v2's Unmarshal returns for this error, e.g.
    /// `yaml: line 3: mapping values are not allowed in this context` (decode.go's
    /// parser.fail(): the line from problem_mark, +1 for scanner errors, else
    /// context_mark.line, and no "line N: " when 0).
    pub fn go_message(&self) -> String {
        let mut line = 0;
        if self.problem_mark.line != 0 {
            line = self.problem_mark.line;
            // Scanner errors don't iterate line before returning error
            if self.kind == ErrorKind::Scanner {
                line += 1;
            }
        } else if self.context_mark.line != 0 {
            line = self.context_mark.line;
        }
        let place = if line != 0 { format!("line {line}: ") } else { String::new() };
        let message = if self.problem.is_empty() { "unknown problem parsing YAML content" } else { &self.problem };
        format!("yaml: {place}{message}")
    }

    /// The byte offset in the input where the problem is (problem_mark.offset, or for reader
    /// errors the raw offset).
    pub fn offset(&self) -> usize {
        match self.kind {
            ErrorKind::Reader => self.problem_offset,
            ErrorKind::Scanner | ErrorKind::Parser => self.problem_mark.offset,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            ErrorKind::Reader => write!(f, "{} at byte {}", self.problem, self.problem_offset)?,
            _ => write!(
                f,
                "{} at line {} column {}",
                self.problem,
                self.problem_mark.line + 1,
                self.problem_mark.column + 1
            )?,
        }
        if !self.context.is_empty() {
            let at = self.context_mark;
            write!(f, " ({} at line {} column {})", self.context, at.line + 1, at.column + 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// go-yaml's parser (`yaml_parser_t`) over a byte slice: call `next_event` until StreamEnd.
#[derive(Debug)]
pub struct Parser<'a> {
    // Reader stuff
    /// The input (`parser.input`); `b"\n"` for an empty input, as decode.go's newParser does.
    input: &'a [u8],
    /// The length of the input the caller gave: marks never point past it.
    input_len: usize,
    /// `parser.input_pos`: how much of the input the read handler has handed out.
    input_pos: usize,
    /// EOF flag.
    eof: bool,
    /// The working buffer, `len(parser.buffer)` long.
    buffer: Vec<u8>,
    /// The current position of the buffer.
    buffer_pos: usize,
    /// The number of unread characters in the buffer.
    unread: isize,
    /// The raw buffer: `input[raw_start..raw_start + raw_len]`, read up to `raw_pos`.
    raw_start: usize,
    raw_len: usize,
    raw_pos: usize,
    /// The input encoding.
    encoding: Encoding,
    /// The offset of the current position (in bytes).
    offset: usize,
    /// The mark of the current position.
    mark: Mark,

    // Scanner stuff
    /// Have we started to scan the input stream?
    stream_start_produced: bool,
    /// Have we reached the end of the input stream?
    stream_end_produced: bool,
    /// The number of unclosed '[' and '{' indicators.
    flow_level: isize,
    /// The tokens queue, with its head.
    tokens: TokenQueue,
    /// The number of tokens fetched from the queue.
    tokens_parsed: usize,
    /// Does the tokens queue contain a token ready for dequeueing.
    token_available: bool,
    /// The current indentation level.
    indent: isize,
    /// The indentation levels stack.
    indents: Vec<isize>,
    /// May a simple key occur at the current position?
    simple_key_allowed: bool,
    /// The stack of simple keys.
    simple_keys: Vec<SimpleKey>,
    /// Possible simple_key indexes indexed by token_number.
    simple_keys_by_tok: TokenNumberMap,

    // Parser stuff
    /// The current parser state.
    state: State,
    /// The parser states stack.
    states: Vec<State>,
    /// The stack of marks.
    marks: Vec<Mark>,
    /// The list of TAG directives.
    tag_directives: Vec<TagDirective>,

    /// [svcpolicy] The STREAM-END event or the error, returned again on every later call.
    finished: Option<Result<Event, Error>>,
}

impl<'a> Parser<'a> {
    /// A parser for `input`, as yaml_parser_initialize and yaml_parser_set_input_string make
    /// it in decode.go's newParser (which reads an empty input as a single line break; marks
    /// still point into the input given).
    pub fn new(input: &'a [u8]) -> Self {
        let input_len = input.len();
        let input: &'a [u8] = if input.is_empty() { b"\n" } else { input };
        Parser {
            input,
            input_len,
            input_pos: 0,
            eof: false,
            buffer: Vec::with_capacity(reader::INPUT_BUFFER_SIZE),
            buffer_pos: 0,
            unread: 0,
            raw_start: 0,
            raw_len: 0,
            raw_pos: 0,
            encoding: Encoding::Any,
            offset: 0,
            mark: Mark::default(),
            stream_start_produced: false,
            stream_end_produced: false,
            flow_level: 0,
            tokens: TokenQueue::default(),
            tokens_parsed: 0,
            token_available: false,
            indent: 0,
            indents: Vec::new(),
            simple_key_allowed: false,
            simple_keys: Vec::new(),
            simple_keys_by_tok: TokenNumberMap::default(),
            state: State::StreamStart,
            states: Vec::new(),
            marks: Vec::new(),
            tag_directives: Vec::new(),
            finished: None,
        }
    }

    /// The next event (yaml_parser_parse). After StreamEnd or an error, returns the same again.
    #[allow(clippy::result_large_err)] // the error is large and rare: the API returns it unboxed
    pub fn next_event(&mut self) -> Result<Event, Error> {
        if let Some(finished) = &self.finished {
            return finished.clone();
        }
        let mut result = self.parse().map_err(|e| *e);
        if self.input_len < self.input.len() {
            // The empty input read as "\n": no mark may point past the input given.
            let clamp = |m: &mut Mark| m.offset = m.offset.min(self.input_len);
            match &mut result {
                Ok(e) => {
                    clamp(&mut e.start);
                    clamp(&mut e.end);
                    clamp(&mut e.content_start);
                    e.indicator = e.indicator.map(|i| i.min(self.input_len));
                }
                Err(e) => {
                    clamp(&mut e.problem_mark);
                    clamp(&mut e.context_mark);
                }
            }
        }
        match &result {
            Ok(Event { kind: EventKind::StreamEnd, .. }) | Err(_) => self.finished = Some(result.clone()),
            Ok(_) => {}
        }
        result
    }
}

#[cfg(test)]
mod tests;
