//! Fixture cases: `testdata/cases/<case>/{input.yaml,policy.yaml}`, each rendered through the
//! binary. The snapshot holds the exit status, the change to the stream as a unified diff (empty
//! means byte for byte), and the report. Every case that renders must also be idempotent.

mod support;

use std::fmt::Write as _;
use support::*;

#[test]
fn fixture_cases() {
    insta::glob!("../testdata/cases", "*/input.yaml", |input_path| {
        let dir = input_path.parent().unwrap();
        let input = std::fs::read(input_path).unwrap();
        let policy = dir.join("policy.yaml");
        let report = tempfile_dir().join("report.json");
        let out = svcpolicy()
            .arg("--policy")
            .arg(&policy)
            .arg("--report")
            .arg(&report)
            .write_stdin(input.clone())
            .output()
            .unwrap();
        let code = out.status.code().unwrap();
        if code != 0 {
            assert!(out.stdout.is_empty(), "a failed run wrote to stdout");
        }
        let mut snap = format!("exit: {code}\n--- diff\n");
        if code == 0 {
            let before = String::from_utf8_lossy(&input);
            let after = String::from_utf8_lossy(&out.stdout);
            let diff = similar::TextDiff::from_lines(before.as_ref(), after.as_ref());
            let _ = write!(snap, "{}", diff.unified_diff().context_radius(2).header("input", "output"));
            let again = svcpolicy().arg("--policy").arg(&policy).write_stdin(out.stdout.clone()).output().unwrap();
            let case = dir.file_name().unwrap().to_string_lossy();
            assert_eq!(
                again.status.code(),
                Some(0),
                "{case}: a second run failed: {}",
                String::from_utf8_lossy(&again.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&again.stdout), after, "{case}: not idempotent");
        }
        let _ = write!(snap, "--- report\n{}", std::fs::read_to_string(&report).unwrap());
        insta::assert_snapshot!(snap);
    });
}
