//! The commands' bodies: the render (and the KRM function form), `check`, `diff` and `ports`,
//! each a run through `pipeline` shown its own way, and the man page. Each returns the exit
//! status; what fails the run outright is an error for `cli::main` to report.

use crate::cli::args::{Cli, Format, PortsFormat, RunArgs};
use crate::cli::config::RunConfig;
use crate::cli::diff::unified_diff;
use crate::cli::in_place;
use crate::exit_code::ExitCode;
use crate::output::{self, krm as krm_output, port_map};
use crate::pipeline::{self, Outcome};
use crate::plan::port_plan::{self, Claim, Conflict};
use crate::report::{self, Problem};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// `svcpolicy [FILE...]`: the post-renderer. The output goes to stdout (or back to each file),
/// only when the whole run is clean; the report goes to stderr.
pub fn render(args: &RunArgs, in_place: bool) -> Result<ExitCode> {
    let mut config = RunConfig::resolve(args, true)?;
    if config.resource_list.is_some() {
        return krm_function(config);
    }
    let Outcome { manifests, targets, mut report, .. } = config.process();
    let outputs = pipeline::outputs(&manifests, &targets, &mut report);
    config.write_report(&report)?;
    eprint!("{}", prefixed(&report.to_text(!config.quiet)));
    let Some(outputs) = outputs else {
        if config.report.is_some() {
            eprintln!("svcpolicy: the full report is in the --report file");
        }
        return Ok(report.exit_code());
    };
    if in_place {
        for (out, manifest) in outputs.iter().zip(&manifests) {
            let path = manifest.input.path.as_deref().expect("--in-place requires files");
            in_place::write_atomically(Path::new(path), &out.to_bytes())?;
        }
        return Ok(ExitCode::Success);
    }
    // Several files become one stream: their first and last documents are kept apart, and every
    // join is checked before anything is written.
    let joins = outputs
        .windows(2)
        .zip(&manifests)
        .map(|(pair, manifest)| {
            let path = manifest.input.path.as_deref().unwrap_or("stdin");
            output::join_streams(&pair[0], &pair[1])
                .map_err(|e| anyhow::anyhow!("{path} cannot be joined to the next file: {e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    for (i, out) in outputs.iter().enumerate() {
        if let Some(between) = i.checked_sub(1).map(|j| joins[j]) {
            stdout.write_all(between.as_bytes()).context("cannot write to stdout")?;
        }
        out.write_to(&mut stdout).context("cannot write to stdout")?;
    }
    stdout.flush().context("cannot write to stdout")?;
    Ok(ExitCode::Success)
}

/// A ResourceList on stdin: svcpolicy as a KRM function. The list always comes back, with
/// `results`; the exit status says whether the run failed.
fn krm_function(mut config: RunConfig) -> Result<ExitCode> {
    let original = config.inputs[0].bytes.clone();
    let Outcome { manifests, targets, mut report, .. } = config.process();
    let output = match pipeline::outputs(&manifests, &targets, &mut report) {
        Some(outputs) => outputs[0].to_bytes(),
        None => original,
    };
    config.write_report(&report)?;
    // The changes are in the results; stderr keeps to warnings and errors.
    eprint!("{}", prefixed(&report.to_text(false)));
    let answer = krm_output::with_results(&output, &report)?;
    std::io::stdout().lock().write_all(&answer).context("cannot write to stdout")?;
    Ok(report.exit_code())
}

/// `svcpolicy check`: what a render would change or refuse.
pub fn check(args: &RunArgs, format: Format) -> Result<ExitCode> {
    let mut config = RunConfig::resolve(args, false)?;
    let Outcome { manifests, targets, mut report, .. } = config.process();
    // Prove the edits can be made, exactly as a render would.
    pipeline::outputs(&manifests, &targets, &mut report);
    config.write_report(&report)?;
    let report = &report;
    let text = match format {
        Format::Text if config.quiet => report.to_text(false) + &report::change_count(report),
        Format::Text => report.to_text(true),
        Format::Json => report.to_json(),
        Format::Github => report.to_github(!config.quiet),
    };
    to_stdout(&text)?;
    let code = report.exit_code();
    Ok(if code.is_success() && !report.changes.is_empty() { ExitCode::Findings } else { code })
}

/// `svcpolicy diff`: what a render would change, as a unified diff.
pub fn diff(args: &RunArgs, color: bool) -> Result<ExitCode> {
    let mut config = RunConfig::resolve(args, false)?;
    let Outcome { manifests, targets, mut report, .. } = config.process();
    let outputs = pipeline::outputs(&manifests, &targets, &mut report);
    config.write_report(&report)?;
    eprint!("{}", prefixed(&report.to_text(false)));
    let Some(outputs) = outputs else {
        return Ok(report.exit_code());
    };
    let mut any = false;
    for (out, manifest) in outputs.iter().zip(&manifests) {
        let name = manifest.input.path.as_deref().unwrap_or("stdin");
        let text = unified_diff(name, &manifest.input.bytes, &out.to_bytes(), color);
        any |= !text.is_empty();
        to_stdout(&text)?;
    }
    Ok(ExitCode::findings_if(any))
}

/// `svcpolicy ports`: the port plan of a node, and its conflicts, as a table, JSON, or the port
/// map (HTML or SVG).
pub fn ports(args: &RunArgs, format: PortsFormat) -> Result<ExitCode> {
    let mut config = RunConfig::resolve(args, false)?;
    let Outcome { report, claims, .. } = config.process();
    let conflicts = port_plan::render_conflicts(&claims);
    let node_ports = &config.policy.node_ports;
    let text = match format {
        PortsFormat::Table => ports_table(&claims, &conflicts),
        PortsFormat::Json => {
            let json = serde_json::json!({"claims": claims, "conflicts": conflicts.iter().map(|c| &c.message).collect::<Vec<_>>()});
            serde_json::to_string_pretty(&json).expect("a plan serialises") + "\n"
        }
        PortsFormat::Html => port_map::html(&claims, &conflicts, node_ports),
        PortsFormat::Svg => port_map::svg(&claims, &conflicts, node_ports),
    };
    to_stdout(&text)?;
    let errors: Vec<_> = report.errors.iter().filter(|e| e.problem != Some(Problem::Conflict)).collect();
    if !errors.is_empty() {
        eprint!("{}", prefixed(&report.to_text(false)));
        return Ok(report.exit_code());
    }
    Ok(ExitCode::findings_if(!conflicts.is_empty()))
}

/// The port plan as a table a person reads before picking a port; an `INFERRED FROM` column at
/// the end where a hostNetwork pod's port is inferred from the Services that select it.
fn ports_table(claims: &[Claim], conflicts: &[Conflict]) -> String {
    let inferred = claims.iter().any(|c| !c.inferred_from.is_empty());
    let mut header = vec!["PORT", "PROTOCOL", "CLAIM", "RESOURCE", "NAMESPACE", "NAME", "ADDRESS"];
    if inferred {
        header.push("INFERRED FROM");
    }
    let mut rows: Vec<Vec<String>> = vec![header.into_iter().map(String::from).collect()];
    let mut sorted: Vec<&Claim> = claims.iter().collect();
    sorted.sort_by(|a, b| {
        (a.port, &a.protocol, a.claim, &a.namespace, &a.name).cmp(&(
            b.port,
            &b.protocol,
            b.claim,
            &b.namespace,
            &b.name,
        ))
    });
    for c in sorted {
        let origin = if c.location.is_some() { "" } else { " (cluster)" };
        let mut row = vec![
            c.port.to_string(),
            c.protocol.clone(),
            c.claim.as_str().into(),
            format!("{}{origin}", c.resource),
            c.namespace.clone(),
            c.name.clone(),
            c.address.clone().unwrap_or_else(|| "*".into()),
        ];
        if inferred {
            row.push(c.inferred_from.join(", "));
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len()).map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if conflicts.is_empty() {
        out.push_str("\nno conflicts\n");
    } else {
        let noun = if conflicts.len() == 1 { "conflict" } else { "conflicts" };
        out.push_str(&format!("\n{} {noun}:\n", conflicts.len()));
        for c in conflicts {
            out.push_str(&format!("  {}\n", c.message));
        }
    }
    out
}

/// The man page: clap's sections, but the subcommands described here, not as `svcpolicy-check(1)`
/// pages that are never generated.
pub fn man_page() -> std::io::Result<String> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let roff = |s: &str| s.replace('\\', "\\e").replace('-', "\\-");
    page.extend_from_slice(b".SH SUBCOMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let text = format!(".TP\n\\fBsvcpolicy {}\\fR\n{}\n", roff(sub.get_name()), roff(&about));
        page.extend_from_slice(text.as_bytes());
    }
    page.extend_from_slice(
        b".PP\nEach subcommand lists its options with \\fBsvcpolicy \\fIsubcommand\\fB \\-\\-help\\fR.\n",
    );
    man.render_version_section(&mut page)?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}

/// Writes to stdout, all of it.
pub fn to_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("cannot write to stdout")
}

/// Each line of the report, as stderr shows it.
fn prefixed(text: &str) -> String {
    text.lines().map(|l| format!("svcpolicy: {l}\n")).collect()
}
