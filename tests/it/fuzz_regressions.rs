//! Every input a fuzzer found a bug with (testdata/fuzz-regressions/), run through the reader,
//! the editor and the whole command: each must finish cleanly, with exit 0 or 2 and no panic.

use crate::support::*;
use std::time::Duration;

#[test]
fn fuzzer_findings_stay_fixed() {
    let dir = repo().join("testdata/fuzz-regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        within_a_minute(&path, bytes.clone());
        let out = svcpolicy()
            .arg("-p")
            .arg(write_policy(&tempfile_dir(), ALL_CLUSTER_IP))
            .timeout(Duration::from_secs(60))
            .write_stdin(bytes)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(0 | 2)), "{}: {stderr}", path.display());
        assert!(!stderr.contains("panicked"), "{}: {stderr}", path.display());
        count += 1;
    }
    assert!(count >= 2);
}

/// The library calls a finding went through, on a thread the test waits for a minute at most: a
/// hang (what these findings were) fails the test instead of stalling it.
fn within_a_minute(path: &std::path::Path, bytes: Vec<u8>) {
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = svcpolicy::yaml::read(text);
            // As the edit fuzzer does: the first four bytes choose, the rest is the document.
            if let Some(doc) = text.get(4..) {
                if let Ok(Some(current)) = svcpolicy::yaml::read(doc) {
                    let _ = svcpolicy::yaml::edit_to(doc, &current, &serde_json::json!({"x": "y"}));
                }
            }
        }
        let _ = done.send(());
    });
    assert!(wait.recv_timeout(Duration::from_secs(60)).is_ok(), "{} hangs", path.display());
}
