//! The go-yaml port (yaml::events): never panics, ends, keeps its marks inside the input, and
//! repeats its last answer (StreamEnd or the error) once done.
#![no_main]
use libfuzzer_sys::fuzz_target;
use svcpolicy::yaml::events::{EventKind, Parser};

fuzz_target!(|data: &[u8]| {
    let mut parser = Parser::new(data);
    loop {
        let next = parser.next_event();
        match &next {
            Ok(e) => {
                for m in [e.start, e.end, e.content_start] {
                    assert!(m.offset <= data.len(), "mark {m:?} past the input");
                }
                if e.kind != EventKind::StreamEnd {
                    continue;
                }
            }
            Err(e) => assert!(e.offset() <= data.len(), "error {e:?} past the input"),
        }
        assert_eq!(parser.next_event(), next);
        break;
    }
});
