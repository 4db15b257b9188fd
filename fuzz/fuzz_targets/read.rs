//! The reader: never panics; what it reads, it reads again the same way.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(Some(v)) = svcpolicy::yaml::read(text) {
        let again = svcpolicy::yaml::read(text).expect("a second reading");
        assert_eq!(again, Some(v));
    }
});
