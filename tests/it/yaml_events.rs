//! src/yaml/events against go-yaml v2.4.0 itself: the same events, marks and errors, line for
//! line, on every document of the corpus, the YAML 1.1 cases, a hand-written list that reaches
//! every scanner and parser branch and every error message, and generated YAML-ish texts.
//!
//! The oracle is tools/go-yaml-events (built by scripts/tools.sh from Debian's go-yaml sources):
//! it prints Go's events in a line format that `dump` below reproduces from ours. Inputs are
//! batched, many to a Go process.

use proptest::prelude::*;
use std::fmt::Write as _;
use std::process::Command;
use svcpolicy::yaml::events::{Error, ErrorKind, Event, EventKind, Mark, Parser, ScalarStyle};

/// strconv.QuoteToASCII: printable ASCII as is, `\a \b \f \n \r \t \v \\ \"`, other characters
/// as `\xNN` (below U+0020, U+007F, and bytes that are not UTF-8), `\uNNNN` or `\UNNNNNNNN`.
fn quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        let w = match b {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        let c = s.get(i..i + w).and_then(|bytes| std::str::from_utf8(bytes).ok()).and_then(|t| t.chars().next());
        let Some(c) = c else {
            let _ = write!(out, "\\x{b:02x}");
            i += 1;
            continue;
        };
        i += w;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0C' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0B' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7F => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

fn mark(m: &Mark) -> String {
    format!("{},{},{}", m.index, m.line, m.column)
}

/// One event in zz_dump.go's format.
fn event_line(e: &Event) -> String {
    let none = None::<&String>;
    let (name, anchor, tag, value, implicit, quoted_implicit, style) = match &e.kind {
        EventKind::StreamStart => ("STREAM-START", none, none, "", false, false, 0),
        EventKind::StreamEnd => ("STREAM-END", none, none, "", false, false, 0),
        // Go v2.4.0 never sets its flag on a document start (see EventKind::DocumentStart).
        EventKind::DocumentStart { .. } => ("DOCUMENT-START", none, none, "", false, false, 0),
        EventKind::DocumentEnd { implicit } => ("DOCUMENT-END", none, none, "", *implicit, false, 0),
        EventKind::Alias { anchor } => ("ALIAS", Some(anchor), none, "", false, false, 0),
        EventKind::Scalar { anchor, tag, value, plain_implicit, quoted_implicit, style } => {
            let style = match style {
                ScalarStyle::Plain => 1,
                ScalarStyle::SingleQuoted => 2,
                ScalarStyle::DoubleQuoted => 3,
                ScalarStyle::Literal => 4,
                ScalarStyle::Folded => 5,
            };
            ("SCALAR", anchor.as_ref(), tag.as_ref(), value.as_str(), *plain_implicit, *quoted_implicit, style)
        }
        EventKind::SequenceStart { anchor, tag, implicit, flow } => {
            ("SEQUENCE-START", anchor.as_ref(), tag.as_ref(), "", *implicit, false, if *flow { 2 } else { 1 })
        }
        EventKind::SequenceEnd => ("SEQUENCE-END", none, none, "", false, false, 0),
        EventKind::MappingStart { anchor, tag, implicit, flow } => {
            ("MAPPING-START", anchor.as_ref(), tag.as_ref(), "", *implicit, false, if *flow { 2 } else { 1 })
        }
        EventKind::MappingEnd => ("MAPPING-END", none, none, "", false, false, 0),
    };
    let tag: &[u8] = match (&e.tag_bytes, tag) {
        (Some(bytes), _) => bytes,
        (None, Some(tag)) => tag.as_bytes(),
        (None, None) => b"",
    };
    format!(
        "{name} anchor={} tag={} value={} implicit={implicit} quoted_implicit={quoted_implicit} style={style} start={} end={}",
        quote(anchor.map_or(&b""[..], |a| a.as_bytes())),
        quote(tag),
        quote(value.as_bytes()),
        mark(&e.start),
        mark(&e.end),
    )
}

fn error_line(e: &Error) -> String {
    let kind = match e.kind {
        ErrorKind::Reader => "reader",
        ErrorKind::Scanner => "scanner",
        ErrorKind::Parser => "parser",
    };
    format!(
        "ERROR kind={kind} problem={} context={} problem_mark={} context_mark={} offset={} value={} message={}",
        quote(e.problem.as_bytes()),
        quote(e.context.as_bytes()),
        mark(&e.problem_mark),
        mark(&e.context_mark),
        e.problem_offset,
        e.problem_value,
        quote(e.go_message().as_bytes()),
    )
}

/// Byte offsets of go-yaml's character indexes in an input: a leading BOM is no character,
/// every other character (a CR and an LF each) is one.
struct Offsets(Vec<usize>);

impl Offsets {
    fn new(input: &[u8]) -> Self {
        let mut at = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let mut offsets = Vec::with_capacity(input.len() + 1);
        while at < input.len() {
            offsets.push(at);
            at += match input[at] {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
        }
        offsets.push(input.len());
        Offsets(offsets)
    }

    fn of(&self, index: usize) -> usize {
        self.0.get(index).or(self.0.last()).copied().unwrap_or(0)
    }
}

/// Our events for `input` in zz_dump.go's format, checking on the way that every mark's byte
/// offset is where its character index is, and that the parser never panics nor loops.
fn dump(input: &[u8]) -> String {
    let mut parser = Parser::new(input);
    let mut out = String::new();
    let offsets = Offsets::new(input);
    let check = |m: &Mark, what: &str| {
        let expected = offsets.of(m.index);
        assert_eq!(
            m.offset,
            expected,
            "{what} mark {m:?}: offset should be {expected} in {:?}",
            String::from_utf8_lossy(input)
        );
    };
    for _ in 0..10_000_000 {
        match parser.next_event() {
            Ok(e) => {
                check(&e.start, "start");
                check(&e.end, "end");
                check(&e.content_start, "content_start");
                out.push_str(&event_line(&e));
                out.push('\n');
                if e.kind == EventKind::StreamEnd {
                    let again = parser.next_event();
                    assert_eq!(again, Ok(e), "StreamEnd is returned again");
                    return out;
                }
            }
            Err(e) => {
                if e.kind != ErrorKind::Reader {
                    check(&e.problem_mark, "problem");
                    if !e.context.is_empty() {
                        check(&e.context_mark, "context");
                    }
                }
                out.push_str(&error_line(&e));
                out.push('\n');
                assert_eq!(parser.next_event(), Err(e), "an error is returned again");
                return out;
            }
        }
    }
    panic!("more than ten million events");
}

/// Go's dumps of `inputs`, one Go process per batch of about 4 MB.
fn go_dumps(inputs: &[Vec<u8>]) -> Vec<String> {
    let tool = crate::support::go_yaml_events();
    let dir = crate::support::tempfile_dir();
    let mut dumps = Vec::with_capacity(inputs.len());
    let mut start = 0;
    while start < inputs.len() {
        let mut end = start;
        let mut size = 0;
        while end < inputs.len() && (end == start || size + inputs[end].len() < 4 << 20) && end - start < 2000 {
            size += inputs[end].len();
            end += 1;
        }
        let paths: Vec<_> = (start..end)
            .map(|i| {
                let path = dir.join(format!("{i:06}.yaml"));
                std::fs::write(&path, &inputs[i]).unwrap();
                path
            })
            .collect();
        let out = Command::new(&tool).args(&paths).output().expect("go-yaml-events runs");
        assert!(out.status.success(), "go-yaml-events failed: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).expect("go-yaml-events prints ASCII");
        let mut batch: Vec<String> = Vec::new();
        for line in text.split_inclusive('\n') {
            if line.starts_with("=== ") {
                batch.push(String::new());
            } else {
                batch.last_mut().expect("a header first").push_str(line);
            }
        }
        assert_eq!(batch.len(), end - start, "go-yaml-events printed a dump per file");
        dumps.extend(batch);
        for path in paths {
            let _ = std::fs::remove_file(path);
        }
        start = end;
    }
    let _ = std::fs::remove_dir_all(&dir);
    dumps
}

/// The first difference between two dumps, for the failure message.
fn first_difference(go: &str, ours: &str) -> String {
    let (g, o): (Vec<&str>, Vec<&str>) = (go.lines().collect(), ours.lines().collect());
    let at = g.iter().zip(&o).position(|(a, b)| a != b).unwrap_or(g.len().min(o.len()));
    let from = at.saturating_sub(2);
    format!(
        "first difference at line {at}:\n  go:   {}\n  ours: {}",
        g[from..(at + 1).min(g.len())].join("\n        "),
        o[from..(at + 1).min(o.len())].join("\n        ")
    )
}

/// Compares our dump of each input with Go's; fails listing the first few that differ.
fn assert_same_as_go(names: &[String], inputs: &[Vec<u8>]) {
    let go = go_dumps(inputs);
    let mut failures = Vec::new();
    for ((name, input), go) in names.iter().zip(inputs).zip(&go) {
        let ours = dump(input);
        if &ours != go {
            failures.push(format!(
                "{name} ({} bytes: {:?}):\n{}",
                input.len(),
                String::from_utf8_lossy(&input[..input.len().min(300)]),
                first_difference(go, &ours)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs read differently from go-yaml:\n\n{}",
        failures.len(),
        inputs.len(),
        failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

/// A stream split into its documents as yaml2json (Helm's splitter) does: on lines that start
/// with `---`, which are dropped.
fn documents(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut docs = vec![Vec::new()];
    for line in stream.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"---") {
            docs.push(Vec::new());
        } else {
            docs.last_mut().unwrap().extend_from_slice(line);
        }
    }
    docs
}

#[test]
fn corpus_streams_and_documents_read_as_go_reads_them() {
    let mut names = Vec::new();
    let mut inputs = Vec::new();
    let mut streams = 0;
    for file in crate::support::corpus_files() {
        let stream = std::fs::read(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for (i, doc) in documents(&stream).into_iter().enumerate() {
            names.push(format!("{name} document {i}"));
            inputs.push(doc);
        }
        names.push(format!("{name} (whole stream)"));
        inputs.push(stream);
        streams += 1;
    }
    eprintln!("corpus: {streams} streams, {} documents", inputs.len() - streams);
    assert_same_as_go(&names, &inputs);
}

#[test]
fn yaml11_cases_read_as_go_reads_them() {
    let dir = crate::support::repo().join("testdata/yaml11-cases");
    let mut names = Vec::new();
    let mut inputs = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no YAML 1.1 cases at {} ({e})", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML 1.1 cases at {}", dir.display());
    for file in files {
        let stream = std::fs::read(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for (i, doc) in documents(&stream).into_iter().enumerate() {
            names.push(format!("{name} document {i}"));
            inputs.push(doc);
        }
        names.push(name);
        inputs.push(stream);
    }
    assert_same_as_go(&names, &inputs);
}

/// Hand-written inputs: every error message of readerc.go, scannerc.go and parserc.go, and the
/// branches around them.
fn adversarial() -> Vec<Vec<u8>> {
    let texts: &[&str] = &[
        // Empty and trivial streams.
        "",
        "\n",
        " ",
        "#",
        "# only a comment",
        "a",
        "a\n",
        "~",
        "---",
        "--- ",
        "---\n",
        "...",
        "...\n",
        "--- x",
        "--- x\n--- y\n",
        "---x",
        "--- |\n  a\n",
        "a\n...\nb",
        "a\n... b\n",
        "a\n...\n...\n---\nb\n",
        "...\n---\n...\n",
        "--- a\n... # c\n",
        "a: b\n--- c\n",
        // Mappings and sequences.
        "a: b\nc: d\n",
        "a:\n  b: c\n  d: e\nf: g\n",
        "a:\n- b\n- c\nd: e\n",
        "- a\n- b\n-\n- - c\n  - d\n",
        "- a: b\n  c: d\n- e\n",
        "a: b: c\n",
        "a: b\n c: d\n",
        "a:\n  b\n c\n",
        "  a: b\nc: d\n",
        "a: b\n  - c\n",
        "- a\nb: c\n",
        "a:\n  - b\n  c: d\n",
        "key: value\n  more\n",
        "a: 'b'\n",
        "a:\n\n\n  b\n",
        "a: b #c\nd: e#f\n",
        "a: b\n# c\n  # d\ne: f\n",
        "? a\n: b\n",
        "? a\n",
        "? a\n? b\n: c\n",
        "?\n:\n",
        ": a\n",
        "? - a\n  - b\n: - c\n",
        "? |\n  x\n: y\n",
        "a:\n? b\n",
        "? a\n  b\n",
        "- ? a\n  : b\n",
        "a: - b\n",
        "- a: - b\n",
        "a: ? b\n",
        "[a]: b\n",
        "{a: b}: c\n",
        "\"a\": b\n",
        "'a': b\n",
        "&x a: b\n",
        "!t a: b\n",
        "*x : b\n",
        "a:\n  &x\n  b: c\n",
        "a: &x\n  b: c\n",
        "a: !t\n  - b\n",
        "- &x\n  - a\n",
        // Flow collections.
        "[a, b]",
        "[a,b,]",
        "[a,,b]",
        "[a,,]",
        "[,]",
        "[,a]",
        "[]",
        "{}",
        "{a:b}",
        "{a: b}",
        "{a: b, c}",
        "{a, b: c}",
        "{a: b,}",
        "{a: b,,}",
        "{? a: b}",
        "{? a}",
        "{?}",
        "{: a}",
        "{a: }",
        "{a:}",
        "{a: b c}",
        "{a: b] }",
        "[a: b]",
        "[a: b, c: d]",
        "[? a]",
        "[? a : b]",
        "[? a : ]",
        "[? : ]",
        "[: a]",
        "[a: ]",
        "[a: , b]",
        "[x, a: ]",
        "--- !t [? a : ]",
        "--- [? a : ]",
        "--- !t [? a : , b]",
        "[a\n: b]",
        "[a\n,b]",
        "[\na\n]",
        "[a, [b, {c: d}]]",
        "[a] b",
        "[a}",
        "{a]",
        "[a",
        "{a: b",
        "[a,\n",
        "]",
        "}",
        "a: ]",
        "[- a]",
        "[a, - b]",
        "{a: - b}",
        "[a, b]: c",
        "{a: [b, c]}: d",
        "- [a,\n  b]\n",
        "- [a,\nb]\n",
        "a: [b,\nc]\n",
        "a: {b: c,\n d: e}\n",
        "[a #c\n, b]",
        "[a,#c\nb]",
        "[\"a\"b]",
        "['a' , 'b' ]",
        "{\"a\":b}",
        "{'a':b}",
        "[a:b]",
        "[a :b]",
        "[a?b, c]",
        "[?a]",
        "[-a]",
        "[- ]",
        "[-]",
        "[&a x, *a]",
        "[!t x, !t]",
        "[!t , &a ]",
        "{&a : b}",
        "{!t : b}",
        "- [\n  ]\n",
        "[\n\t a\t,\tb]",
        "{a:\t b}",
        // Tabs.
        "\ta: b",
        "a:\tb",
        "a: \tb",
        "- \ta",
        "-\ta",
        "a:\n\tb: c\n",
        "a:\n  b\n\tc\n",
        "a: b\n\t\n",
        "a: |\n\tb\n",
        "a: |\n  b\n\tc\n",
        "a: |2\n  \tb\n",
        "? \ta\n",
        "a b\t\n",
        "a: b\t#c\n",
        "\t# c\na: b\n",
        "a:\n \t b\n",
        "  a\n \tb\n",
        "a:\n  b\n \tc\n",
        "- a\n\t- b\n",
        "\"a\tb\"",
        "'a\tb'",
        // Indentation.
        "a:\n  b: c\n d: e\n",
        "- a\n - b\n",
        "a:\n    b: c\n  d: e\n",
        "  - a\n  - b\n - c\n",
        "a:\n  - b\n  -c\n",
        "a:\n b:\n  c:\n   d: e\n",
        "a: b\n\n\n\nc: d\n",
        "- - - a\n    - b\n  - c\n- d\n",
        // Plain scalars.
        "a b c",
        "a\nb\nc",
        "a\n\nb",
        "a\n\n\nb\n",
        "a #b",
        "a#b",
        "a:b",
        "a: b:c",
        "-a",
        "- -a",
        "?a",
        ":a",
        "a:",
        "a :",
        "@a",
        "`a",
        "%a",
        "a%b",
        "a @b",
        "!a b",
        "x\n  y\n z",
        "a: x\n  y\n\n  z\n",
        "a: x\n---\n",
        "x\n---",
        "x\n...",
        "a: b\n...x\n",
        "a: b\n---x\n",
        "---a",
        "...a",
        "- x\n ---\n",
        "a: 1.5\nb: -2\nc: +3\nd: .inf\n",
        // Quoted scalars.
        "'a'",
        "'a''b'",
        "'a\nb'",
        "'a\n\nb'",
        "'a\n  b\n\n  c'",
        "'a",
        "'a\n",
        "'a\n---\n'",
        "'a\n...\n'",
        "'\n---'",
        "\"a\"",
        "\"a",
        "\"a\\",
        "\"a\\\"",
        "\"a\\\nb\"",
        "\"a\\\n  b\"",
        "\"a \\\n b\"",
        "\"a\\\r\nb\"",
        "\"\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\\"\\'\\\\\\N\\_\\L\\P\"",
        "\"\\x41\\x7f\\x80\\xff\"",
        "\"\\u00e9\\u2028\\uffff\\u0000\"",
        "\"\\U0001F600\\U0010FFFF\"",
        "\"\\U00110000\"",
        "\"\\ud800\"",
        "\"\\udfff\"",
        "\"\\xZZ\"",
        "\"\\x4\"",
        "\"\\u12\"",
        "\"\\U1234567\"",
        "\"\\q\"",
        "\"\\/\"",
        "\"a  b\"",
        "\"a \n b\"",
        "\"a\n\n\n b\"",
        "\" a \"",
        "\"a\"b",
        "\"a\" #c",
        "\"a\"#c",
        "a: \"b\nc\"\n",
        "a: \"b\n  c\n d\"\n",
        "\"\u{85}a\u{2028}b\u{2029}\"",
        "'a\u{85}b'",
        "\"a\r\rb\"",
        // Block scalars.
        "|\n a\n b\n",
        "|\n a\n\n b\n\n",
        "|-\n a\n\n",
        "|+\n a\n\n",
        ">\n a\n b\n\n c\n",
        ">\n a\n  b\n c\n",
        ">-\n a\n b\n",
        ">+\n a\n\n\n",
        "|2\n   a\n",
        "|1\n a\n",
        "|0\n a\n",
        "|-0\n a\n",
        "|+2\n   a\n",
        "|2+\n   a\n",
        "|2-\n   a\n",
        "|-2\n   a\n",
        "|10\n a\n",
        "|9\n a\n",
        "| x\n a\n",
        "| #c\n a\n",
        "|#c\n a\n",
        "|  \n a\n",
        "|\n",
        "|",
        ">",
        "|\n\n\n",
        "|\n  \n  a\n",
        "|\n    \n  a\n",
        "|\n  a\n    b\n  c\n",
        ">\n  a\n    b\n  c\n",
        ">\n\n  a\n",
        "- |\n  a\n- >\n  b\n",
        "a: |\n  b\nc: d\n",
        "a: |\nb: c\n",
        "a: |2\n   b\n",
        "a:\n  b: |1\n    c\n",
        "a: >\n b\n\n c\n d\n",
        "a: |\n b\n  c\n",
        "a: |-\n b\n\n\n",
        "a: >+\n b\n\n\n",
        "|\n a\n...\n",
        "|\n a\n---\n",
        "|\n a\r\n b\r\n",
        "|\r a\r b\r",
        ">\n a\u{2028} b\n",
        "[|\n a]",
        "{a: >\n b}",
        "|\n\t",
        // Anchors, aliases, tags.
        "&a x",
        "&a",
        "&a\n",
        "*a",
        "& x",
        "* x",
        "&a-b_c x",
        "&a.b x",
        "&a:b x",
        "&a:",
        "&é x",
        "*é",
        "&a, x",
        "[&a]",
        "[*a]",
        "{*a}",
        "&a &b x",
        "&a !t x",
        "!t &a x",
        "!t !u x",
        "&a *b",
        "*a: b",
        "- *a\n- &b c\n",
        "!t x",
        "!t",
        "!",
        "! x",
        "!!str x",
        "!!int 1",
        "!!str",
        "!a!b x",
        "!a! x",
        "!a!",
        "!<tag:x> y",
        "!<!> y",
        "!<> y",
        "!<x y",
        "!<x>y",
        "!%41 x",
        "!%C3%A9 x",
        "!%C0%80 x",
        "!%ED%A0%80 x",
        "!%F4%90%80%80 x",
        "!%FF x",
        "!%C3%28 x",
        "!%C3 x",
        "!%ZZ x",
        "!% x",
        "!%4 x",
        "!a%41b x",
        "!a,b x",
        "!a{b x",
        "!a[b] x",
        "!a\u{e9} x",
        "!t [a]",
        "!t {a: b}",
        "!t\n- a\n",
        "!t\na: b\n",
        "!!map {a: b}",
        "!!seq [a]",
        "! a",
        "!'a' b",
        "!\"a\" b",
        // Directives.
        "%YAML 1.1\n--- a",
        "%YAML 1.1\n---\n",
        "%YAML 1.2\n--- a",
        "%YAML 2.0\n--- a",
        "%YAML 1.1\n%YAML 1.1\n--- a",
        "%YAML 01.01\n--- a",
        "%YAML 1.100\n--- a",
        "%YAML 123.1\n--- a",
        "%YAML 1\n--- a",
        "%YAML 1.\n--- a",
        "%YAML .1\n--- a",
        "%YAML a.b\n--- a",
        "%YAML\n--- a",
        "%YAML   1.1   # c\n--- a",
        "%YAML 1.1 x\n--- a",
        "%YAML\t1.1\n--- a",
        "%YAML 1.1",
        "%YAML 1.1\n",
        "%YAML 1.1\na",
        "%TAG ! !\n--- a",
        "%TAG !a! tag:example.com,2000:\n--- !a!b x",
        "%TAG !a! tag:example.com,2000:\n--- !b!c x",
        "%TAG !a! x:\n%TAG !a! y:\n--- a",
        "%TAG !! tag:x:\n--- !!a b",
        "%TAG ! !foo\n--- !bar x",
        "%TAG !a b:\n--- a",
        "%TAG a b:\n--- a",
        "%TAG !a!b c:\n--- a",
        "%TAG !a!\n--- a",
        "%TAG !a!  \n--- a",
        "%TAG !a! %41:\n--- !a!b x",
        "%TAG !a! %ZZ\n--- a",
        "%TAG !a! %FF\n--- a",
        "%TAG !a! %C3%28\n--- a",
        "%TAG !a! b:c\t\n--- a",
        "%TAG !a! b:c#x\n--- a",
        "%TAG !a! b:c d\n--- a",
        "%TAG !a! b:c\n--- !a!x y\n--- !a!x y\n",
        "%FOO bar\n--- a",
        "%\n--- a",
        "%YAML-x 1.1\n--- a",
        "%YA:ML 1.1\n--- a",
        "%YAML 1.1\n%TAG !a! b:\n--- a",
        "a\n%YAML 1.1\n--- b",
        "a\n...\n%YAML 1.1\n--- b",
        " %YAML 1.1\n--- a",
        "--- a\n%YAML 1.1\n",
        "%YAML 1.1\n...\n",
        "%YAML 1.1\nx: y\n",
        // Simple key limits.
        "a\n: b",
        "'a\nb': c",
        "[a\nb: c]",
        "a b c d: e",
        // Line breaks.
        "a: b\r\nc: d\r\n",
        "a: b\rc: d\r",
        "a:\r  b: c\r",
        "- a\r- b\r",
        "a\rb",
        "a: |\r  b\r  c\r",
        "a: b\u{85}c: d\u{85}",
        "a: b\u{2028}c: d\u{2029}",
        "a\u{2028}b",
        "a: b\r\n\r\n\r\nc: d",
        "'a\r\n\r\nb'",
        "\r\n",
        "\r",
        "\r\r\r",
        "a\r\n...\r\n",
        // Byte order marks and unicode.
        "\u{feff}a: b",
        "\u{feff}---\na: b\n",
        "\u{feff}",
        "\u{feff}\u{feff}a",
        "a: b\n\u{feff}c: d\n",
        "a: b\n\u{feff}---\nc: d\n",
        "- a\n\u{feff}- b\n",
        "a\u{feff}b",
        "'a\u{feff}b'",
        "ünï: cödé\n日本: 語\n😀: 🎉\n",
        "\u{a0}a",
        "a:\u{a0}b",
        "\u{85}",
        "\u{2028}",
        "\u{fffd}",
        "\u{e000}\u{fffd}\u{10000}\u{10ffff}",
        // Characters that cannot start a token.
        "a: @b",
        "a: `b",
        "@",
        "`",
        "- @",
        "[@]",
        "|x",
        "> x",
        "a: |x\n",
        "a: \"b\"c\n",
        "a: 'b'c\n",
        "a: [b]c\n",
        "a: {b: c}d\n",
        "a: *b c\n",
        "a: &b\n",
        "a: !b\n",
        // Mapping values and keys not allowed.
        "a: b: c: d",
        "- a: b: c",
        "a:\n  b: c: d",
        "'a': b: c",
        "- - a\n  b: c\n",
        "a\n- b\n",
        "a: b\n- c\n",
        "- a\n? b\n",
        "a: b\n? c\n: d\n",
        "[a]\n- b\n",
        "'a'\n- b\n",
        "\"a\" - b",
        "a - b",
        "- a - b",
    ];
    let mut inputs: Vec<Vec<u8>> = texts.iter().map(|t| t.as_bytes().to_vec()).collect();

    // Control characters, NUL, bad UTF-8 and UTF-8 edge cases, in and after a document.
    let bad: &[&[u8]] = &[
        b"\x00",
        b"\x01",
        b"\x08",
        b"\x0b",
        b"\x0c",
        b"\x1b",
        b"\x1f",
        b"\x7f",
        b"\xc2\x80",
        b"\xc2\x84",
        b"\xc2\x86",
        b"\xc2\x9f",
        b"\xed\xa0\x80",
        b"\xef\xbf\xbe",
        b"\xef\xbf\xbf",
        b"\xf4\x90\x80\x80",
        b"\xf7\xbf\xbf\xbf",
        b"\xf8\x88\x80\x80\x80",
        b"\x80",
        b"\xbf",
        b"\xc0\x80",
        b"\xc1\xbf",
        b"\xe0\x80\x80",
        b"\xf0\x80\x80\x80",
        b"\xc3",
        b"\xc3\x28",
        b"\xe2\x82",
        b"\xe2\x28\xa1",
        b"\xf0\x9f\x98",
        b"\xff",
        b"\xfe",
    ];
    for b in bad {
        for (before, after) in [
            (&b""[..], &b""[..]),
            (b"a: ", b"\n"),
            (b"a: b\n", b""),
            (b"a: 'b", b"'\n"),
            (b"# ", b"\n"),
            (b"a: b\n...\n", b""),
            (b"a: b\n...\n# ", b"\n"),
            (b"a: b\n---\n", b"\n"),
            (b"\xef\xbb\xbf", b""),
        ] {
            inputs.push([before, b, after].concat());
        }
        // After the end of a document, near and past the reader's 512-byte chunks.
        for pad in [0usize, 1, 100, 400, 490, 500, 505, 506, 507, 508, 509, 510, 511, 512, 513, 520, 1000, 1020, 1100] {
            let mut input = b"a: b\n...\n".to_vec();
            input.extend(std::iter::repeat_n(b'#', pad));
            input.extend_from_slice(b);
            input.extend_from_slice(b"\nc: d\n");
            inputs.push(input);
            let mut input = b"a: b\n".to_vec();
            input.extend(std::iter::repeat_n(b' ', pad));
            input.extend_from_slice(b);
            inputs.push(input);
        }
    }
    // Multi-byte characters across the raw buffer's 512-byte boundaries.
    for ch in ["é", "日", "😀", "\u{feff}", "\u{85}", "\u{2028}"] {
        for pad in 505..=514 {
            let mut input = "a: ".to_string();
            input.push_str(&"x".repeat(pad - 3));
            input.push_str(ch);
            input.push_str("\nb: c\n");
            inputs.push(input.into_bytes());
            let mut input = "#".repeat(pad);
            input.push('\n');
            input.push_str(ch);
            input.push_str("a: b\n");
            inputs.push(input.into_bytes());
        }
    }
    // A byte-order mark at the start of a line, wherever the buffer happens to start (Go's
    // is_bom looks at the buffer's start, not at the position).
    for pad in (0..1100).step_by(7).chain(500..530) {
        let mut input = "a: b\n".to_string();
        input.push_str(&"#".repeat(pad));
        input.push_str("\n\u{feff}c: d\n\u{feff}e: f\n- g\n");
        inputs.push(input.into_bytes());
        let mut input = "x: ".to_string();
        input.push_str(&"y".repeat(pad));
        input.push_str("\n\u{feff}\n\u{feff}---\nz\n");
        inputs.push(input.into_bytes());
    }
    // Empty values after a complex key in a flow sequence, in many token queue states (Go reads
    // their mark through a pointer into the queue; see parse_flow_sequence_entry_mapping_value).
    for prefix in ["", "--- ", "--- !t ", "--- &a ", "- ", "a: ", "? ", "!t ", "&a !t ", "[", "[[", "{a: ", "- - "] {
        for n in [0, 1, 2, 3, 5, 8, 15, 16, 17, 32, 33, 34, 66, 67, 68, 141, 142, 143] {
            for body in ["? a : ]", "? a : , b]", "? : ]", "a\n: ]", "? a\n: ,]", "? [a] : ]", "? a :\n]"] {
                inputs.push(format!("{prefix}[{}{body}", "x, ".repeat(n)).into_bytes());
                inputs.push(format!("{prefix}[{}{body}", "[], ".repeat(n)).into_bytes());
            }
        }
    }
    // Depth limits: 10000 flow levels and block indents are fine, 10001 are not.
    for depth in [9999, 10000, 10001] {
        inputs.push("[".repeat(depth).into_bytes());
        inputs.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes());
        inputs.push(format!("{}a{}", "{a: ".repeat(depth), "}".repeat(depth)).into_bytes());
        inputs.push(format!("{}a\n", "- ".repeat(depth)).into_bytes());
        inputs.push(format!("a: {}b\n", "- ".repeat(depth)).into_bytes());
        inputs.push(format!("{}a", "? ".repeat(depth)).into_bytes());
    }
    // Simple keys: one line, at most 1024 characters from the key's start to its ':'.
    for len in [1020, 1022, 1023, 1024, 1025, 1026, 1100] {
        let key = "k".repeat(len);
        inputs.push(format!("{key}: v\n").into_bytes());
        inputs.push(format!("a:\n  {key}: v\n").into_bytes());
        inputs.push(format!("- {key}: v\n").into_bytes());
        inputs.push(format!("[{key}: v]").into_bytes());
        inputs.push(format!("{{{key}: v}}").into_bytes());
        inputs.push(format!("'{}': v\n", &key[..len - 2]).into_bytes());
        inputs.push(format!("\"{}\": v\n", &key[..len - 2]).into_bytes());
        inputs.push(format!("{}: v\n", "é".repeat(len)).into_bytes());
        inputs.push(format!("a {key} b: v\n").into_bytes());
        inputs.push(format!("&a{key} x: v\n").into_bytes());
    }
    // Long scalars, comments and lines across buffer refills.
    for len in [500, 511, 512, 513, 1536, 1537, 5000] {
        inputs.push(format!("a: {}\n", "x".repeat(len)).into_bytes());
        inputs.push(format!("a: '{}'\n", "x".repeat(len)).into_bytes());
        inputs.push(format!("a: \"{}\\u00e9\"\n", "\\t".repeat(len)).into_bytes());
        inputs.push(format!("a: |\n  {}\n", "é".repeat(len)).into_bytes());
        inputs.push(format!("# {}\na: b\n", "c".repeat(len)).into_bytes());
        inputs.push(format!("a: b\n{}", "\n".repeat(len)).into_bytes());
        inputs.push(format!("a: b\n{}", "\r\n".repeat(len)).into_bytes());
    }
    inputs
}

#[test]
fn adversarial_inputs_read_as_go_reads_them() {
    let inputs = adversarial();
    let names: Vec<String> = (0..inputs.len()).map(|i| format!("adversarial case {i}")).collect();
    eprintln!("adversarial: {} inputs", inputs.len());
    assert_same_as_go(&names, &inputs);
}

/// Go reads UTF-16; svcpolicy refuses it, with a reader error saying so.
#[test]
fn utf16_streams_are_refused() {
    for input in [&b"\xff\xfea\x00:\x00 \x00b\x00"[..], b"\xfe\xff\x00a\x00:\x00 \x00b", b"\xff\xfe"] {
        let mut parser = Parser::new(input);
        let e = parser.next_event().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Reader);
        assert!(e.problem.contains("UTF-8 streams only"), "{e}");
        assert_eq!(e.go_message(), format!("yaml: {}", e.problem));
    }
}

/// The pieces generated texts are made of: YAML's indicators and the characters around them.
const FRAGMENTS: &[&str] = &[
    "a",
    "b",
    "key",
    "k2",
    "x y",
    "1",
    "true",
    "~",
    "é",
    "日本",
    "😀",
    "\u{a0}",
    "\u{fffd}",
    ": ",
    ":",
    " :",
    "- ",
    "-",
    "--",
    "? ",
    "?",
    "'",
    "''",
    "'q'",
    "\"",
    "\"d\"",
    "\\",
    "\\n",
    "\\x41",
    "\\u00e9",
    "\\U0001F600",
    "\\\"",
    "\\\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    ", ",
    "&a ",
    "&a",
    "*a",
    "*a ",
    "&",
    "*",
    "&b-c_d ",
    "!t ",
    "!",
    "! ",
    "!!str ",
    "!!int ",
    "!<tag:x> ",
    "!a!b ",
    "!a! ",
    "!%41 ",
    "!%C3%A9 ",
    "# c",
    " #c",
    "#",
    "---",
    "--- ",
    "---\n",
    "...",
    "...\n",
    "|",
    ">",
    "|-",
    ">+",
    "|2",
    "|+1 ",
    "\n",
    "\n",
    "\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    " ",
    "  ",
    "    ",
    "\t",
    "\t ",
];

/// Rarer pieces: what makes go-yaml fail early, or reads differently from UTF-8 text.
const RARE_FRAGMENTS: &[&str] = &[
    "\\q",
    "\\ud800",
    "\\x4",
    "&a.b",
    "!<>",
    "!%C0%80 ",
    "!%ZZ ",
    "%TAG !a! tag:e.com,2000:\n",
    "%YAML 1.1\n",
    "%YAML 1.2\n",
    "%FOO x\n",
    "%",
    "|0",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "%a",
];

/// What no token may start with.
const BAD_FRAGMENTS: &[&str] = &["@", "`", "\x01", "\x7f", "\u{0}"];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        80 => prop::sample::select(FRAGMENTS).prop_map(String::from),
        4 => prop::sample::select(RARE_FRAGMENTS).prop_map(String::from),
        1 => prop::sample::select(BAD_FRAGMENTS).prop_map(String::from),
        1 => (0usize..700).prop_map(|n| format!("#{}\n", "p".repeat(n))),
        1 => (0usize..1100).prop_map(|n| "k".repeat(n)),
    ]
}

/// A soup of fragments.
fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|v| v.concat())
}

/// A scalar in some style, or a small flow collection.
fn scalar() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec!["a", "b c", "1", "é", "x:y", "-z", "?w", "", "true", "a #b", "日本"]);
    prop_oneof![
        word.clone().prop_map(String::from),
        word.clone().prop_map(|w| format!("'{w}'")),
        word.clone().prop_map(|w| format!("\"{w}\\t\"")),
        prop::collection::vec(word.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        prop::collection::vec(word.clone(), 0..3).prop_map(|v| format!("{{{}}}", v.join(": x, "))),
        (prop::sample::select(vec!["|", ">", "|-", ">+", "|2"]), word.clone())
            .prop_map(|(h, w)| format!("{h}\n    {w}\n\n    {w}")),
        (prop::sample::select(vec!["&a ", "!t ", "!!str ", "&b !t ", "*a", "!<x> "]), word)
            .prop_map(|(p, w)| format!("{p}{w}")),
    ]
}

/// Lines with indentation, keys, entries and values: texts closer to real YAML.
fn structured() -> impl Strategy<Value = String> {
    let line = (
        prop::sample::select(vec!["", "", "", " ", "  ", "  ", "  ", "    ", "    ", "      ", "\t", " \t"]),
        prop::sample::select(vec![
            "k: ", "k: ", "k2: ", "k:", "- ", "- ", "- k: ", "? ", ": ", "", "# c", "---", "--- ", "...", "- - ",
            "k: - ",
        ]),
        scalar(),
        prop::sample::select(vec!["", "", "", "", " #c", " ", ":", "\t"]),
        prop::sample::select(vec!["\n", "\n", "\n", "\r\n", "\r", "\n\n", ""]),
    )
        .prop_map(|(indent, lead, value, tail, newline)| format!("{indent}{lead}{value}{tail}{newline}"));
    prop::collection::vec(line, 1..14).prop_map(|v| v.concat())
}

/// The corpus's documents of at most 4 kB, to mutate.
fn small_corpus_documents() -> &'static [Vec<u8>] {
    static DOCUMENTS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        let mut docs: Vec<Vec<u8>> = crate::support::corpus_files()
            .iter()
            .flat_map(|file| documents(&std::fs::read(file).unwrap()))
            .filter(|d| !d.is_empty() && d.len() <= 4096)
            .collect();
        docs.sort();
        docs.dedup();
        docs
    })
}

/// A real document with a few edits: fragments inserted, bytes deleted or replaced.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let edit = (any::<prop::sample::Index>(), 0usize..3, fragment(), 1usize..20);
    (any::<prop::sample::Index>(), prop::collection::vec(edit, 1..5)).prop_map(|(doc, edits)| {
        let docs = small_corpus_documents();
        let mut d = docs[doc.index(docs.len())].clone();
        for (at, kind, fragment, len) in edits {
            let at = at.index(d.len() + 1);
            let end = (at + len).min(d.len());
            match kind {
                0 => drop(d.splice(at..at, fragment.bytes())),
                1 => drop(d.drain(at..end)),
                _ => drop(d.splice(at..end, fragment.bytes())),
            }
        }
        // Cuts inside a multi-byte character are kept: they test the reader.
        d
    })
}

fn text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => soup().prop_map(String::into_bytes),
        3 => structured().prop_map(String::into_bytes),
        2 => (structured(), soup(), structured()).prop_map(|(a, b, c)| (a + &b + &c).into_bytes()),
        3 => mutated(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Generated YAML-ish texts: 128 cases of 64, 64 to a Go process.
    #[test]
    fn generated_texts_read_as_go_reads_them(inputs in prop::collection::vec(text(), 64)) {
        let names: Vec<String> = (0..inputs.len()).map(|i| format!("generated text {i}")).collect();
        assert_same_as_go(&names, &inputs);
    }
}
