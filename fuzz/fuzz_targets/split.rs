//! The splitter: never panics, and the pieces of a split stream add up to the stream.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(docs) = svcpolicy::input::stream::split(data) {
        let mut joined = Vec::new();
        for d in &docs {
            if let Some(sep) = &d.separator {
                joined.extend_from_slice(&data[sep.clone()]);
            }
            joined.extend_from_slice(&data[d.body.clone()]);
        }
        assert_eq!(joined, data);
    }
});
