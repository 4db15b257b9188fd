//! The policies in README.md and docs/ are tests: each one the text shows is extracted from the
//! Markdown, loaded as svcpolicy loads a policy file (a fragment of a few sections gets the
//! `apiVersion`/`kind` header it is shown without), and every one with rules is run over every
//! real chart render in the corpus, where it must apply cleanly: a denial or a port conflict the
//! policy asks for is its answer, but an invalid policy, a problem svcpolicy cannot act on, or an
//! internal error is the example being wrong. Every `svcpolicy` command line the shell and CI
//! blocks show is parsed by the command line itself (with `--help` added, so nothing runs): a flag
//! the docs name must exist where they use it. So the docs cannot drift from what the code does.

mod support;

use support::*;
use svcpolicy::cluster::ClusterState;
use svcpolicy::report::Problem;
use svcpolicy::resource::Input;

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
    let text = &block.text;
    if let Some(start) = text.find("<<'EOF'\n") {
        let body = &text[start + "<<'EOF'\n".len()..];
        let body = &body[..body.find("\nEOF").map_or(body.len(), |i| i + 1)];
        return body.contains("kind: ServicePolicy").then(|| body.to_string());
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

fn shown_policies() -> Vec<(String, String)> {
    all_blocks().into_iter().filter_map(|b| policy_text(&b).map(|p| (b.at, p))).collect()
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
        .filter_map(|(at, text)| svcpolicy::policy::parse(text).err().map(|e| format!("{at}: {e}\n{text}")))
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
    for (at, text) in shown_policies() {
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
