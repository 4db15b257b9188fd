//! Applying a plan: each changed document is edited in place to mean its target; every other
//! document, and every separator, is copied byte for byte.

use crate::plan::Targets;
use crate::report::{Problem, Report};
use crate::resource::{Location, Manifest};
use crate::stream;
use crate::yaml;

/// Helm 4 refuses empty output; a comment line is an empty release it accepts.
pub const EMPTY_OUTPUT: &str = "# svcpolicy: the chart rendered no resources\n";

/// The output of each manifest, in input order. A document that cannot be edited is reported
/// and the run fails; nothing half-edited is returned.
pub fn apply(manifests: &[Manifest], targets: &Targets, report: &mut Report) -> Vec<Vec<u8>> {
    manifests
        .iter()
        .enumerate()
        .map(|(m, manifest)| {
            let mut out = Vec::with_capacity(manifest.input.bytes.len() + 64);
            for (d, doc) in manifest.docs.iter().enumerate() {
                if let Some(sep) = &doc.separator {
                    out.extend_from_slice(&manifest.input.bytes[sep.clone()]);
                }
                let body = manifest.body(d);
                match targets.get(&(m, d)) {
                    None => out.extend_from_slice(body),
                    Some(target) => match edit(manifest, d, target) {
                        Ok(text) => out.extend_from_slice(text.as_bytes()),
                        Err(message) => {
                            let location = Location {
                                file: manifest.input.path.clone(),
                                document: doc.index,
                                line: doc.first_line,
                                source: stream::source_comment(body),
                                ..Location::default()
                            };
                            report.error(Problem::Internal, location, None, message, None);
                            out.extend_from_slice(body);
                        }
                    },
                }
            }
            if out.iter().all(u8::is_ascii_whitespace) {
                out = EMPTY_OUTPUT.as_bytes().to_vec();
            }
            out
        })
        .collect()
}

fn edit(manifest: &Manifest, d: usize, target: &serde_json::Value) -> Result<String, String> {
    let text = std::str::from_utf8(manifest.body(d)).map_err(|e| e.to_string())?;
    let current = manifest.values[d]
        .as_ref()
        .ok_or("internal error: the document was not read")?;
    let edited = yaml::edit_to(text, current, target).map_err(|e| e.to_string())?;
    // The proof: Go would read the edited text as exactly the target.
    match yaml::read(&edited) {
        Ok(Some(v)) if &v == target => Ok(edited),
        _ => Err("internal error: the edited document does not mean what was planned; nothing was written".into()),
    }
}
