//! The scanner: go-yaml v2.4.0's scannerc.go, with the token queue of apic.go
//! (`yaml_insert_token`) and the character classes of yamlprivateh.go. It turns the reader's
//! characters into tokens: indentation, simple keys (and their limits: one line, 1024
//! characters), flow levels and indents (at most 10000 deep), directives, anchors, tags and the
//! five scalar styles with their folding, chomping and escapes. Every branch and message is Go's.
//!
//! The token queue is kept as Go keeps it: a slice whose capacity grows as Go's `append` grows it,
//! compacted in place. The parser reads one token through a pointer that outlives the slot it
//! points at (see `parse_flow_sequence_entry_mapping_value`); keeping Go's slots keeps what it reads.

use super::{Error, ErrorKind, Fallible, Mark, Parser, ScalarStyle};

/// `yaml_token_type_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum TokenType {
    #[default]
    NoToken,
    StreamStart,
    StreamEnd,
    VersionDirective,
    TagDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

/// `yaml_token_t` (the stream encoding is left out: it is always UTF-8 here).
#[derive(Debug, Clone, Default)]
pub(super) struct Token {
    pub(super) typ: TokenType,
    pub(super) start_mark: Mark,
    pub(super) end_mark: Mark,
    /// The alias/anchor/scalar value, tag handle or tag directive handle.
    pub(super) value: Vec<u8>,
    /// The tag suffix.
    pub(super) suffix: Vec<u8>,
    /// The tag directive prefix.
    pub(super) prefix: Vec<u8>,
    /// The scalar style.
    pub(super) style: ScalarStyle,
    /// The version directive major/minor.
    pub(super) major: i8,
    pub(super) minor: i8,
}

impl Token {
    fn new(typ: TokenType, start_mark: Mark, end_mark: Mark) -> Token {
        Token { typ, start_mark, end_mark, ..Token::default() }
    }
}

/// `yaml_simple_key_t`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SimpleKey {
    pub(super) possible: bool,
    pub(super) required: bool,
    pub(super) token_number: usize,
    pub(super) mark: Mark,
}

/// `unsafe.Sizeof(yaml_token_t{})` on 64-bit Go: what `append` sizes the queue's growth by.
const GO_TOKEN_SIZE: usize = 144;

/// Go's malloc size classes (runtime/sizeclasses.go, Go 1.19).
const GO_SIZE_CLASSES: [usize; 68] = [
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448,
    480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096,
    4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072,
    20480, 21760, 24576, 27264, 28672, 32768,
];

/// runtime.roundupsize (Go 1.19).
fn go_roundupsize(size: usize) -> usize {
    match GO_SIZE_CLASSES.iter().find(|&&class| class >= size) {
        Some(&class) => class,
        None => size.div_ceil(8192) * 8192,
    }
}

/// The capacity runtime.growslice (Go 1.18 to 1.21) gives a slice of tokens of capacity
/// `old_cap` that must hold `new_len`. (Later Go versions give other capacities past 4 tokens;
/// no read of a written-over slot depends on them, see parse_flow_sequence_entry_mapping_value.)
fn go_grown_cap(old_cap: usize, new_len: usize) -> usize {
    let mut new_cap = old_cap;
    let double_cap = new_cap + new_cap;
    if new_len > double_cap {
        new_cap = new_len;
    } else {
        const THRESHOLD: usize = 256;
        if old_cap < THRESHOLD {
            new_cap = double_cap;
        } else {
            while new_cap < new_len {
                new_cap += (new_cap + 3 * THRESHOLD) / 4;
            }
        }
    }
    go_roundupsize(new_cap * GO_TOKEN_SIZE) / GO_TOKEN_SIZE
}

/// `parser.tokens` and `parser.tokens_head`: Go's slice, slot for slot (`slots.len()` is its
/// capacity). Consuming a token takes its byte strings but leaves its marks in the slot, as
/// Go's slot keeps them until written over.
#[derive(Debug, Default)]
pub(super) struct TokenQueue {
    slots: Vec<Token>,
    /// `len(parser.tokens)`.
    len: usize,
    /// `parser.tokens_head`.
    pub(super) head: usize,
    /// A slot the parser still holds a Go pointer to, and the start mark it will read there
    /// if `append` moves the slice meanwhile (Go's pointer then keeps the old array).
    watched: Option<usize>,
    watched_moved: Option<Mark>,
}

impl TokenQueue {
    /// How many tokens are queued: `len(parser.tokens) - parser.tokens_head`.
    pub(super) fn queued(&self) -> usize {
        self.len - self.head
    }

    /// The head token, `parser.tokens[parser.tokens_head]`.
    pub(super) fn front(&self) -> Option<&Token> {
        if self.head < self.len {
            self.slots.get(self.head)
        } else {
            None
        }
    }

    /// The head token, to take its byte strings from.
    pub(super) fn front_mut(&mut self) -> Option<&mut Token> {
        if self.head < self.len {
            self.slots.get_mut(self.head)
        } else {
            None
        }
    }

    /// Starts watching `slot` (see `watched`).
    pub(super) fn watch(&mut self, slot: usize) {
        self.watched = Some(slot);
        self.watched_moved = None;
    }

    /// The start mark a Go pointer to the watched slot reads now; stops watching.
    pub(super) fn unwatch(&mut self) -> Mark {
        let mark = match (self.watched_moved, self.watched) {
            (Some(mark), _) => mark,
            (None, Some(slot)) => self.slots.get(slot).map(|t| t.start_mark).unwrap_or_default(),
            (None, None) => Mark::default(),
        };
        self.watched = None;
        self.watched_moved = None;
        mark
    }

    /// yaml_insert_token (apic.go): insert at `pos` past the head, or append when `pos < 0`.
    fn insert(&mut self, pos: isize, token: Token) {
        // Check if we can move the queue at the beginning of the buffer.
        if self.head > 0 && self.len == self.slots.len() {
            if self.head != self.len {
                // copy(parser.tokens, parser.tokens[parser.tokens_head:]): the byte strings
                // move, the marks are copied (the source slots keep theirs, as in Go).
                for i in 0..self.len - self.head {
                    let from = self.head + i;
                    let value = std::mem::take(&mut self.slots[from].value);
                    let suffix = std::mem::take(&mut self.slots[from].suffix);
                    let prefix = std::mem::take(&mut self.slots[from].prefix);
                    self.slots[i] = Token { value, suffix, prefix, ..self.slots[from] };
                }
            }
            self.len -= self.head;
            self.head = 0;
        }
        // parser.tokens = append(parser.tokens, *token)
        if self.len == self.slots.len() {
            if let (Some(slot), None) = (self.watched, self.watched_moved) {
                self.watched_moved = Some(self.slots.get(slot).map(|t| t.start_mark).unwrap_or_default());
            }
            let cap = go_grown_cap(self.slots.len(), self.len + 1);
            let mut slots = Vec::with_capacity(cap);
            slots.extend(self.slots.drain(..self.len));
            slots.resize_with(cap, Token::default);
            self.slots = slots;
        }
        self.len += 1;
        let last = self.len - 1;
        if pos < 0 || self.head + pos as usize >= last {
            self.slots[last] = token;
            return;
        }
        let at = self.head + pos as usize;
        self.slots[at..=last].rotate_right(1);
        self.slots[at] = token;
    }
}

/// `map[int]int` keyed by token numbers: a hasher for small integer keys.
#[derive(Default)]
pub(super) struct TokenNumberHasher(u64);

impl std::hash::Hasher for TokenNumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// `parser.simple_keys_by_tok`.
pub(super) type TokenNumberMap =
    std::collections::HashMap<usize, usize, std::hash::BuildHasherDefault<TokenNumberHasher>>;

/// width (yamlprivateh.go): the length of the UTF-8 sequence a leading octet starts, or 0.
/// YAML's indicator characters, which a plain scalar may not start with (where they are not
/// followed by a non-space, for `-`, `?` and `:`).
pub fn is_indicator(c: u8) -> bool {
    matches!(
        c,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

pub(super) fn width(b: u8) -> usize {
    if b & 0x80 == 0x00 {
        1
    } else if b & 0xE0 == 0xC0 {
        2
    } else if b & 0xF0 == 0xE0 {
        3
    } else if b & 0xF8 == 0xF0 {
        4
    } else {
        0
    }
}

/// `max_flow_level`.
const MAX_FLOW_LEVEL: isize = 10000;

/// `max_indents`.
const MAX_INDENTS: usize = 10000;

/// `max_number_length`.
const MAX_NUMBER_LENGTH: i8 = 2;

// Character classes (yamlprivateh.go), at `k` characters' bytes past the buffer position. Go
// relies on the buffer's padding; a byte past the end reads as NUL here, which Go's padding is.
impl Parser<'_> {
    /// `parser.buffer[parser.buffer_pos+k]`.
    #[inline]
    pub(super) fn at(&self, k: usize) -> u8 {
        self.buffer.get(self.buffer_pos + k).copied().unwrap_or(0)
    }

    /// is_alpha: an alphabetical character, a digit, '_', or '-'.
    #[inline]
    fn is_alpha(&self, k: usize) -> bool {
        matches!(self.at(k), b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'_' | b'-')
    }

    /// is_digit.
    #[inline]
    fn is_digit(&self, k: usize) -> bool {
        self.at(k).is_ascii_digit()
    }

    /// as_digit.
    #[inline]
    fn as_digit(&self, k: usize) -> i32 {
        i32::from(self.at(k)) - i32::from(b'0')
    }

    /// is_hex.
    #[inline]
    fn is_hex(&self, k: usize) -> bool {
        self.at(k).is_ascii_hexdigit()
    }

    /// as_hex.
    #[inline]
    fn as_hex(&self, k: usize) -> u32 {
        let b = self.at(k);
        match b {
            b'A'..=b'F' => u32::from(b - b'A') + 10,
            b'a'..=b'f' => u32::from(b - b'a') + 10,
            _ => u32::from(b).wrapping_sub(u32::from(b'0')),
        }
    }

    /// is_z: NUL.
    #[inline]
    fn is_z(&self, k: usize) -> bool {
        self.at(k) == 0
    }

    /// is_bom. [Go] It checks the start of the buffer, not the position: kept as it is.
    #[inline]
    fn is_bom(&self) -> bool {
        self.buffer.get(0..3) == Some(&b"\xEF\xBB\xBF"[..])
    }

    /// is_space.
    #[inline]
    fn is_space(&self, k: usize) -> bool {
        self.at(k) == b' '
    }

    /// is_tab.
    #[inline]
    fn is_tab(&self, k: usize) -> bool {
        self.at(k) == b'\t'
    }

    /// is_blank: space or tab.
    #[inline]
    fn is_blank(&self, k: usize) -> bool {
        matches!(self.at(k), b' ' | b'\t')
    }

    /// is_break: CR, LF, NEL, LS or PS.
    #[inline]
    fn is_break(&self, k: usize) -> bool {
        match self.at(k) {
            b'\r' | b'\n' => true,
            0xC2 => self.at(k + 1) == 0x85,
            0xE2 => self.at(k + 1) == 0x80 && matches!(self.at(k + 2), 0xA8 | 0xA9),
            _ => false,
        }
    }

    /// is_crlf.
    #[inline]
    fn is_crlf(&self, k: usize) -> bool {
        self.at(k) == b'\r' && self.at(k + 1) == b'\n'
    }

    /// is_breakz: a line break or NUL.
    #[inline]
    fn is_breakz(&self, k: usize) -> bool {
        self.at(k) == 0 || self.is_break(k)
    }

    /// is_blankz: a line break, space, tab, or NUL.
    #[inline]
    fn is_blankz(&self, k: usize) -> bool {
        matches!(self.at(k), b' ' | b'\t') || self.is_breakz(k)
    }
}

impl Parser<'_> {
    /// cache: ensure `length` characters are buffered.
    #[inline]
    fn cache(&mut self, length: isize) -> Fallible<()> {
        if self.unread >= length {
            Ok(())
        } else {
            self.update_buffer(length)
        }
    }

    /// skip: advance the buffer pointer by one character.
    #[inline]
    fn skip(&mut self) {
        let w = width(self.at(0));
        self.mark.index += 1;
        self.mark.column += 1;
        self.unread -= 1;
        self.buffer_pos += w;
        self.mark.offset += w;
    }

    /// skip_line.
    fn skip_line(&mut self) {
        if self.is_crlf(0) {
            self.mark.index += 2;
            self.mark.column = 0;
            self.mark.line += 1;
            self.unread -= 2;
            self.buffer_pos += 2;
            self.mark.offset += 2;
        } else if self.is_break(0) {
            let w = width(self.at(0));
            self.mark.index += 1;
            self.mark.column = 0;
            self.mark.line += 1;
            self.unread -= 1;
            self.buffer_pos += w;
            self.mark.offset += w;
        }
    }

    /// read: copy a character to `s` and advance the pointers.
    #[inline]
    fn read(&mut self, s: &mut Vec<u8>) {
        // [Go] panics on an invalid sequence, which the reader never lets into the buffer.
        let b = self.at(0);
        let w = width(b).max(1);
        if w == 1 {
            s.push(b);
        } else {
            let end = (self.buffer_pos + w).min(self.buffer.len());
            if let Some(bytes) = self.buffer.get(self.buffer_pos..end) {
                s.extend_from_slice(bytes);
            }
        }
        self.buffer_pos += w;
        self.mark.offset += w;
        self.mark.index += 1;
        self.mark.column += 1;
        self.unread -= 1;
    }

    /// read_line: copy a line break to `s` (CR, LF, CRLF and NEL as LF) and advance.
    fn read_line(&mut self, s: &mut Vec<u8>) {
        let (b0, b1, b2) = (self.at(0), self.at(1), self.at(2));
        if b0 == b'\r' && b1 == b'\n' {
            // CR LF . LF
            s.push(b'\n');
            self.buffer_pos += 2;
            self.mark.offset += 2;
            self.mark.index += 1;
            self.unread -= 1;
        } else if b0 == b'\r' || b0 == b'\n' {
            // CR|LF . LF
            s.push(b'\n');
            self.buffer_pos += 1;
            self.mark.offset += 1;
        } else if b0 == 0xC2 && b1 == 0x85 {
            // NEL . LF
            s.push(b'\n');
            self.buffer_pos += 2;
            self.mark.offset += 2;
        } else if b0 == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9) {
            // LS|PS . LS|PS
            s.extend_from_slice(&[b0, b1, b2]);
            self.buffer_pos += 3;
            self.mark.offset += 3;
        } else {
            return;
        }
        self.mark.index += 1;
        self.mark.column = 0;
        self.mark.line += 1;
        self.unread -= 1;
    }

    /// yaml_parser_set_scanner_error.
    fn set_scanner_error(&self, context: &str, context_mark: Mark, problem: &str) -> Box<Error> {
        Box::new(Error {
            kind: ErrorKind::Scanner,
            problem: problem.to_string(),
            problem_mark: self.mark,
            context: context.to_string(),
            context_mark,
            problem_offset: 0,
            problem_value: 0,
        })
    }

    /// yaml_parser_set_scanner_tag_error.
    fn set_scanner_tag_error(&self, directive: bool, context_mark: Mark, problem: &str) -> Box<Error> {
        let context = if directive { "while parsing a %TAG directive" } else { "while parsing a tag" };
        self.set_scanner_error(context, context_mark, problem)
    }

    /// yaml_insert_token.
    fn insert_token(&mut self, pos: isize, token: Token) {
        self.tokens.insert(pos, token);
    }

    /// yaml_parser_fetch_more_tokens: ensure that the tokens queue contains at least one token
    /// which can be returned to the parser.
    pub(super) fn fetch_more_tokens(&mut self) -> Fallible<()> {
        // While we need more tokens to fetch, do it.
        loop {
            if self.tokens.queued() > 0 {
                // If queue is non-empty, check if any potential simple key may
                // occupy the head position.
                let Some(&head_tok_idx) = self.simple_keys_by_tok.get(&self.tokens_parsed) else { break };
                if !self.simple_key_is_valid(head_tok_idx)? {
                    break;
                }
            }

            // Fetch the next token.
            self.fetch_next_token()?;
        }

        self.token_available = true;
        Ok(())
    }

    /// yaml_parser_fetch_next_token: the dispatcher for token fetchers.
    fn fetch_next_token(&mut self) -> Fallible<()> {
        // Ensure that the buffer is initialized.
        self.cache(1)?;

        // Check if we just started scanning.  Fetch STREAM-START then.
        if !self.stream_start_produced {
            self.fetch_stream_start();
            return Ok(());
        }

        // Eat whitespaces and comments until we reach the next token.
        self.scan_to_next_token()?;

        // Check the indentation level against the current column.
        self.unroll_indent(self.mark.column as isize);

        // Ensure that the buffer contains at least 4 characters.  4 is the length
        // of the longest indicators ('--- ' and '... ').
        self.cache(4)?;

        // Is it the end of the stream?
        if self.is_z(0) {
            return self.fetch_stream_end();
        }

        // Is it a directive?
        if self.mark.column == 0 && self.at(0) == b'%' {
            return self.fetch_directive();
        }

        // Is it the document start indicator?
        if self.mark.column == 0 && self.at(0) == b'-' && self.at(1) == b'-' && self.at(2) == b'-' && self.is_blankz(3)
        {
            return self.fetch_document_indicator(TokenType::DocumentStart);
        }

        // Is it the document end indicator?
        if self.mark.column == 0 && self.at(0) == b'.' && self.at(1) == b'.' && self.at(2) == b'.' && self.is_blankz(3)
        {
            return self.fetch_document_indicator(TokenType::DocumentEnd);
        }

        let c = self.at(0);

        // Is it the flow sequence start indicator?
        if c == b'[' {
            return self.fetch_flow_collection_start(TokenType::FlowSequenceStart);
        }

        // Is it the flow mapping start indicator?
        if c == b'{' {
            return self.fetch_flow_collection_start(TokenType::FlowMappingStart);
        }

        // Is it the flow sequence end indicator?
        if c == b']' {
            return self.fetch_flow_collection_end(TokenType::FlowSequenceEnd);
        }

        // Is it the flow mapping end indicator?
        if c == b'}' {
            return self.fetch_flow_collection_end(TokenType::FlowMappingEnd);
        }

        // Is it the flow entry indicator?
        if c == b',' {
            return self.fetch_flow_entry();
        }

        // Is it the block entry indicator?
        if c == b'-' && self.is_blankz(1) {
            return self.fetch_block_entry();
        }

        // Is it the key indicator?
        if c == b'?' && (self.flow_level > 0 || self.is_blankz(1)) {
            return self.fetch_key();
        }

        // Is it the value indicator?
        if c == b':' && (self.flow_level > 0 || self.is_blankz(1)) {
            return self.fetch_value();
        }

        // Is it an alias?
        if c == b'*' {
            return self.fetch_anchor(TokenType::Alias);
        }

        // Is it an anchor?
        if c == b'&' {
            return self.fetch_anchor(TokenType::Anchor);
        }

        // Is it a tag?
        if c == b'!' {
            return self.fetch_tag();
        }

        // Is it a literal scalar?
        if c == b'|' && self.flow_level == 0 {
            return self.fetch_block_scalar(true);
        }

        // Is it a folded scalar?
        if c == b'>' && self.flow_level == 0 {
            return self.fetch_block_scalar(false);
        }

        // Is it a single-quoted scalar?
        if c == b'\'' {
            return self.fetch_flow_scalar(true);
        }

        // Is it a double-quoted scalar?
        if c == b'"' {
            return self.fetch_flow_scalar(false);
        }

        // Is it a plain scalar?
        //
        // A plain scalar may start with any non-blank characters except
        //
        //      '-', '?', ':', ',', '[', ']', '{', '}',
        //      '#', '&', '*', '!', '|', '>', '\'', '\"',
        //      '%', '@', '`'.
        //
        // In the block context (and, for the '-' indicator, in the flow context
        // too), it may also start with the characters
        //
        //      '-', '?', ':'
        //
        // if it is followed by a non-space character.
        //
        // The last rule is more restrictive than the specification requires.
        // [Go] Make this logic more reasonable.
        //switch parser.buffer[parser.buffer_pos] {
        //case '-', '?', ':', ',', '?', '-', ',', ':', ']', '[', '}', '{', '&', '#', '!', '*', '>', '|', '"', '\'', '@', '%', '-', '`':
        //}
        if !(self.is_blankz(0) || is_indicator(c))
            || (c == b'-' && !self.is_blank(1))
            || (self.flow_level == 0 && (c == b'?' || c == b':') && !self.is_blankz(1))
        {
            return self.fetch_plain_scalar();
        }

        // If we don't determine the token type so far, it is an error.
        Err(self.set_scanner_error(
            "while scanning for the next token",
            self.mark,
            "found character that cannot start any token",
        ))
    }

    /// yaml_simple_key_is_valid, for `parser.simple_keys[index]`.
    fn simple_key_is_valid(&mut self, index: usize) -> Fallible<bool> {
        // [Go] An index out of range would panic; the map only holds indexes of live levels.
        let Some(simple_key) = self.simple_keys.get(index).copied() else { return Ok(false) };
        if !simple_key.possible {
            return Ok(false);
        }

        // The 1.2 specification says:
        //
        //     "If the ? indicator is omitted, parsing needs to see past the
        //     implicit key to recognize it as such. To limit the amount of
        //     lookahead required, the “:” indicator must appear at most 1024
        //     Unicode characters beyond the start of the key. In addition, the key
        //     is restricted to a single line."
        //
        if simple_key.mark.line < self.mark.line || simple_key.mark.index + 1024 < self.mark.index {
            // Check if the potential simple key to be removed is required.
            if simple_key.required {
                return Err(self.set_scanner_error(
                    "while scanning a simple key",
                    simple_key.mark,
                    "could not find expected ':'",
                ));
            }
            self.simple_keys[index].possible = false;
            return Ok(false);
        }
        Ok(true)
    }

    /// yaml_parser_save_simple_key: check if a simple key may start at the current position
    /// and add it if needed.
    fn save_simple_key(&mut self) -> Fallible<()> {
        // A simple key is required at the current position if the scanner is in
        // the block context and the current column coincides with the indentation
        // level.
        let required = self.flow_level == 0 && self.indent == self.mark.column as isize;

        // If the current position may start a simple key, save it.
        if self.simple_key_allowed {
            let simple_key = SimpleKey {
                possible: true,
                required,
                token_number: self.tokens_parsed + self.tokens.queued(),
                mark: self.mark,
            };

            self.remove_simple_key()?;
            if let Some(last) = self.simple_keys.len().checked_sub(1) {
                self.simple_keys[last] = simple_key;
                self.simple_keys_by_tok.insert(simple_key.token_number, last);
            }
        }
        Ok(())
    }

    /// yaml_parser_remove_simple_key: remove a potential simple key at the current flow level.
    fn remove_simple_key(&mut self) -> Fallible<()> {
        let Some(i) = self.simple_keys.len().checked_sub(1) else { return Ok(()) };
        if self.simple_keys[i].possible {
            // If the key is required, it is an error.
            if self.simple_keys[i].required {
                return Err(self.set_scanner_error(
                    "while scanning a simple key",
                    self.simple_keys[i].mark,
                    "could not find expected ':'",
                ));
            }
            // Remove the key from the stack.
            self.simple_keys[i].possible = false;
            self.simple_keys_by_tok.remove(&self.simple_keys[i].token_number);
        }
        Ok(())
    }

    /// yaml_parser_increase_flow_level.
    fn increase_flow_level(&mut self) -> Fallible<()> {
        // Reset the simple key on the next level.
        self.simple_keys.push(SimpleKey {
            possible: false,
            required: false,
            token_number: self.tokens_parsed + self.tokens.queued(),
            mark: self.mark,
        });

        // Increase the flow level.
        self.flow_level += 1;
        if self.flow_level > MAX_FLOW_LEVEL {
            let mark = self.simple_keys.last().map(|k| k.mark).unwrap_or_default();
            return Err(self.set_scanner_error(
                "while increasing flow level",
                mark,
                &format!("exceeded max depth of {MAX_FLOW_LEVEL}"),
            ));
        }
        Ok(())
    }

    /// yaml_parser_decrease_flow_level.
    fn decrease_flow_level(&mut self) {
        if self.flow_level > 0 {
            self.flow_level -= 1;
            if let Some(last) = self.simple_keys.pop() {
                self.simple_keys_by_tok.remove(&last.token_number);
            }
        }
    }

    /// yaml_parser_roll_indent: push the current indentation level to the stack and set the
    /// new level if the current column is greater than the indentation level. In this case,
    /// append or insert the specified token into the token queue.
    fn roll_indent(&mut self, column: isize, number: isize, typ: TokenType, mark: Mark) -> Fallible<()> {
        // In the flow context, do nothing.
        if self.flow_level > 0 {
            return Ok(());
        }

        if self.indent < column {
            // Push the current indentation level to the stack and set the new
            // indentation level.
            self.indents.push(self.indent);
            self.indent = column;
            if self.indents.len() > MAX_INDENTS {
                let mark = self.simple_keys.last().map(|k| k.mark).unwrap_or_default();
                return Err(self.set_scanner_error(
                    "while increasing indent level",
                    mark,
                    &format!("exceeded max depth of {MAX_INDENTS}"),
                ));
            }

            // Create a token and insert it into the queue.
            let token = Token::new(typ, mark, mark);
            let mut number = number;
            if number > -1 {
                number -= self.tokens_parsed as isize;
            }
            self.insert_token(number, token);
        }
        Ok(())
    }

    /// yaml_parser_unroll_indent: pop indentation levels from the indents stack until the
    /// current level becomes less or equal to the column. For each indentation level, append
    /// the BLOCK-END token.
    fn unroll_indent(&mut self, column: isize) {
        // In the flow context, do nothing.
        if self.flow_level > 0 {
            return;
        }

        // Loop through the indentation levels in the stack.
        while self.indent > column {
            // Create a token and append it to the queue.
            let token = Token::new(TokenType::BlockEnd, self.mark, self.mark);
            self.insert_token(-1, token);

            // Pop the indentation level.
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    /// yaml_parser_fetch_stream_start: initialize the scanner and produce the STREAM-START token.
    fn fetch_stream_start(&mut self) {
        // Set the initial indentation.
        self.indent = -1;

        // Initialize the simple key stack.
        self.simple_keys.push(SimpleKey::default());

        self.simple_keys_by_tok = TokenNumberMap::default();

        // A simple key is allowed at the beginning of the stream.
        self.simple_key_allowed = true;

        // We have started.
        self.stream_start_produced = true;

        // Create the STREAM-START token and append it to the queue.
        let token = Token::new(TokenType::StreamStart, self.mark, self.mark);
        self.insert_token(-1, token);
    }

    /// yaml_parser_fetch_stream_end: produce the STREAM-END token and shut down the scanner.
    fn fetch_stream_end(&mut self) -> Fallible<()> {
        // Force new line.
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }

        // Reset the indentation level.
        self.unroll_indent(-1);

        // Reset simple keys.
        self.remove_simple_key()?;

        self.simple_key_allowed = false;

        // Create the STREAM-END token and append it to the queue.
        let token = Token::new(TokenType::StreamEnd, self.mark, self.mark);
        self.insert_token(-1, token);
        Ok(())
    }

    /// yaml_parser_fetch_directive: produce a VERSION-DIRECTIVE or TAG-DIRECTIVE token.
    fn fetch_directive(&mut self) -> Fallible<()> {
        // Reset the indentation level.
        self.unroll_indent(-1);

        // Reset simple keys.
        self.remove_simple_key()?;

        self.simple_key_allowed = false;

        // Create the YAML-DIRECTIVE or TAG-DIRECTIVE token.
        let token = self.scan_directive()?;
        // Append the token to the queue.
        self.insert_token(-1, token);
        Ok(())
    }

    /// yaml_parser_fetch_document_indicator: produce the DOCUMENT-START or DOCUMENT-END token.
    fn fetch_document_indicator(&mut self, typ: TokenType) -> Fallible<()> {
        // Reset the indentation level.
        self.unroll_indent(-1);

        // Reset simple keys.
        self.remove_simple_key()?;

        self.simple_key_allowed = false;

        // Consume the token.
        let start_mark = self.mark;

        self.skip();
        self.skip();
        self.skip();

        let end_mark = self.mark;

        // Create the DOCUMENT-START or DOCUMENT-END token.
        self.insert_token(-1, Token::new(typ, start_mark, end_mark));
        Ok(())
    }

    /// yaml_parser_fetch_flow_collection_start: produce the FLOW-SEQUENCE-START or
    /// FLOW-MAPPING-START token.
    fn fetch_flow_collection_start(&mut self, typ: TokenType) -> Fallible<()> {
        // The indicators '[' and '{' may start a simple key.
        self.save_simple_key()?;

        // Increase the flow level.
        self.increase_flow_level()?;

        // A simple key may follow the indicators '[' and '{'.
        self.simple_key_allowed = true;

        // Consume the token.
        let start_mark = self.mark;
        self.skip();
        let end_mark = self.mark;

        // Create the FLOW-SEQUENCE-START of FLOW-MAPPING-START token.
        self.insert_token(-1, Token::new(typ, start_mark, end_mark));
        Ok(())
    }

    /// yaml_parser_fetch_flow_collection_end: produce the FLOW-SEQUENCE-END or
    /// FLOW-MAPPING-END token.
    fn fetch_flow_collection_end(&mut self, typ: TokenType) -> Fallible<()> {
        // Reset any potential simple key on the current flow level.
        self.remove_simple_key()?;

        // Decrease the flow level.
        self.decrease_flow_level();

        // No simple keys after the indicators ']' and '}'.
        self.simple_key_allowed = false;

        // Consume the token.
        let start_mark = self.mark;
        self.skip();
        let end_mark = self.mark;

        // Create the FLOW-SEQUENCE-END of FLOW-MAPPING-END token.
        self.insert_token(-1, Token::new(typ, start_mark, end_mark));
        Ok(())
    }

    /// yaml_parser_fetch_flow_entry: produce the FLOW-ENTRY token.
    fn fetch_flow_entry(&mut self) -> Fallible<()> {
        // Reset any potential simple keys on the current flow level.
        self.remove_simple_key()?;

        // Simple keys are allowed after ','.
        self.simple_key_allowed = true;

        // Consume the token.
        let start_mark = self.mark;
        self.skip();
        let end_mark = self.mark;

        // Create the FLOW-ENTRY token and append it to the queue.
        self.insert_token(-1, Token::new(TokenType::FlowEntry, start_mark, end_mark));
        Ok(())
    }

    /// yaml_parser_fetch_block_entry: produce the BLOCK-ENTRY token.
    fn fetch_block_entry(&mut self) -> Fallible<()> {
        // Check if the scanner is in the block context.
        if self.flow_level == 0 {
            // Check if we are allowed to start a new entry.
            if !self.simple_key_allowed {
                return Err(self.set_scanner_error(
                    "",
                    self.mark,
                    "block sequence entries are not allowed in this context",
                ));
            }
            // Add the BLOCK-SEQUENCE-START token if needed.
            self.roll_indent(self.mark.column as isize, -1, TokenType::BlockSequenceStart, self.mark)?;
        } else {
            // It is an error for the '-' indicator to occur in the flow context,
            // but we let the Parser detect and report about it because the Parser
            // is able to point to the context.
        }

        // Reset any potential simple keys on the current flow level.
        self.remove_simple_key()?;

        // Simple keys are allowed after '-'.
        self.simple_key_allowed = true;

        // Consume the token.
        let start_mark = self.mark;
        self.skip();
        let end_mark = self.mark;

        // Create the BLOCK-ENTRY token and append it to the queue.
        self.insert_token(-1, Token::new(TokenType::BlockEntry, start_mark, end_mark));
        Ok(())
    }

    /// yaml_parser_fetch_key: produce the KEY token.
    fn fetch_key(&mut self) -> Fallible<()> {
        // In the block context, additional checks are required.
        if self.flow_level == 0 {
            // Check if we are allowed to start a new key (not nessesary simple).
            if !self.simple_key_allowed {
                return Err(self.set_scanner_error("", self.mark, "mapping keys are not allowed in this context"));
            }
            // Add the BLOCK-MAPPING-START token if needed.
            self.roll_indent(self.mark.column as isize, -1, TokenType::BlockMappingStart, self.mark)?;
        }

        // Reset any potential simple keys on the current flow level.
        self.remove_simple_key()?;

        // Simple keys are allowed after '?' in the block context.
        self.simple_key_allowed = self.flow_level == 0;

        // Consume the token.
        let start_mark = self.mark;
        self.skip();
        let end_mark = self.mark;

        // Create the KEY token and append it to the queue.
        self.insert_token(-1, Token::new(TokenType::Key, start_mark, end_mark));
        Ok(())
    }

    /// yaml_parser_fetch_value: produce the VALUE token.
    fn fetch_value(&mut self) -> Fallible<()> {
        let last = self.simple_keys.len().saturating_sub(1);

        // Have we found a simple key?
        if self.simple_key_is_valid(last)? {
            let simple_key = self.simple_keys[last];

            // Create the KEY token and insert it into the queue.
            let token = Token::new(TokenType::Key, simple_key.mark, simple_key.mark);
            self.insert_token(simple_key.token_number as isize - self.tokens_parsed as isize, token);

            // In the block context, we may need to add the BLOCK-MAPPING-START token.
            self.roll_indent(
                simple_key.mark.column as isize,
                simple_key.token_number as isize,
                TokenType::BlockMappingStart,
                simple_key.mark,
            )?;

            // Remove the simple key.
            self.simple_keys[last].possible = false;
            self.simple_keys_by_tok.remove(&simple_key.token_number);

            // A simple key cannot follow another simple key.
            self.simple_key_allowed = false;
        } else {
            // The ':' indicator follows a complex key.

            // In the block context, extra checks are required.
            if self.flow_level == 0 {
                // Check if we are allowed to start a complex value.
                if !self.simple_key_allowed {
                    return Err(self.set_scanner_error(
                        "",
                        self.mark,
                        "mapping values are not allowed in this context",
                    ));
                }

                // Add the BLOCK-MAPPING-START token if needed.
                self.roll_indent(self.mark.column as isize, -1, TokenType::BlockMappingStart, self.mark)?;
            }

            // Simple keys after ':' are allowed in the block context.
            self.simple_key_allowed = self.flow_level == 0;
        }

        // Consume the token.
        let start_mark = self.mark;
        self.skip();
        let end_mark = self.mark;

        // Create the VALUE token and append it to the queue.
        self.insert_token(-1, Token::new(TokenType::Value, start_mark, end_mark));
        Ok(())
    }

    /// yaml_parser_fetch_anchor: produce the ALIAS or ANCHOR token.
    fn fetch_anchor(&mut self, typ: TokenType) -> Fallible<()> {
        // An anchor or an alias could be a simple key.
        self.save_simple_key()?;

        // A simple key cannot follow an anchor or an alias.
        self.simple_key_allowed = false;

        // Create the ALIAS or ANCHOR token and append it to the queue.
        let token = self.scan_anchor(typ)?;
        self.insert_token(-1, token);
        Ok(())
    }

    /// yaml_parser_fetch_tag: produce the TAG token.
    fn fetch_tag(&mut self) -> Fallible<()> {
        // A tag could be a simple key.
        self.save_simple_key()?;

        // A simple key cannot follow a tag.
        self.simple_key_allowed = false;

        // Create the TAG token and append it to the queue.
        let token = self.scan_tag()?;
        self.insert_token(-1, token);
        Ok(())
    }

    /// yaml_parser_fetch_block_scalar: produce the SCALAR(...,literal) or SCALAR(...,folded) tokens.
    fn fetch_block_scalar(&mut self, literal: bool) -> Fallible<()> {
        // Remove any potential simple keys.
        self.remove_simple_key()?;

        // A simple key may follow a block scalar.
        self.simple_key_allowed = true;

        // Create the SCALAR token and append it to the queue.
        let token = self.scan_block_scalar(literal)?;
        self.insert_token(-1, token);
        Ok(())
    }

    /// yaml_parser_fetch_flow_scalar: produce the SCALAR(...,single-quoted) or
    /// SCALAR(...,double-quoted) tokens.
    fn fetch_flow_scalar(&mut self, single: bool) -> Fallible<()> {
        // A plain scalar could be a simple key.
        self.save_simple_key()?;

        // A simple key cannot follow a flow scalar.
        self.simple_key_allowed = false;

        // Create the SCALAR token and append it to the queue.
        let token = self.scan_flow_scalar(single)?;
        self.insert_token(-1, token);
        Ok(())
    }

    /// yaml_parser_fetch_plain_scalar: produce the SCALAR(...,plain) token.
    fn fetch_plain_scalar(&mut self) -> Fallible<()> {
        // A plain scalar could be a simple key.
        self.save_simple_key()?;

        // A simple key cannot follow a flow scalar.
        self.simple_key_allowed = false;

        // Create the SCALAR token and append it to the queue.
        let token = self.scan_plain_scalar()?;
        self.insert_token(-1, token);
        Ok(())
    }

    /// yaml_parser_scan_to_next_token: eat whitespaces and comments until the next token is found.
    fn scan_to_next_token(&mut self) -> Fallible<()> {
        // Until the next token is not found.
        loop {
            // Allow the BOM mark to start a line.
            self.cache(1)?;
            if self.mark.column == 0 && self.is_bom() {
                self.skip();
            }

            // Eat whitespaces.
            // Tabs are allowed:
            //  - in the flow context
            //  - in the block context, but not at the beginning of the line or
            //  after '-', '?', or ':' (complex value).
            self.cache(1)?;

            while self.at(0) == b' ' || ((self.flow_level > 0 || !self.simple_key_allowed) && self.at(0) == b'\t') {
                self.skip();
                self.cache(1)?;
            }

            // Eat a comment until a line break.
            if self.at(0) == b'#' {
                while !self.is_breakz(0) {
                    self.skip();
                    self.cache(1)?;
                }
            }

            // If it is a line break, eat it.
            if self.is_break(0) {
                self.cache(2)?;
                self.skip_line();

                // In the block context, a new line may start a simple key.
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
            } else {
                break; // We have found a token.
            }
        }

        Ok(())
    }

    /// yaml_parser_scan_directive: scan a YAML-DIRECTIVE or TAG-DIRECTIVE token.
    ///
    /// Scope:
    ///      %YAML    1.1    # a comment \n
    ///      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    ///      %TAG    !yaml!  tag:yaml.org,2002:  \n
    ///      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    fn scan_directive(&mut self) -> Fallible<Token> {
        // Eat '%'.
        let start_mark = self.mark;
        self.skip();

        // Scan the directive name.
        let name = self.scan_directive_name(start_mark)?;

        // Is it a YAML directive?
        let token = if name == b"YAML" {
            // Scan the VERSION directive value.
            let (major, minor) = self.scan_version_directive_value(start_mark)?;
            let end_mark = self.mark;

            // Create a VERSION-DIRECTIVE token.
            Token { major, minor, ..Token::new(TokenType::VersionDirective, start_mark, end_mark) }

            // Is it a TAG directive?
        } else if name == b"TAG" {
            // Scan the TAG directive value.
            let (handle, prefix) = self.scan_tag_directive_value(start_mark)?;
            let end_mark = self.mark;

            // Create a TAG-DIRECTIVE token.
            Token { value: handle, prefix, ..Token::new(TokenType::TagDirective, start_mark, end_mark) }

            // Unknown directive.
        } else {
            return Err(self.set_scanner_error(
                "while scanning a directive",
                start_mark,
                "found unknown directive name",
            ));
        };

        // Eat the rest of the line including any comments.
        self.cache(1)?;

        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }

        if self.at(0) == b'#' {
            while !self.is_breakz(0) {
                self.skip();
                self.cache(1)?;
            }
        }

        // Check if we are at the end of the line.
        if !self.is_breakz(0) {
            return Err(self.set_scanner_error(
                "while scanning a directive",
                start_mark,
                "did not find expected comment or line break",
            ));
        }

        // Eat a line break.
        if self.is_break(0) {
            self.cache(2)?;
            self.skip_line();
        }

        Ok(token)
    }

    /// yaml_parser_scan_directive_name: scan the directive name.
    ///
    /// Scope:
    ///      %YAML   1.1     # a comment \n
    ///       ^^^^
    ///      %TAG    !yaml!  tag:yaml.org,2002:  \n
    ///       ^^^
    fn scan_directive_name(&mut self, start_mark: Mark) -> Fallible<Vec<u8>> {
        // Consume the directive name.
        self.cache(1)?;

        let mut s = Vec::new();
        while self.is_alpha(0) {
            self.read(&mut s);
            self.cache(1)?;
        }

        // Check if the name is empty.
        if s.is_empty() {
            return Err(self.set_scanner_error(
                "while scanning a directive",
                start_mark,
                "could not find expected directive name",
            ));
        }

        // Check for an blank character after the name.
        if !self.is_blankz(0) {
            return Err(self.set_scanner_error(
                "while scanning a directive",
                start_mark,
                "found unexpected non-alphabetical character",
            ));
        }
        Ok(s)
    }

    /// yaml_parser_scan_version_directive_value: scan the value of VERSION-DIRECTIVE.
    ///
    /// Scope:
    ///      %YAML   1.1     # a comment \n
    ///           ^^^^^^
    fn scan_version_directive_value(&mut self, start_mark: Mark) -> Fallible<(i8, i8)> {
        // Eat whitespaces.
        self.cache(1)?;
        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }

        // Consume the major version number.
        let major = self.scan_version_directive_number(start_mark)?;

        // Eat '.'.
        if self.at(0) != b'.' {
            return Err(self.set_scanner_error(
                "while scanning a %YAML directive",
                start_mark,
                "did not find expected digit or '.' character",
            ));
        }

        self.skip();

        // Consume the minor version number.
        let minor = self.scan_version_directive_number(start_mark)?;
        Ok((major, minor))
    }

    /// yaml_parser_scan_version_directive_number: scan the version number of VERSION-DIRECTIVE.
    ///
    /// Scope:
    ///      %YAML   1.1     # a comment \n
    ///              ^
    ///      %YAML   1.1     # a comment \n
    ///                ^
    fn scan_version_directive_number(&mut self, start_mark: Mark) -> Fallible<i8> {
        // Repeat while the next character is digit.
        self.cache(1)?;
        let mut value: i8 = 0;
        let mut length: i8 = 0;
        while self.is_digit(0) {
            // Check if the number is too long.
            length += 1;
            if length > MAX_NUMBER_LENGTH {
                return Err(self.set_scanner_error(
                    "while scanning a %YAML directive",
                    start_mark,
                    "found extremely long version number",
                ));
            }
            value = value * 10 + self.as_digit(0) as i8;
            self.skip();
            self.cache(1)?;
        }

        // Check if the number was present.
        if length == 0 {
            return Err(self.set_scanner_error(
                "while scanning a %YAML directive",
                start_mark,
                "did not find expected version number",
            ));
        }
        Ok(value)
    }

    /// yaml_parser_scan_tag_directive_value: scan the value of a TAG-DIRECTIVE token.
    ///
    /// Scope:
    ///      %TAG    !yaml!  tag:yaml.org,2002:  \n
    ///          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    fn scan_tag_directive_value(&mut self, start_mark: Mark) -> Fallible<(Vec<u8>, Vec<u8>)> {
        // Eat whitespaces.
        self.cache(1)?;

        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }

        // Scan a handle.
        let handle_value = self.scan_tag_handle(true, start_mark)?;

        // Expect a whitespace.
        self.cache(1)?;
        if !self.is_blank(0) {
            return Err(self.set_scanner_error(
                "while scanning a %TAG directive",
                start_mark,
                "did not find expected whitespace",
            ));
        }

        // Eat whitespaces.
        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }

        // Scan a prefix.
        let prefix_value = self.scan_tag_uri(true, &[], start_mark)?;

        // Expect a whitespace or line break.
        self.cache(1)?;
        if !self.is_blankz(0) {
            return Err(self.set_scanner_error(
                "while scanning a %TAG directive",
                start_mark,
                "did not find expected whitespace or line break",
            ));
        }

        Ok((handle_value, prefix_value))
    }

    /// yaml_parser_scan_anchor.
    fn scan_anchor(&mut self, typ: TokenType) -> Fallible<Token> {
        let mut s = Vec::new();

        // Eat the indicator character.
        let start_mark = self.mark;
        self.skip();

        // Consume the value.
        self.cache(1)?;

        while self.is_alpha(0) {
            self.read(&mut s);
            self.cache(1)?;
        }

        let end_mark = self.mark;

        // Check if length of the anchor is greater than 0 and it is followed by
        // a whitespace character or one of the indicators:
        //
        //      '?', ':', ',', ']', '}', '%', '@', '`'.
        if s.is_empty()
            || !(self.is_blankz(0) || matches!(self.at(0), b'?' | b':' | b',' | b']' | b'}' | b'%' | b'@' | b'`'))
        {
            let context = if typ == TokenType::Anchor { "while scanning an anchor" } else { "while scanning an alias" };
            return Err(self.set_scanner_error(
                context,
                start_mark,
                "did not find expected alphabetic or numeric character",
            ));
        }

        // Create a token.
        Ok(Token { value: s, ..Token::new(typ, start_mark, end_mark) })
    }

    /// yaml_parser_scan_tag: scan a TAG token.
    fn scan_tag(&mut self) -> Fallible<Token> {
        let mut handle;
        let mut suffix;

        let start_mark = self.mark;

        // Check if the tag is in the canonical form.
        self.cache(2)?;

        if self.at(1) == b'<' {
            // Keep the handle as ''
            handle = Vec::new();

            // Eat '!<'
            self.skip();
            self.skip();

            // Consume the tag value.
            suffix = self.scan_tag_uri(false, &[], start_mark)?;

            // Check for '>' and eat it.
            if self.at(0) != b'>' {
                return Err(self.set_scanner_error(
                    "while scanning a tag",
                    start_mark,
                    "did not find the expected '>'",
                ));
            }

            self.skip();
        } else {
            // The tag has either the '!suffix' or the '!handle!suffix' form.

            // First, try to scan a handle.
            handle = self.scan_tag_handle(false, start_mark)?;

            // Check if it is, indeed, handle.
            if handle.first() == Some(&b'!') && handle.len() > 1 && handle.last() == Some(&b'!') {
                // Scan the suffix now.
                suffix = self.scan_tag_uri(false, &[], start_mark)?;
            } else {
                // It wasn't a handle after all.  Scan the rest of the tag.
                suffix = self.scan_tag_uri(false, &handle, start_mark)?;

                // Set the handle to '!'.
                handle = vec![b'!'];

                // A special case: the '!' tag.  Set the handle to '' and the
                // suffix to '!'.
                if suffix.is_empty() {
                    std::mem::swap(&mut handle, &mut suffix);
                }
            }
        }

        // Check the character which ends the tag.
        self.cache(1)?;
        if !self.is_blankz(0) {
            return Err(self.set_scanner_error(
                "while scanning a tag",
                start_mark,
                "did not find expected whitespace or line break",
            ));
        }

        let end_mark = self.mark;

        // Create a token.
        Ok(Token { value: handle, suffix, ..Token::new(TokenType::Tag, start_mark, end_mark) })
    }

    /// yaml_parser_scan_tag_handle: scan a tag handle.
    fn scan_tag_handle(&mut self, directive: bool, start_mark: Mark) -> Fallible<Vec<u8>> {
        // Check the initial '!' character.
        self.cache(1)?;
        if self.at(0) != b'!' {
            return Err(self.set_scanner_tag_error(directive, start_mark, "did not find expected '!'"));
        }

        let mut s = Vec::new();

        // Copy the '!' character.
        self.read(&mut s);

        // Copy all subsequent alphabetical and numerical characters.
        self.cache(1)?;
        while self.is_alpha(0) {
            self.read(&mut s);
            self.cache(1)?;
        }

        // Check if the trailing character is '!' and copy it.
        if self.at(0) == b'!' {
            self.read(&mut s);
        } else {
            // It's either the '!' tag or not really a tag handle.  If it's a %TAG
            // directive, it's an error.  If it's a tag token, it must be a part of URI.
            if directive && s != b"!" {
                return Err(self.set_scanner_tag_error(directive, start_mark, "did not find expected '!'"));
            }
        }

        Ok(s)
    }

    /// yaml_parser_scan_tag_uri: scan a tag.
    fn scan_tag_uri(&mut self, directive: bool, head: &[u8], start_mark: Mark) -> Fallible<Vec<u8>> {
        let mut s = Vec::new();
        let mut has_tag = !head.is_empty();

        // Copy the head if needed.
        //
        // Note that we don't copy the leading '!' character.
        if head.len() > 1 {
            s.extend_from_slice(&head[1..]);
        }

        // Scan the tag.
        self.cache(1)?;

        // The set of characters that may appear in URI is as follows:
        //
        //      '0'-'9', 'A'-'Z', 'a'-'z', '_', '-', ';', '/', '?', ':', '@', '&',
        //      '=', '+', '$', ',', '.', '!', '~', '*', '\'', '(', ')', '[', ']',
        //      '%'.
        // [Go] Convert this into more reasonable logic.
        while self.is_alpha(0)
            || matches!(
                self.at(0),
                b';' | b'/'
                    | b'?'
                    | b':'
                    | b'@'
                    | b'&'
                    | b'='
                    | b'+'
                    | b'$'
                    | b','
                    | b'.'
                    | b'!'
                    | b'~'
                    | b'*'
                    | b'\''
                    | b'('
                    | b')'
                    | b'['
                    | b']'
                    | b'%'
            )
        {
            // Check if it is a URI-escape sequence.
            if self.at(0) == b'%' {
                self.scan_uri_escapes(directive, start_mark, &mut s)?;
            } else {
                self.read(&mut s);
            }
            self.cache(1)?;
            has_tag = true;
        }

        if !has_tag {
            return Err(self.set_scanner_tag_error(directive, start_mark, "did not find expected tag URI"));
        }
        Ok(s)
    }

    /// yaml_parser_scan_uri_escapes: decode an URI-escape sequence corresponding to a single
    /// UTF-8 character. [Go] The octets are not checked further: a tag may hold a sequence
    /// that is not UTF-8 (`Event::tag_bytes` keeps it).
    fn scan_uri_escapes(&mut self, directive: bool, start_mark: Mark, s: &mut Vec<u8>) -> Fallible<()> {
        // Decode the required number of characters.
        let mut w: usize = 1024;
        while w > 0 {
            // Check for a URI-escaped octet.
            self.cache(3)?;

            if !(self.at(0) == b'%' && self.is_hex(1) && self.is_hex(2)) {
                return Err(self.set_scanner_tag_error(directive, start_mark, "did not find URI escaped octet"));
            }

            // Get the octet.
            let octet = ((self.as_hex(1) << 4) + self.as_hex(2)) as u8;

            // If it is the leading octet, determine the length of the UTF-8 sequence.
            if w == 1024 {
                w = width(octet);
                if w == 0 {
                    return Err(self.set_scanner_tag_error(
                        directive,
                        start_mark,
                        "found an incorrect leading UTF-8 octet",
                    ));
                }
            } else {
                // Check if the trailing octet is correct.
                if octet & 0xC0 != 0x80 {
                    return Err(self.set_scanner_tag_error(
                        directive,
                        start_mark,
                        "found an incorrect trailing UTF-8 octet",
                    ));
                }
            }

            // Copy the octet and move the pointers.
            s.push(octet);
            self.skip();
            self.skip();
            self.skip();
            w -= 1;
        }
        Ok(())
    }

    /// yaml_parser_scan_block_scalar: scan a block scalar.
    fn scan_block_scalar(&mut self, literal: bool) -> Fallible<Token> {
        // Eat the indicator '|' or '>'.
        let start_mark = self.mark;
        self.skip();

        // Scan the additional block scalar indicators.
        self.cache(1)?;

        // Check for a chomping indicator.
        let mut chomping = 0;
        let mut increment: isize = 0;
        if self.at(0) == b'+' || self.at(0) == b'-' {
            // Set the chomping method and eat the indicator.
            chomping = if self.at(0) == b'+' { 1 } else { -1 };
            self.skip();

            // Check for an indentation indicator.
            self.cache(1)?;
            if self.is_digit(0) {
                // Check that the indentation is greater than 0.
                if self.at(0) == b'0' {
                    return Err(self.set_scanner_error(
                        "while scanning a block scalar",
                        start_mark,
                        "found an indentation indicator equal to 0",
                    ));
                }

                // Get the indentation level and eat the indicator.
                increment = self.as_digit(0) as isize;
                self.skip();
            }
        } else if self.is_digit(0) {
            // Do the same as above, but in the opposite order.

            if self.at(0) == b'0' {
                return Err(self.set_scanner_error(
                    "while scanning a block scalar",
                    start_mark,
                    "found an indentation indicator equal to 0",
                ));
            }
            increment = self.as_digit(0) as isize;
            self.skip();

            self.cache(1)?;
            if self.at(0) == b'+' || self.at(0) == b'-' {
                chomping = if self.at(0) == b'+' { 1 } else { -1 };
                self.skip();
            }
        }

        // Eat whitespaces and comments to the end of the line.
        self.cache(1)?;
        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }
        if self.at(0) == b'#' {
            while !self.is_breakz(0) {
                self.skip();
                self.cache(1)?;
            }
        }

        // Check if we are at the end of the line.
        if !self.is_breakz(0) {
            return Err(self.set_scanner_error(
                "while scanning a block scalar",
                start_mark,
                "did not find expected comment or line break",
            ));
        }

        // Eat a line break.
        if self.is_break(0) {
            self.cache(2)?;
            self.skip_line();
        }

        let mut end_mark = self.mark;

        // Set the indentation level if it was specified.
        let mut indent: isize = 0;
        if increment > 0 {
            indent = if self.indent >= 0 { self.indent + increment } else { increment };
        }

        // Scan the leading line breaks and determine the indentation level if needed.
        let mut s = Vec::new();
        let mut leading_break = Vec::new();
        let mut trailing_breaks = Vec::new();
        self.scan_block_scalar_breaks(&mut indent, &mut trailing_breaks, start_mark, &mut end_mark)?;

        // Scan the block scalar content.
        self.cache(1)?;
        let mut leading_blank = false;
        let mut trailing_blank;
        while self.mark.column as isize == indent && !self.is_z(0) {
            // We are at the beginning of a non-empty line.

            // Is it a trailing whitespace?
            trailing_blank = self.is_blank(0);

            // Check if we need to fold the leading line break.
            if !literal && !leading_blank && !trailing_blank && leading_break.first() == Some(&b'\n') {
                // Do we need to join the lines by space?
                if trailing_breaks.is_empty() {
                    s.push(b' ');
                }
            } else {
                s.extend_from_slice(&leading_break);
            }
            leading_break.clear();

            // Append the remaining line breaks.
            s.extend_from_slice(&trailing_breaks);
            trailing_breaks.clear();

            // Is it a leading whitespace?
            leading_blank = self.is_blank(0);

            // Consume the current line.
            while !self.is_breakz(0) {
                self.read(&mut s);
                self.cache(1)?;
            }

            // Consume the line break.
            self.cache(2)?;

            self.read_line(&mut leading_break);

            // Eat the following indentation spaces and line breaks.
            self.scan_block_scalar_breaks(&mut indent, &mut trailing_breaks, start_mark, &mut end_mark)?;
        }

        // Chomp the tail.
        if chomping != -1 {
            s.extend_from_slice(&leading_break);
        }
        if chomping == 1 {
            s.extend_from_slice(&trailing_breaks);
        }

        // Create a token.
        let style = if literal { ScalarStyle::Literal } else { ScalarStyle::Folded };
        Ok(Token { value: s, style, ..Token::new(TokenType::Scalar, start_mark, end_mark) })
    }

    /// yaml_parser_scan_block_scalar_breaks: scan indentation spaces and line breaks for a
    /// block scalar. Determine the indentation level if needed.
    fn scan_block_scalar_breaks(
        &mut self,
        indent: &mut isize,
        breaks: &mut Vec<u8>,
        start_mark: Mark,
        end_mark: &mut Mark,
    ) -> Fallible<()> {
        *end_mark = self.mark;

        // Eat the indentation spaces and line breaks.
        let mut max_indent: isize = 0;
        loop {
            // Eat the indentation spaces.
            self.cache(1)?;
            while (*indent == 0 || (self.mark.column as isize) < *indent) && self.is_space(0) {
                self.skip();
                self.cache(1)?;
            }
            if self.mark.column as isize > max_indent {
                max_indent = self.mark.column as isize;
            }

            // Check for a tab character messing the indentation.
            if (*indent == 0 || (self.mark.column as isize) < *indent) && self.is_tab(0) {
                return Err(self.set_scanner_error(
                    "while scanning a block scalar",
                    start_mark,
                    "found a tab character where an indentation space is expected",
                ));
            }

            // Have we found a non-empty line?
            if !self.is_break(0) {
                break;
            }

            // Consume the line break.
            self.cache(2)?;
            // [Go] Should really be returning breaks instead.
            self.read_line(breaks);
            *end_mark = self.mark;
        }

        // Determine the indentation level if needed.
        if *indent == 0 {
            *indent = max_indent;
            if *indent < self.indent + 1 {
                *indent = self.indent + 1;
            }
            if *indent < 1 {
                *indent = 1;
            }
        }
        Ok(())
    }

    /// yaml_parser_scan_flow_scalar: scan a quoted scalar.
    fn scan_flow_scalar(&mut self, single: bool) -> Fallible<Token> {
        // Eat the left quote.
        let start_mark = self.mark;
        self.skip();

        // Consume the content of the quoted scalar.
        let mut s = Vec::new();
        let mut leading_break = Vec::new();
        let mut trailing_breaks = Vec::new();
        let mut whitespaces = Vec::new();
        loop {
            // Check that there are no document indicators at the beginning of the line.
            self.cache(4)?;

            if self.mark.column == 0
                && ((self.at(0) == b'-' && self.at(1) == b'-' && self.at(2) == b'-')
                    || (self.at(0) == b'.' && self.at(1) == b'.' && self.at(2) == b'.'))
                && self.is_blankz(3)
            {
                return Err(self.set_scanner_error(
                    "while scanning a quoted scalar",
                    start_mark,
                    "found unexpected document indicator",
                ));
            }

            // Check for EOF.
            if self.is_z(0) {
                return Err(self.set_scanner_error(
                    "while scanning a quoted scalar",
                    start_mark,
                    "found unexpected end of stream",
                ));
            }

            // Consume non-blank characters.
            let mut leading_blanks = false;
            while !self.is_blankz(0) {
                if single && self.at(0) == b'\'' && self.at(1) == b'\'' {
                    // Is is an escaped single quote.
                    s.push(b'\'');
                    self.skip();
                    self.skip();
                } else if single && self.at(0) == b'\'' {
                    // It is a right single quote.
                    break;
                } else if !single && self.at(0) == b'"' {
                    // It is a right double quote.
                    break;
                } else if !single && self.at(0) == b'\\' && self.is_break(1) {
                    // It is an escaped line break.
                    self.cache(3)?;
                    self.skip();
                    self.skip_line();
                    leading_blanks = true;
                    break;
                } else if !single && self.at(0) == b'\\' {
                    // It is an escape sequence.
                    let mut code_length: usize = 0;

                    // Check the escape character.
                    match self.at(1) {
                        b'0' => s.push(0),
                        b'a' => s.push(b'\x07'),
                        b'b' => s.push(b'\x08'),
                        b't' | b'\t' => s.push(b'\x09'),
                        b'n' => s.push(b'\x0A'),
                        b'v' => s.push(b'\x0B'),
                        b'f' => s.push(b'\x0C'),
                        b'r' => s.push(b'\x0D'),
                        b'e' => s.push(b'\x1B'),
                        b' ' => s.push(b'\x20'),
                        b'"' => s.push(b'"'),
                        b'\'' => s.push(b'\''),
                        b'\\' => s.push(b'\\'),
                        // NEL (#x85)
                        b'N' => s.extend_from_slice(b"\xC2\x85"),
                        // #xA0
                        b'_' => s.extend_from_slice(b"\xC2\xA0"),
                        // LS (#x2028)
                        b'L' => s.extend_from_slice(b"\xE2\x80\xA8"),
                        // PS (#x2029)
                        b'P' => s.extend_from_slice(b"\xE2\x80\xA9"),
                        b'x' => code_length = 2,
                        b'u' => code_length = 4,
                        b'U' => code_length = 8,
                        _ => {
                            return Err(self.set_scanner_error(
                                "while parsing a quoted scalar",
                                start_mark,
                                "found unknown escape character",
                            ));
                        }
                    }

                    self.skip();
                    self.skip();

                    // Consume an arbitrary escape code.
                    if code_length > 0 {
                        let mut value: u32 = 0;

                        // Scan the character value.
                        self.cache(code_length as isize)?;
                        for k in 0..code_length {
                            if !self.is_hex(k) {
                                return Err(self.set_scanner_error(
                                    "while parsing a quoted scalar",
                                    start_mark,
                                    "did not find expected hexdecimal number",
                                ));
                            }
                            value = (value << 4) + self.as_hex(k);
                        }

                        // Check the value and write the character.
                        if (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
                            return Err(self.set_scanner_error(
                                "while parsing a quoted scalar",
                                start_mark,
                                "found invalid Unicode character escape code",
                            ));
                        }
                        if value <= 0x7F {
                            s.push(value as u8);
                        } else if value <= 0x7FF {
                            s.push((0xC0 + (value >> 6)) as u8);
                            s.push((0x80 + (value & 0x3F)) as u8);
                        } else if value <= 0xFFFF {
                            s.push((0xE0 + (value >> 12)) as u8);
                            s.push((0x80 + ((value >> 6) & 0x3F)) as u8);
                            s.push((0x80 + (value & 0x3F)) as u8);
                        } else {
                            s.push((0xF0 + (value >> 18)) as u8);
                            s.push((0x80 + ((value >> 12) & 0x3F)) as u8);
                            s.push((0x80 + ((value >> 6) & 0x3F)) as u8);
                            s.push((0x80 + (value & 0x3F)) as u8);
                        }

                        // Advance the pointer.
                        for _ in 0..code_length {
                            self.skip();
                        }
                    }
                } else {
                    // It is a non-escaped non-blank character.
                    self.read(&mut s);
                }
                self.cache(2)?;
            }

            self.cache(1)?;

            // Check if we are at the end of the scalar.
            if single {
                if self.at(0) == b'\'' {
                    break;
                }
            } else if self.at(0) == b'"' {
                break;
            }

            // Consume blank characters.
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    // Consume a space or a tab character.
                    if !leading_blanks {
                        self.read(&mut whitespaces);
                    } else {
                        self.skip();
                    }
                } else {
                    self.cache(2)?;

                    // Check if it is a first line break.
                    if !leading_blanks {
                        whitespaces.clear();
                        self.read_line(&mut leading_break);
                        leading_blanks = true;
                    } else {
                        self.read_line(&mut trailing_breaks);
                    }
                }
                self.cache(1)?;
            }

            // Join the whitespaces or fold line breaks.
            if leading_blanks {
                // Do we need to fold line breaks?
                if leading_break.first() == Some(&b'\n') {
                    if trailing_breaks.is_empty() {
                        s.push(b' ');
                    } else {
                        s.extend_from_slice(&trailing_breaks);
                    }
                } else {
                    s.extend_from_slice(&leading_break);
                    s.extend_from_slice(&trailing_breaks);
                }
                trailing_breaks.clear();
                leading_break.clear();
            } else {
                s.extend_from_slice(&whitespaces);
                whitespaces.clear();
            }
        }

        // Eat the right quote.
        self.skip();
        let end_mark = self.mark;

        // Create a token.
        let style = if single { ScalarStyle::SingleQuoted } else { ScalarStyle::DoubleQuoted };
        Ok(Token { value: s, style, ..Token::new(TokenType::Scalar, start_mark, end_mark) })
    }

    /// yaml_parser_scan_plain_scalar: scan a plain scalar.
    fn scan_plain_scalar(&mut self) -> Fallible<Token> {
        let mut s = Vec::new();
        let mut leading_break = Vec::new();
        let mut trailing_breaks = Vec::new();
        let mut whitespaces = Vec::new();
        let mut leading_blanks = false;
        let indent = self.indent + 1;

        let start_mark = self.mark;
        let mut end_mark = self.mark;

        // Consume the content of the plain scalar.
        loop {
            // Check for a document indicator.
            self.cache(4)?;
            if self.mark.column == 0
                && ((self.at(0) == b'-' && self.at(1) == b'-' && self.at(2) == b'-')
                    || (self.at(0) == b'.' && self.at(1) == b'.' && self.at(2) == b'.'))
                && self.is_blankz(3)
            {
                break;
            }

            // Check for a comment.
            if self.at(0) == b'#' {
                break;
            }

            // Consume non-blank characters.
            while !self.is_blankz(0) {
                // Check for indicators that may end a plain scalar.
                if (self.at(0) == b':' && self.is_blankz(1))
                    || (self.flow_level > 0 && matches!(self.at(0), b',' | b'?' | b'[' | b']' | b'{' | b'}'))
                {
                    break;
                }

                // Check if we need to join whitespaces and breaks.
                if leading_blanks || !whitespaces.is_empty() {
                    if leading_blanks {
                        // Do we need to fold line breaks?
                        if leading_break.first() == Some(&b'\n') {
                            if trailing_breaks.is_empty() {
                                s.push(b' ');
                            } else {
                                s.extend_from_slice(&trailing_breaks);
                            }
                        } else {
                            s.extend_from_slice(&leading_break);
                            s.extend_from_slice(&trailing_breaks);
                        }
                        trailing_breaks.clear();
                        leading_break.clear();
                        leading_blanks = false;
                    } else {
                        s.extend_from_slice(&whitespaces);
                        whitespaces.clear();
                    }
                }

                // Copy the character.
                self.read(&mut s);

                end_mark = self.mark;
                self.cache(2)?;
            }

            // Is it the end?
            if !(self.is_blank(0) || self.is_break(0)) {
                break;
            }

            // Consume blank characters.
            self.cache(1)?;

            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    // Check for tab characters that abuse indentation.
                    if leading_blanks && (self.mark.column as isize) < indent && self.is_tab(0) {
                        return Err(self.set_scanner_error(
                            "while scanning a plain scalar",
                            start_mark,
                            "found a tab character that violates indentation",
                        ));
                    }

                    // Consume a space or a tab character.
                    if !leading_blanks {
                        self.read(&mut whitespaces);
                    } else {
                        self.skip();
                    }
                } else {
                    self.cache(2)?;

                    // Check if it is a first line break.
                    if !leading_blanks {
                        whitespaces.clear();
                        self.read_line(&mut leading_break);
                        leading_blanks = true;
                    } else {
                        self.read_line(&mut trailing_breaks);
                    }
                }
                self.cache(1)?;
            }

            // Check indentation level.
            if self.flow_level == 0 && (self.mark.column as isize) < indent {
                break;
            }
        }

        // Create a token.
        let token =
            Token { value: s, style: ScalarStyle::Plain, ..Token::new(TokenType::Scalar, start_mark, end_mark) };

        // Note that we change the 'simple_key_allowed' flag.
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        Ok(token)
    }
}
