//! The output: each changed document edited in place to mean its target (through `yaml::edit`,
//! which proves its result), generated routes after their Service, every other document and
//! every separator copied byte for byte; and several inputs' outputs joined into one stream.
//! `krm` answers a KRM function call; `port_map` draws the port plan (`ports --format html|svg`).

pub mod krm;
pub mod port_map;

use crate::input::stream;
use crate::input::{DocId, Manifest};
use crate::parallel;
use crate::plan::Targets;
use crate::report::{Problem, Report};
use crate::yaml;

/// Helm 4 refuses empty output; a comment line is an empty release it accepts.
pub const EMPTY_OUTPUT: &str = "# svcpolicy: the chart rendered no resources\n";

/// One manifest's output: runs of input bytes copied as they are, and edited documents.
#[derive(Debug, Default)]
pub struct Output<'a> {
    pieces: Vec<Piece<'a>>,
}

#[derive(Debug)]
enum Piece<'a> {
    Input(&'a [u8]),
    Edited(String),
}

impl<'a> Output<'a> {
    fn copy(&mut self, bytes: &'a [u8], at: usize, input: &'a [u8]) {
        // Adjacent input runs merge, so an untouched stream is one slice.
        if let Some(Piece::Input(prev)) = self.pieces.last_mut() {
            let prev_end = prev.as_ptr() as usize + prev.len() - input.as_ptr() as usize;
            if prev_end == at {
                let start = prev.as_ptr() as usize - input.as_ptr() as usize;
                *prev = &input[start..at + bytes.len()];
                return;
            }
        }
        self.pieces.push(Piece::Input(bytes));
    }

    fn is_blank(&self) -> bool {
        self.pieces.iter().all(|p| match p {
            Piece::Input(b) => b.iter().all(u8::is_ascii_whitespace),
            Piece::Edited(s) => s.trim().is_empty(),
        })
    }

    /// Writes the output: the pieces in order, or `EMPTY_OUTPUT` when they hold nothing but white
    /// space, since Helm 4 refuses an empty stream.
    pub fn write_to(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        if self.is_blank() {
            return w.write_all(EMPTY_OUTPUT.as_bytes());
        }
        for p in &self.pieces {
            match p {
                Piece::Input(b) => w.write_all(b)?,
                Piece::Edited(s) => w.write_all(s.as_bytes())?,
            }
        }
        Ok(())
    }

    fn first_bytes(&self) -> &[u8] {
        match self.pieces.first() {
            Some(Piece::Input(b)) => b,
            Some(Piece::Edited(s)) => s.as_bytes(),
            None => b"",
        }
    }

    fn ends_with_newline(&self) -> bool {
        match self.pieces.last() {
            Some(Piece::Input(b)) => b.ends_with(b"\n"),
            Some(Piece::Edited(s)) => s.ends_with('\n'),
            None => true,
        }
    }

    /// The output in memory, as `write_to` writes it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out).expect("writing to memory");
        out
    }
}

/// What goes between two files' outputs written as one stream: a line break if the first lacks
/// one, and a separator unless the second starts with one. A line break that would change what
/// the first file's last document means (it ends inside a block scalar, whose value would gain a
/// newline) is refused: the message says so.
pub fn join_streams(prev: &Output, next: &Output) -> Result<&'static str, String> {
    let newline = !prev.ends_with_newline();
    if newline && !a_line_break_keeps_the_meaning(&prev.to_bytes()) {
        return Err("its last document ends inside a block scalar without a final line break, so no \
                    document can follow it without changing that value: add the line break (or \
                    give the file on its own)"
            .to_string());
    }
    let separator = !next.first_bytes().starts_with(b"---");
    Ok(match (newline, separator) {
        (true, true) => "\n---\n",
        (true, false) => "\n",
        (false, true) => "---\n",
        (false, false) => "",
    })
}

/// Does the stream's last document mean the same with a line break after it?
fn a_line_break_keeps_the_meaning(stream: &[u8]) -> bool {
    let Some(last) = stream::split(stream).ok().and_then(|docs| docs.last().cloned()) else { return true };
    let body = &stream[last.body];
    let with_break = [body, b"\n"].concat();
    matches!((yaml::read(body), yaml::read(&with_break)), (Ok(a), Ok(b)) if a == b)
}

/// The output of each input, in input order: the plan's targets made text. A document that cannot
/// be edited is reported and the run fails; nothing half-edited is returned.
pub fn assemble<'a>(manifests: &'a [Manifest], targets: &Targets, report: &mut Report) -> Vec<Output<'a>> {
    let jobs: Vec<(&DocId, &serde_json::Value)> = targets.values.iter().collect();
    let mut edited: std::collections::HashMap<DocId, Result<String, (Problem, String)>> = jobs
        .iter()
        .map(|(k, _)| **k)
        .zip(parallel::map(&jobs, |(id, t)| edit_document(&manifests[id.input], id.doc, t)))
        .collect();
    manifests
        .iter()
        .enumerate()
        .map(|(m, manifest)| {
            let input = &manifest.input.bytes[..];
            let mut out = Output::default();
            for (d, doc) in manifest.docs.iter().enumerate() {
                if let Some(sep) = &doc.separator {
                    out.copy(&input[sep.clone()], sep.start, input);
                }
                let body = manifest.body(d);
                match edited.remove(&DocId { input: m, doc: d }) {
                    None => out.copy(body, doc.body.start, input),
                    Some(Ok(text)) => out.pieces.push(Piece::Edited(text)),
                    Some(Err((problem, message))) => report.error(problem, manifest.location(d), None, message, None),
                }
                // Generated routes follow the document whose Service they serve, as documents of
                // their own, with its `# Source:` line so Helm 3 files them with it.
                for route in targets.routes.get(&DocId { input: m, doc: d }).into_iter().flatten() {
                    let route = yaml::write::block(route, 0);
                    let source = stream::source_comment(body).map_or(String::new(), |s| format!("# Source: {s}\n"));
                    let nl = if out.ends_with_newline() { "" } else { "\n" };
                    let text = format!("{nl}---\n{source}{route}\n");
                    // In a CRLF stream the routes end their lines as the stream does.
                    let crlf = body.windows(2).any(|w| w == b"\r\n");
                    out.pieces.push(Piece::Edited(if crlf { text.replace('\n', "\r\n") } else { text }));
                }
            }
            out
        })
        .collect()
}

/// A document's text, edited to mean `target`.
fn edit_document(manifest: &Manifest, d: usize, target: &serde_json::Value) -> Result<String, (Problem, String)> {
    let internal = |e: String| (Problem::Internal, e);
    let text = std::str::from_utf8(manifest.body(d)).map_err(|e| internal(e.to_string()))?;
    let current =
        manifest.values[d].as_ref().ok_or_else(|| internal("internal error: the document was not read".into()))?;
    // edit_to proves its result: Go would read the edited text as exactly the target. The input
    // itself was read by Go's own reader, so a failed proof is svcpolicy's fault.
    yaml::edit_to(text, current, target).map_err(|e| internal(e.to_string()))
}
