//! The reader: go-yaml v2.4.0's readerc.go. It owns the two input buffers and refills them the
//! way Go does: 512 raw bytes at a time, decoded (and checked: UTF-8 well-formed, no control
//! characters) into the working buffer the scanner reads. Go decodes a whole raw chunk at once,
//! so a bad byte up to 512 bytes past the text the scanner needs fails the read, even after the
//! end of a document; sizes and refill points are Go's so the same inputs fail.
//!
//! The string read handler of apic.go (`yaml_string_read_handler`) is folded into
//! `update_raw_buffer`: the raw buffer is a window of the input slice, never a copy.

use super::{Error, ErrorKind, Fallible, Mark, Parser};

/// `input_raw_buffer_size` (yamlh.go): how many input bytes Go reads at a time.
pub(super) const INPUT_RAW_BUFFER_SIZE: usize = 512;

/// `input_buffer_size` (yamlh.go): the working buffer's capacity.
pub(super) const INPUT_BUFFER_SIZE: usize = INPUT_RAW_BUFFER_SIZE * 3;

/// `yaml_encoding_t`, as far as svcpolicy reads: UTF-16 streams are refused (see `determine_encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    /// `yaml_ANY_ENCODING`: not determined yet.
    Any,
    /// `yaml_UTF8_ENCODING`.
    Utf8,
}

/// Byte order marks (readerc.go).
const BOM_UTF8: &[u8] = b"\xef\xbb\xbf";
const BOM_UTF16LE: &[u8] = b"\xff\xfe";
const BOM_UTF16BE: &[u8] = b"\xfe\xff";

/// The problem reported for a UTF-16 stream, which Go would read and svcpolicy refuses.
pub(super) const UTF16_PROBLEM: &str =
    "svcpolicy reads UTF-8 streams only: this stream starts with a UTF-16 byte-order mark";

impl Parser<'_> {
    /// yaml_parser_set_reader_error.
    pub(super) fn set_reader_error(&self, problem: &str, offset: usize, value: i64) -> Box<Error> {
        Box::new(Error {
            kind: ErrorKind::Reader,
            problem: problem.to_string(),
            problem_mark: Mark::default(),
            context: String::new(),
            context_mark: Mark::default(),
            problem_offset: offset,
            problem_value: value,
        })
    }

    /// The unread part of the raw buffer.
    fn raw_unread(&self) -> &[u8] {
        self.input.get(self.raw_start + self.raw_pos..self.raw_start + self.raw_len).unwrap_or(&[])
    }

    /// yaml_parser_determine_encoding. Go also reads UTF-16 (after a UTF-16 byte-order mark);
    /// svcpolicy refuses such streams on purpose: Helm charts and manifests are UTF-8, and a
    /// UTF-16 stream could not be passed through byte for byte as the UTF-8 text it edits.
    pub(super) fn determine_encoding(&mut self) -> Fallible<()> {
        // Ensure that we had enough bytes in the raw buffer.
        while !self.eof && self.raw_len - self.raw_pos < 3 {
            self.update_raw_buffer()?;
        }

        // Determine the encoding.
        let buf = self.raw_unread();
        if buf.starts_with(BOM_UTF16LE) || buf.starts_with(BOM_UTF16BE) {
            return Err(self.set_reader_error(UTF16_PROBLEM, self.offset, -1));
        } else if buf.starts_with(BOM_UTF8) {
            self.encoding = Encoding::Utf8;
            self.raw_pos += 3;
            self.offset += 3;
            // [svcpolicy] Marks carry byte offsets: the first character is past the BOM.
            self.mark.offset += 3;
        } else {
            self.encoding = Encoding::Utf8;
        }
        Ok(())
    }

    /// yaml_parser_update_raw_buffer, with yaml_string_read_handler.
    pub(super) fn update_raw_buffer(&mut self) -> Fallible<()> {
        // Return if the raw buffer is full.
        if self.raw_pos == 0 && self.raw_len == INPUT_RAW_BUFFER_SIZE {
            return Ok(());
        }

        // Return on EOF.
        if self.eof {
            return Ok(());
        }

        // Move the remaining bytes in the raw buffer to the beginning.
        self.raw_start += self.raw_pos;
        self.raw_len -= self.raw_pos;
        self.raw_pos = 0;

        // Call the read handler to fill the buffer (yaml_string_read_handler).
        if self.input_pos == self.input.len() {
            self.eof = true;
        } else {
            let n = (INPUT_RAW_BUFFER_SIZE - self.raw_len).min(self.input.len() - self.input_pos);
            self.input_pos += n;
            self.raw_len += n;
        }
        Ok(())
    }

    /// yaml_parser_update_buffer: ensure that the buffer contains at least `length` characters,
    /// padding with NULs at the end of the input as Go does.
    pub(super) fn update_buffer(&mut self, length: isize) -> Fallible<()> {
        // Return if the buffer contains enough characters.
        if self.unread >= length {
            return Ok(());
        }

        // Determine the input encoding if it is not known yet.
        if self.encoding == Encoding::Any {
            self.determine_encoding()?;
        }

        // Move the unread characters to the beginning of the buffer.
        let mut buffer_len = self.buffer.len();
        if self.buffer_pos > 0 && self.buffer_pos < buffer_len {
            self.buffer.copy_within(self.buffer_pos.., 0);
            buffer_len -= self.buffer_pos;
            self.buffer_pos = 0;
        } else if self.buffer_pos == buffer_len {
            buffer_len = 0;
            self.buffer_pos = 0;
        }

        // Open the whole buffer for writing (here: append after buffer_len).
        self.buffer.truncate(buffer_len);

        // Fill the buffer until it has enough characters.
        let mut first = true;
        while self.unread < length {
            // Fill the raw buffer if necessary.
            if !first || self.raw_pos == self.raw_len {
                self.update_raw_buffer()?;
            }
            first = false;

            // Decode the raw buffer.
            let input: &[u8] = self.input;
            while self.raw_pos != self.raw_len {
                let raw = input.get(self.raw_start + self.raw_pos..self.raw_start + self.raw_len).unwrap_or(&[]);
                let raw_unread = raw.len();

                // [svcpolicy] A run of printable ASCII decodes to itself, a character a byte:
                // take it at once (the same checks as below, which it passes).
                let ascii = raw.iter().take_while(|&&b| matches!(b, 0x09 | 0x0A | 0x0D | 0x20..=0x7E)).count();
                if ascii > 0 {
                    self.buffer.extend_from_slice(&raw[..ascii]);
                    self.raw_pos += ascii;
                    self.offset += ascii;
                    self.unread += ascii as isize;
                    continue;
                }

                // Decode a UTF-8 character. Check RFC 3629 for more details.
                let Some(&octet) = raw.first() else { break };
                let width = match octet {
                    o if o & 0x80 == 0x00 => 1,
                    o if o & 0xE0 == 0xC0 => 2,
                    o if o & 0xF0 == 0xE0 => 3,
                    o if o & 0xF8 == 0xF0 => 4,
                    // The leading octet is invalid.
                    _ => return Err(self.set_reader_error("invalid leading UTF-8 octet", self.offset, octet.into())),
                };

                // Check if the raw buffer contains an incomplete character.
                if width > raw_unread {
                    if self.eof {
                        return Err(self.set_reader_error("incomplete UTF-8 octet sequence", self.offset, -1));
                    }
                    break;
                }

                // Decode the leading octet.
                let mut value: u32 = match width {
                    1 => u32::from(octet & 0x7F),
                    2 => u32::from(octet & 0x1F),
                    3 => u32::from(octet & 0x0F),
                    _ => u32::from(octet & 0x07),
                };

                // Check and decode the trailing octets.
                for (k, &octet) in raw.iter().enumerate().take(width).skip(1) {
                    // Check if the octet is valid.
                    if octet & 0xC0 != 0x80 {
                        return Err(self.set_reader_error(
                            "invalid trailing UTF-8 octet",
                            self.offset + k,
                            octet.into(),
                        ));
                    }
                    // Decode the octet.
                    value = (value << 6) + u32::from(octet & 0x3F);
                }

                // Check the length of the sequence against the value.
                let length_ok = match width {
                    1 => true,
                    2 => value >= 0x80,
                    3 => value >= 0x800,
                    _ => value >= 0x10000,
                };
                if !length_ok {
                    return Err(self.set_reader_error("invalid length of a UTF-8 sequence", self.offset, -1));
                }

                // Check the range of the value.
                if (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
                    return Err(self.set_reader_error("invalid Unicode character", self.offset, value.into()));
                }

                // Check if the character is in the allowed range:
                //      #x9 | #xA | #xD | [#x20-#x7E]               (8 bit)
                //      | #x85 | [#xA0-#xD7FF] | [#xE000-#xFFFD]    (16 bit)
                //      | [#x10000-#x10FFFF]                        (32 bit)
                let allowed = matches!(value,
                    0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
                if !allowed {
                    return Err(self.set_reader_error("control characters are not allowed", self.offset, value.into()));
                }

                // Move the raw pointers, and put the character into the buffer (its UTF-8
                // encoding is the well-formed sequence just read).
                self.buffer.extend_from_slice(&raw[..width]);
                self.raw_pos += width;
                self.offset += width;
                self.unread += 1;
            }

            // On EOF, put NUL into the buffer and return.
            if self.eof {
                self.buffer.push(0);
                self.unread += 1;
                break;
            }
        }
        // [Go] To return true, we need to have the given length in the buffer.
        while (self.buffer.len() as isize) < length {
            self.buffer.push(0);
        }
        Ok(())
    }
}
