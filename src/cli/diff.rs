//! A unified diff of a stream before and after, for `svcpolicy diff` and failing `svcpolicy test`
//! cases, coloured for a terminal when asked.

/// A unified diff of one stream, coloured for a terminal when asked; empty when nothing changed.
pub fn unified_diff(name: &str, before: &[u8], after: &[u8], color: bool) -> String {
    let (before, after) = (String::from_utf8_lossy(before), String::from_utf8_lossy(after));
    if before == after {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(before.as_ref(), after.as_ref());
    let text = diff.unified_diff().context_radius(3).header(&format!("a/{name}"), &format!("b/{name}")).to_string();
    if !color {
        return text;
    }
    text.lines()
        .map(|line| {
            let code = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => "32",
                Some(b'-') if !line.starts_with("---") => "31",
                Some(b'@') => "36",
                _ => return format!("{line}\n"),
            };
            format!("\x1b[{code}m{line}\x1b[0m\n")
        })
        .collect()
}
