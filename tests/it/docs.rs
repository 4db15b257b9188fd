//! README.md and docs/ are tests, so they cannot drift from what the code does:
//! - every `console` example runs, in a fresh folder holding a copy of `testdata/`, and each
//!   command must print what the text shows and exit as it says (a failing command is followed
//!   by `echo $?` in the text, or the test fails);
//! - every policy the text shows (whole, a fragment of a few sections given the header it is shown
//!   without, or a console here-document) loads, or is refused where the text shows the refusal;
//!   each one with rules is run over every real chart render in the corpus, where it must apply
//!   cleanly: a denial or a port conflict the policy asks for is its answer, but an invalid
//!   policy, a problem svcpolicy cannot act on, or an internal error is the example being wrong;
//! - every `svcpolicy` command line the shell and CI blocks show is parsed by the command line
//!   itself (with `--help` added, so nothing runs): a flag the docs name must exist where they use
//!   it. What those blocks show Helm printing is asserted by the real-Helm tests (tests/it/helm.rs).

use crate::support::*;
use svcpolicy::input::cluster::ClusterState;
use svcpolicy::input::Input;
use svcpolicy::report::Problem;

/// One fenced code block of a Markdown file.
struct Block {
    at: String,
    lang: String,
    text: String,
}

fn blocks(file: &str) -> Vec<Block> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with("```") {
            let start = i + 1;
            let end = (start..lines.len()).find(|&j| lines[j].starts_with("```")).expect("every block is closed");
            let lang = lines[i].trim_start_matches('`').trim().to_string();
            out.push(Block { at: format!("{file}:{}", i + 1), lang, text: lines[start..end].join("\n") + "\n" });
            i = end;
        }
        i += 1;
    }
    out
}

/// The policy a block shows: a whole policy, the text of a shell here-document that writes one,
/// or a fragment made only of policy sections.
fn policy_text(block: &Block) -> Option<String> {
    // A console example's here-document is the text after its `> ` prompts.
    let commands;
    let text = if block.lang == "console" {
        commands = console_steps(block).iter().map(|s| s.command.clone() + "\n").collect::<String>();
        &commands
    } else {
        &block.text
    };
    if let Some(start) = text.find("<<'EOF'\n") {
        let body = &text[start + "<<'EOF'\n".len()..];
        let body = &body[..body.find("\nEOF").map_or(body.len(), |i| i + 1)];
        return body.contains("kind: ServicePolicy").then(|| body.to_string());
    }
    if block.lang == "console" {
        return None;
    }
    if text.contains("kind: ServicePolicy") {
        return Some(text.clone());
    }
    const SECTIONS: &[&str] = &["nodePorts:", "loadBalancer:", "hostNetwork:", "hostPorts:", "proxy:", "rules:"];
    let top: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with([' ', '#', '-']))
        .map(|l| l.split_once(':').map_or(l, |(k, _)| k))
        .collect();
    let is_fragment = !top.is_empty() && top.iter().all(|k| SECTIONS.iter().any(|s| s.trim_end_matches(':') == *k));
    is_fragment.then(|| format!("apiVersion: svcpolicy/v1\nkind: ServicePolicy\n{text}"))
}

/// Every code block of README.md and docs/*.md.
fn all_blocks() -> Vec<Block> {
    let mut files = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| format!("docs/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|f| f.ends_with(".md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files.iter().flat_map(|f| blocks(f)).collect()
}

/// A policy the docs show, where, and whether the docs show svcpolicy refusing it (a console
/// example whose output is the loader's error).
struct ShownPolicy {
    at: String,
    text: String,
    refused: bool,
}

fn shown_policies() -> Vec<ShownPolicy> {
    all_blocks()
        .into_iter()
        .filter_map(|b| {
            let refused = b.lang == "console" && b.text.contains("is not valid:");
            policy_text(&b).map(|text| ShownPolicy { at: b.at, text, refused })
        })
        .collect()
}

/// The arguments of every `svcpolicy` command a shell or CI block runs: the words after it up
/// to a redirection, pipe, comment or the end of the line, quotes taken off.
fn shown_commands() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for block in all_blocks().into_iter().filter(|b| b.lang == "sh" || b.lang == "yaml") {
        for line in block.text.lines() {
            // Comments say things about svcpolicy; they run nothing.
            let code = match line.find('#') {
                Some(i) if i == 0 || line[..i].ends_with(' ') => &line[..i],
                _ => line,
            };
            let mut rest = code;
            while let Some(i) = rest.find("svcpolicy ") {
                let before = &rest[..i];
                // `--exec svcpolicy` (kpt) and `--post-renderer svcpolicy` (Helm) name it for others.
                let named_for_another = ["--exec", "--post-renderer"].iter().any(|f| before.trim_end().ends_with(f));
                let command_word = before.is_empty() || (before.ends_with([' ', '(', '|', '$']) && !named_for_another);
                let after = &rest[i + "svcpolicy ".len()..];
                rest = after;
                if !command_word {
                    continue;
                }
                let end = after.find(['|', '>', '<', '#', ';', ')', '&']).unwrap_or(after.len());
                let args: Vec<String> =
                    after[..end].split_whitespace().map(|w| w.trim_matches(['"', '\'']).to_string()).collect();
                out.push((block.at.clone(), args));
            }
        }
    }
    out
}

#[test]
fn every_command_the_docs_show_is_one_svcpolicy_understands() {
    let commands = shown_commands();
    assert!(commands.len() >= 10, "only {} commands found in the docs", commands.len());
    let mut wrong = Vec::new();
    for (at, args) in &commands {
        let out = svcpolicy().args(args).arg("--help").output().unwrap();
        if !out.status.success() {
            wrong.push(format!("{at}: svcpolicy {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)));
        }
    }
    assert!(wrong.is_empty(), "commands in the docs svcpolicy refuses:\n{}", wrong.join("\n"));
}

/// The namespaces a policy's rules match on (a glob's `*` made `x`), and `media`: each example
/// runs where its rules fire.
fn namespaces_named(policy: &str) -> Vec<String> {
    let mut out = vec!["media".to_string()];
    for line in policy.lines().filter(|l| l.contains("namespace:")) {
        let after = &line[line.find("namespace:").unwrap() + "namespace:".len()..];
        let after = after.split('#').next().unwrap_or("");
        for word in after.split([' ', ',', '[', ']', '{', '}', '"', '\'']).filter(|w| !w.is_empty()) {
            let ns = word.replace('*', "x");
            if ns.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !out.contains(&ns) {
                out.push(ns);
            }
        }
    }
    out
}

#[test]
fn every_policy_the_docs_show_loads() {
    let policies = shown_policies();
    // The docs show the home-lab policy, the complete example, fragments for every section.
    assert!(policies.len() >= 12, "only {} policies found in the docs", policies.len());
    let broken: Vec<String> = policies
        .iter()
        .filter_map(|p| match svcpolicy::policy::parse(&p.text) {
            Err(e) if !p.refused => Some(format!("{}: {e}\n{}", p.at, p.text)),
            Ok(_) if p.refused => Some(format!("{}: shown as refused, but loads\n{}", p.at, p.text)),
            _ => None,
        })
        .collect();
    assert!(broken.is_empty(), "policies in the docs that do not load:\n{}", broken.join("\n"));
}

#[test]
fn every_policy_the_docs_show_applies_to_the_real_charts() {
    let corpus: Vec<(String, Vec<u8>)> = corpus_files()
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    let mut wrong = Vec::new();
    let mut runs = 0;
    for ShownPolicy { at, text, .. } in shown_policies() {
        let Ok(policy) = svcpolicy::policy::parse(&text) else { continue };
        if policy.rules.is_empty() {
            continue;
        }
        for (name, bytes) in &corpus {
            for namespace in namespaces_named(&text) {
                let input = Input { path: Some(name.clone()), bytes: bytes.clone() };
                let (_, report) = svcpolicy::render(input, &policy, &namespace, &ClusterState::default());
                runs += 1;
                for e in &report.errors {
                    // What the policy asks for (a denial, a conflict it reports) is its answer; so is
                    // a pin on a port the render's own pods listen on, which docs/policy.md says is
                    // an error (the Plex pin meets Plex's hostNetwork render). The corpus renders
                    // themselves are valid.
                    let documented_refusal = e.message.contains(" is a host port of ");
                    if !documented_refusal
                        && matches!(e.problem, Some(Problem::InvalidPolicy | Problem::InvalidInput | Problem::Internal))
                    {
                        wrong.push(format!("{at} on {name} in {namespace}: {} {}", e.location, e.message));
                    }
                }
            }
        }
    }
    assert!(runs > 100, "only {runs} runs");
    wrong.dedup();
    assert!(wrong.is_empty(), "{} examples fail on real charts:\n{}", wrong.len(), wrong.join("\n"));
}

/// One command of a `console` block and the output the text shows for it (stdout and stderr
/// as a terminal shows them, in order).
struct Step {
    command: String,
    shown: Vec<String>,
}

/// The steps of a `console` block: `$ ` starts a command, `> ` continues it (a here-document),
/// every other line is output.
fn console_steps(block: &Block) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for line in block.text.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step { command: command.to_string(), shown: Vec::new() });
            continue;
        }
        let step = steps.last_mut().unwrap_or_else(|| panic!("{}: output before any `$ ` command", block.at));
        let continuation = if line == ">" { Some("") } else { line.strip_prefix("> ") };
        match continuation {
            Some(rest) if step.shown.is_empty() => {
                step.command.push('\n');
                step.command.push_str(rest);
            }
            _ => step.shown.push(line.to_string()),
        }
    }
    steps
}

/// Whether output lines match what the docs show: `...` alone on a line stands for any number
/// of lines, `[..]` within a line for any text.
fn shown_matches(shown: &[String], actual: &[&str]) -> bool {
    match shown.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => (0..=actual.len()).any(|skip| shown_matches(rest, &actual[skip..])),
        Some((first, rest)) => {
            actual.split_first().is_some_and(|(line, more)| line_matches(first, line) && shown_matches(rest, more))
        }
    }
}

fn line_matches(shown: &str, actual: &str) -> bool {
    let mut parts = shown.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = actual.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Runs a `console` block's commands, one shell for the block (so files it writes and `$?` carry
/// over), in a fresh folder holding a copy of the repository's `testdata/`, with svcpolicy first on `PATH`.
/// Returns, per step, its output lines and exit status.
fn run_console(steps: &[Step]) -> Vec<(String, i32)> {
    const MARK: &str = "\u{1}svcpolicy-docs-step";
    let dir = tempfile_dir();
    // A copy: an example that writes beside the inputs must not change the repository.
    let copied = std::process::Command::new("cp").arg("-R").arg(repo().join("testdata")).arg(&dir).status().unwrap();
    assert!(copied.success(), "copying testdata/");
    let mut script = String::new();
    for step in steps {
        // `(exit $s)` hands the step's status on to the next step's `$?`.
        script.push_str(&format!("{{\n{}\n}} 2>&1\ns=$?; printf '\\n{MARK} %s\\n' \"$s\"; (exit $s)\n", step.command));
    }
    let bin = assert_cmd::cargo::cargo_bin("svcpolicy");
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&dir)
        .env("PATH", path)
        .env_remove("SVCPOLICY_POLICY")
        .env_remove("HELM_NAMESPACE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut results = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find(MARK) {
        let output = rest[..at].strip_suffix('\n').unwrap_or(&rest[..at]).to_string();
        let after = &rest[at + MARK.len()..];
        let end = after.find('\n').unwrap_or(after.len());
        results.push((output, after[..end].trim().parse().unwrap()));
        rest = &after[(end + 1).min(after.len())..];
    }
    std::fs::remove_dir_all(&dir).ok();
    results
}

/// Every `console` block of README.md and docs/ runs, and shows what really happens: each
/// command's output matches the text, and a command that fails is followed by `echo $?`, so the
/// docs state every exit status they rely on.
#[test]
fn every_console_example_shows_what_happens() {
    let blocks: Vec<Block> = all_blocks().into_iter().filter(|b| b.lang == "console").collect();
    assert!(blocks.len() >= 6, "only {} console examples in the docs", blocks.len());
    let mut wrong = Vec::new();
    for block in &blocks {
        let steps = console_steps(block);
        let results = run_console(&steps);
        assert_eq!(results.len(), steps.len(), "{}: the block did not run to its end", block.at);
        for (i, (step, (output, status))) in steps.iter().zip(&results).enumerate() {
            let actual: Vec<&str> = if output.is_empty() { Vec::new() } else { output.lines().collect() };
            if !shown_matches(&step.shown, &actual) {
                wrong.push(format!(
                    "{}: `$ {}` shows\n{}\nbut prints\n{}",
                    block.at,
                    step.command,
                    step.shown.join("\n"),
                    output
                ));
            }
            let status_shown =
                steps.get(i + 1).is_some_and(|next| next.command.split('#').next().unwrap_or("").trim() == "echo $?");
            if *status != 0 && !status_shown {
                wrong.push(format!("{}: `$ {}` exits {status}, and the docs do not say so", block.at, step.command));
            }
        }
    }
    assert!(wrong.is_empty(), "console examples that do not show what happens:\n\n{}", wrong.join("\n\n"));
}

#[test]
fn shown_output_patterns_match_as_documented() {
    let shown = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(shown_matches(&shown(&["a", "...", "d"]), &["a", "b", "c", "d"]));
    assert!(shown_matches(&shown(&["a", "..."]), &["a"]));
    assert!(!shown_matches(&shown(&["a", "d"]), &["a", "b", "d"]));
    assert!(shown_matches(&shown(&["x [..] z"]), &["x any thing z"]));
    assert!(!shown_matches(&shown(&["x [..] z"]), &["x any thing"]));
    assert!(!shown_matches(&shown(&["x"]), &["xy"]));
    assert!(!shown_matches(&shown(&[]), &["x"]));
}
