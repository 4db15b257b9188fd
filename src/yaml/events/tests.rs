//! Unit tests of the port; tests/it/yaml_events.rs compares it with go-yaml itself.

use super::*;

fn events(input: &str) -> Vec<Event> {
    let mut parser = Parser::new(input.as_bytes());
    let mut out = Vec::new();
    loop {
        let event = parser.next_event().expect("parses");
        let end = event.kind == EventKind::StreamEnd;
        out.push(event);
        if end {
            return out;
        }
    }
}

fn error(input: &[u8]) -> Error {
    let mut parser = Parser::new(input);
    loop {
        match parser.next_event() {
            Ok(Event { kind: EventKind::StreamEnd, .. }) => panic!("no error in {input:?}"),
            Ok(_) => {}
            Err(e) => return e,
        }
    }
}

#[test]
fn a_mapping() {
    let kinds: Vec<EventKind> = events("a: b\n").into_iter().map(|e| e.kind).collect();
    let scalar = |v: &str| EventKind::Scalar {
        anchor: None,
        tag: None,
        value: v.into(),
        plain_implicit: true,
        quoted_implicit: false,
        style: ScalarStyle::Plain,
    };
    assert_eq!(
        kinds,
        vec![
            EventKind::StreamStart,
            EventKind::DocumentStart { implicit: true },
            EventKind::MappingStart { anchor: None, tag: None, implicit: true, flow: false },
            scalar("a"),
            scalar("b"),
            EventKind::MappingEnd,
            EventKind::DocumentEnd { implicit: true },
            EventKind::StreamEnd,
        ]
    );
}

#[test]
fn document_start_says_whether_there_was_a_marker() {
    let starts: Vec<bool> = events("a\n--- b\n")
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::DocumentStart { implicit } => Some(implicit),
            _ => None,
        })
        .collect();
    assert_eq!(starts, [true, false]);
}

#[test]
fn marks_carry_byte_offsets() {
    // A BOM counts its three bytes, "é" two, a mid-stream BOM (skipped at a line start) three.
    let input = "\u{feff}é: x\n";
    let e = events(input);
    assert_eq!(e[0].start, Mark { offset: 3, index: 0, line: 0, column: 0 });
    let key = &e[3];
    assert_eq!((key.start.offset, key.end.offset), (3, 5));
    let value = &e[4];
    assert_eq!((value.start.offset, value.end.offset, value.end.column), (7, 8, 4));
    assert_eq!(e.last().unwrap().start, Mark { offset: 9, index: 5, line: 1, column: 0 });
}

#[test]
fn node_events_say_where_content_and_indicators_are() {
    let input = "a: &x !t b\nc:\n- d\n-\ne: [f: g]\n";
    let e = events(input);
    let at = |i: usize| (e[i].start.offset, e[i].content_start.offset, e[i].indicator);
    assert!(matches!(e[4].kind, EventKind::Scalar { ref value, .. } if value == "b"));
    assert_eq!(at(4), (3, 9, Some(2)));
    // `c:` then an indentless sequence: its start is at the `-`, past the `:`.
    assert!(matches!(e[6].kind, EventKind::SequenceStart { .. }));
    assert_eq!(at(6), (14, 14, Some(13)));
    assert_eq!(at(7), (16, 16, Some(14)));
    // An empty entry: the scalar is made up at the end of the `-`.
    assert_eq!(at(8), (19, 19, Some(18)));
    // A pair in a flow sequence: the value's `:` ends at 26.
    assert!(matches!(e[14].kind, EventKind::Scalar { ref value, .. } if value == "g"));
    assert_eq!(at(14), (27, 27, Some(26)));
    // A key has no indicator.
    assert_eq!(at(3), (0, 0, None));
}

#[test]
fn an_empty_input_is_a_line_break_whose_marks_stay_in_the_input() {
    let e = events("");
    assert_eq!(e.len(), 2);
    assert_eq!(e[1].start, Mark { offset: 0, index: 1, line: 1, column: 0 });
}

#[test]
fn errors_read_as_go_reports_them() {
    let e = error(b"a: b\nc: d: e\n");
    assert_eq!(e.kind, ErrorKind::Scanner);
    assert_eq!(e.go_message(), "yaml: line 2: mapping values are not allowed in this context");
    assert_eq!(e.offset(), 9);
    let e = error(b"a:\n  b: c\n d\n");
    assert_eq!(e.kind, ErrorKind::Parser);
    // Go prints a parser error's 0-based line as it is (a scanner error's plus one).
    assert_eq!(e.go_message(), "yaml: line 2: did not find expected key");
    assert_eq!(
        e.to_string(),
        "did not find expected key at line 3 column 2 (while parsing a block mapping at line 1 column 1)"
    );
    let e = error(b"[a");
    assert_eq!(e.go_message(), "yaml: line 1: did not find expected ',' or ']'");
    let e = error(b"a: \x01");
    assert_eq!((e.kind, e.offset(), e.problem_value), (ErrorKind::Reader, 3, 1));
    assert_eq!(e.go_message(), "yaml: control characters are not allowed");
}

#[test]
fn errors_and_the_stream_end_repeat() {
    let mut parser = Parser::new(b"[");
    let first = loop {
        if let Err(e) = parser.next_event() {
            break e;
        }
    };
    assert_eq!(parser.next_event(), Err(first.clone()));
    let mut parser = Parser::new(b"a");
    let end = loop {
        let e = parser.next_event().unwrap();
        if e.kind == EventKind::StreamEnd {
            break e;
        }
    };
    assert_eq!(parser.next_event(), Ok(end));
}

#[test]
fn the_reader_fails_on_what_it_decoded_ahead() {
    // Go decodes 512 bytes at a time: a control character after the document's end fails the
    // read as soon as its chunk is decoded: before the document is read when it is in the first
    // 512 bytes, after the document when it is further.
    let stream = |pad: usize| [&b"a: b\n...\n"[..], &b"#".repeat(pad), b"\x01"].concat();
    let problem = |input: Vec<u8>| {
        let mut parser = Parser::new(&input);
        let mut events = 0;
        loop {
            match parser.next_event() {
                Ok(Event { kind: EventKind::DocumentEnd { .. }, .. }) => return (events, None),
                Ok(_) => events += 1,
                Err(e) => return (events, Some(e.problem)),
            }
        }
    };
    assert_eq!(problem(stream(400)), (0, Some("control characters are not allowed".to_string())));
    assert_eq!(problem(stream(1000)), (6, None));
}

#[test]
fn utf16_is_refused() {
    let e = error(b"\xff\xfea\x00");
    assert_eq!(e.kind, ErrorKind::Reader);
    assert_eq!(e.problem, reader::UTF16_PROBLEM);
}

#[test]
fn tags_keep_bytes_that_are_not_utf8() {
    let e = events("!%C0%80 x");
    let scalar = &e[2];
    assert_eq!(scalar.tag_bytes.as_deref(), Some(&b"!\xC0\x80"[..]));
    assert!(matches!(scalar.kind, EventKind::Scalar { tag: Some(ref t), .. } if t == "!\u{fffd}\u{fffd}"));
    let e = events("!!str x");
    assert!(matches!(e[2].kind, EventKind::Scalar { tag: Some(ref t), .. } if t == "tag:yaml.org,2002:str"));
    assert_eq!(e[2].tag_bytes, None);
}
