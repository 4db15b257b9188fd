//! The port map (`svcpolicy ports --format html|svg`) in a real browser: Debian's Chromium,
//! headless, loads the map of a home lab (real chart renders with conflicts) and of a
//! 20,000-document stream (tools/bench/gen_manifest.py), as HTML and as SVG. The DOM after the
//! page's script ran must hold every claim and every conflict `ports --format json` reports: a
//! claim by its number (`data-claim` in the picture, `data-row` in the HTML table) with what it
//! is, a conflict by its number (`data-conflict`) naming both claimants, with the marker that
//! is not colour. The browser must log nothing to the console. Screenshots, and the maps
//! themselves, are kept in target/port-map/ (each test prints where, even when it passes).
//!
//! The home lab's HTML screenshot is the README's picture, docs/port-map.png; to make it again:
//! `SVCPOLICY_UPDATE_PORT_MAP_PNG=1 cargo test --test it port_map`.
//!
//! Chromium comes from Debian through scripts/tools.sh. Without it each test fails, unless the
//! run opts in to skipping with SVCPOLICY_SKIP_BROWSER=1, which it then prints; under CI=true
//! skipping is refused.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The corpus renders of the home lab: Traefik on hostPorts, ingress-nginx on the host network
/// and Pi-hole on a LoadBalancer address collide (docs/policy.md, "The port plan"); the rest
/// hold NodePorts across the range.
const HOME_LAB: &[&str] = &[
    "traefik-hostport.yaml",
    "ingress-nginx-hostnet.yaml",
    "pihole-lb.yaml",
    "nginx-lb.yaml",
    "metallb-default.yaml",
    "k8sathome-plex-nodeport.yaml",
    "nginx-nodeport.yaml",
    "wordpress-nodeport.yaml",
    "postgresql-nodeport.yaml",
    "kube-prometheus-stack-nodeport.yaml",
    "pihole-nodeport.yaml",
];

/// A TrueNAS-style home lab that lets host networking through, so the port plan shows it.
const HOME_LAB_POLICY: &str = "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"9000-65535\"}\nhostNetwork: {action: allow}\nhostPorts: {action: allow}\n";

/// How long one browser run may take before the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(180);

/// Debian's Chromium (`SVCPOLICY_CHROMIUM`, else `chromium` on PATH), or `None` (with the reason
/// printed) when it is missing and the run opted in to skipping (SVCPOLICY_SKIP_BROWSER=1, not
/// under CI=true).
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("SVCPOLICY_CHROMIUM").map(PathBuf::from).or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join("chromium"))
            .find(|p| p.is_file())
    });
    if let Some(bin) = found.filter(|p| p.is_file()) {
        return Some(bin);
    }
    let skip = std::env::var("SVCPOLICY_SKIP_BROWSER").is_ok_and(|v| v == "1");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(!(skip && ci), "SVCPOLICY_SKIP_BROWSER=1 is refused under CI=true: no chromium");
    if skip {
        eprintln!("SKIPPED (SVCPOLICY_SKIP_BROWSER=1): no chromium on PATH (or at SVCPOLICY_CHROMIUM)");
        return None;
    }
    panic!(
        "chromium is not on PATH: run scripts/tools.sh (it installs Debian's chromium), set SVCPOLICY_CHROMIUM, \
         or set SVCPOLICY_SKIP_BROWSER=1 to skip the browser tests on this machine"
    );
}

/// What one headless run gave: stdout (the DOM, for `--dump-dom`) and the console's messages.
struct Run {
    stdout: String,
    console: Vec<String>,
}

/// Headless Chromium with a profile of its own, logging the page's console to stderr.
struct Browser {
    bin: PathBuf,
    profile: PathBuf,
}

impl Browser {
    fn new(bin: PathBuf) -> Self {
        Browser { bin, profile: tempfile_dir() }
    }

    /// Loads `page` with these arguments added; fails on a non-zero exit or a run past the timeout.
    fn run(&self, page: &Path, args: &[String]) -> Run {
        let mut cmd = Command::new(&self.bin);
        cmd.args(["--headless", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--mute-audio"])
            .arg(format!("--user-data-dir={}", self.profile.display()))
            .args(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000"])
            .args(args)
            .arg(format!("file://{}", page.display()))
            .stdin(Stdio::null());
        if running_as_root() {
            // Chromium refuses to sandbox itself as root.
            cmd.arg("--no-sandbox");
        }
        let out = run_with_timeout(cmd, BROWSER_TIMEOUT);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "chromium failed ({}) on {}:\n{stderr}", out.status, page.display());
        let console = stderr.lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect();
        Run { stdout: String::from_utf8_lossy(&out.stdout).into_owned(), console }
    }

    /// The DOM after the page's scripts ran.
    fn dom(&self, page: &Path) -> Run {
        let run = self.run(page, &["--dump-dom".to_string()]);
        assert!(run.stdout.contains("data-claim"), "chromium printed no map for {}:\n{}", page.display(), run.stdout);
        run
    }

    /// A screenshot of the page in a window `width` x `height`, written to `png`.
    fn screenshot(&self, page: &Path, png: &Path, (width, height): (u32, u32)) -> Run {
        let _ = std::fs::remove_file(png);
        let args = [format!("--window-size={width},{height}"), format!("--screenshot={}", png.display())];
        let run = self.run(page, &args);
        let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", png.display());
        run
    }
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Runs `cmd` to its end, or kills it after `limit` and fails.
fn run_with_timeout(mut cmd: Command, limit: Duration) -> std::process::Output {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("chromium starts");
    let id = child.id();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match wait.recv_timeout(limit) {
        Ok(out) => out.expect("chromium's output is read"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
            panic!("chromium took longer than {limit:?}");
        }
    }
}

/// Where the maps and screenshots are kept: target/port-map/.
fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo().join("target"));
    let dir = target.join("port-map");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An element as the DOM serialises it: its attributes, and what follows its start tag up to
/// the first `</tag>` (its content, for the elements checked here, which do not nest).
struct Element {
    attrs: BTreeMap<String, String>,
    content: String,
}

impl Element {
    fn attr(&self, name: &str) -> &str {
        self.attrs.get(name).map_or("", String::as_str)
    }

    /// The text of its `<title>` (hover text), if it opens with one.
    fn title(&self) -> Option<String> {
        let rest = self.content.strip_prefix("<title>")?;
        Some(unescape(&rest[..rest.find("</title>")?]))
    }

    /// Its text, tags taken out.
    fn text(&self) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in self.content.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        unescape(&out)
    }

    /// The texts of its `<td>`s.
    fn cells(&self) -> Vec<String> {
        self.content
            .split("<td")
            .skip(1)
            .map(|cell| {
                let inner = &cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()];
                Element { attrs: BTreeMap::new(), content: inner.to_string() }.text()
            })
            .collect()
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Every element of `dom` that has the attribute `name`.
fn elements_with(dom: &str, name: &str) -> Vec<Element> {
    let needle = format!(" {name}=\"");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = dom[from..].find(&needle).map(|i| i + from) {
        let start = dom[..at].rfind('<').unwrap();
        let (tag, attrs, end) = start_tag(dom, start);
        let close = format!("</{tag}>");
        let content = dom[end..].find(&close).map_or("", |i| &dom[end..end + i]).to_string();
        out.push(Element { attrs, content });
        from = end;
    }
    out
}

/// The start tag at `start`: its name, attributes (unescaped), and where it ends.
fn start_tag(dom: &str, start: usize) -> (String, BTreeMap<String, String>, usize) {
    let bytes = dom.as_bytes();
    let mut i = start + 1;
    let name_end = i + dom[i..].find([' ', '>', '/']).unwrap();
    let tag = dom[i..name_end].to_string();
    i = name_end;
    let mut attrs = BTreeMap::new();
    loop {
        while bytes[i] == b' ' || bytes[i] == b'/' {
            i += 1;
        }
        if bytes[i] == b'>' {
            return (tag, attrs, i + 1);
        }
        let key_end = i + dom[i..].find(['=', ' ', '>']).unwrap();
        let key = dom[i..key_end].to_string();
        i = key_end;
        if bytes[i] == b'=' {
            let value_end = i + 2 + dom[i + 2..].find('"').unwrap();
            attrs.insert(key, unescape(&dom[i + 2..value_end]));
            i = value_end + 1;
        } else {
            attrs.insert(key, String::new());
        }
    }
}

/// What `svcpolicy ports --format json` reports.
struct Plan {
    claims: Vec<Value>,
    conflicts: Vec<String>,
}

/// `svcpolicy ports` over `files` in every form: the JSON plan, and the HTML and SVG maps kept
/// under target/port-map/NAME.{html,svg}, each made in the time printed.
fn maps(name: &str, policy: &Path, files: &[PathBuf]) -> (Plan, PathBuf, PathBuf) {
    let run = |format: &str| {
        let started = Instant::now();
        let out =
            svcpolicy().arg("ports").arg("-p").arg(policy).arg("--format").arg(format).args(files).output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "ports --format {format} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("{name}: ports --format {format}: {} bytes in {:?}", out.stdout.len(), started.elapsed());
        out.stdout
    };
    let json: Value = serde_json::from_slice(&run("json")).unwrap();
    let plan = Plan {
        claims: json["claims"].as_array().unwrap().clone(),
        conflicts: json["conflicts"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect(),
    };
    let dir = artifacts();
    let (html, svg) = (dir.join(format!("{name}.html")), dir.join(format!("{name}.svg")));
    std::fs::write(&html, run("html")).unwrap();
    std::fs::write(&svg, run("svg")).unwrap();
    (plan, html, svg)
}

/// `Service web/web-nginx`: the owner of a claim of the JSON plan, as conflicts name it.
fn owner(claim: &Value) -> String {
    format!(
        "{} {}/{}",
        claim["resource"].as_str().unwrap(),
        claim["namespace"].as_str().unwrap(),
        claim["name"].as_str().unwrap()
    )
}

/// Every claim of the plan is one element of the picture, whose hover text says what it is.
fn check_picture_claims(dom: &str, plan: &Plan) {
    let elements = elements_with(dom, "data-claim");
    assert_eq!(elements.len(), plan.claims.len(), "one element per claim in the picture");
    let by_id: BTreeMap<usize, &Element> =
        elements.iter().map(|e| (e.attr("data-claim").parse().unwrap(), e)).collect();
    for (i, claim) in plan.claims.iter().enumerate() {
        let e = by_id.get(&i).unwrap_or_else(|| panic!("claim {i} is not in the picture: {claim}"));
        let title = e.title().unwrap_or_else(|| panic!("claim {i} has no hover text"));
        let kind = claim["claim"].as_str().unwrap();
        let port = format!("{}/{}", claim["protocol"].as_str().unwrap(), claim["port"]);
        for part in [kind, &port, &owner(claim), claim["address"].as_str().unwrap_or("")] {
            assert!(title.contains(part), "claim {i}'s hover text {title:?} does not say {part:?}");
        }
    }
}

/// Every claim of the plan is one row of the HTML table, saying what it is.
fn check_table(dom: &str, plan: &Plan) {
    let rows = elements_with(dom, "data-row");
    assert_eq!(rows.len(), plan.claims.len(), "one row per claim in the table");
    for row in &rows {
        let i: usize = row.attr("data-row").parse().unwrap();
        let c = &plan.claims[i];
        let cells = row.cells();
        let expected = [
            c["port"].to_string(),
            c["protocol"].as_str().unwrap().to_string(),
            c["claim"].as_str().unwrap().to_string(),
            c["resource"].as_str().unwrap().to_string(),
            c["namespace"].as_str().unwrap().to_string(),
            c["name"].as_str().unwrap().to_string(),
            c["address"].as_str().unwrap_or("*").to_string(),
        ];
        assert!(cells[3].starts_with(&expected[3]), "row {i}: {cells:?}");
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        assert_eq!([&cells[..3], &cells[4..7]].concat(), [&expected[..3], &expected[4..]].concat(), "row {i}");
    }
}

/// Every conflict of the plan has an element naming both claimants, its message, and the
/// marker; and each claimant has a claim marked as in a conflict.
fn check_conflicts(dom: &str, plan: &Plan) {
    let elements = elements_with(dom, "data-conflict");
    assert_eq!(elements.len(), plan.conflicts.len(), "one element per conflict");
    let claims = elements_with(dom, "data-claim");
    for e in &elements {
        let i: usize = e.attr("data-conflict").parse().unwrap();
        let message = &plan.conflicts[i];
        let words = e.title().unwrap_or_else(|| e.text());
        assert!(words.contains(message.as_str()), "conflict {i} says {words:?}, not {message:?}");
        assert!(e.content.contains("class=\"marker\""), "conflict {i} has no marker: {}", e.content);
        for who in [e.attr("data-first"), e.attr("data-second")] {
            assert!(!who.is_empty() && message.contains(who), "conflict {i} does not name {who:?}: {message}");
            let marked = claims.iter().any(|c| {
                c.title().is_some_and(|t| t.contains(who) && t.ends_with("(conflict)"))
                    && (c.attr("class").contains("conflicted") || c.content.contains("conflicted"))
            });
            assert!(marked, "conflict {i}: no claim of {who} is marked as in a conflict");
        }
    }
}

/// Loads the map's HTML and SVG in Chromium and checks each against the plan; keeps the
/// screenshots (the HTML's in a `window`) beside the maps and returns the HTML's.
fn check_in_browser(name: &str, policy: &Path, files: &[PathBuf], window: (u32, u32)) -> Option<PathBuf> {
    let browser = Browser::new(chromium()?);
    let (plan, html, svg) = maps(name, policy, files);
    assert!(!plan.conflicts.is_empty(), "{name}: the render is meant to have conflicts");
    for page in [&html, &svg] {
        let started = Instant::now();
        let run = browser.dom(page);
        eprintln!("{name}: chromium read {} in {:?}", page.display(), started.elapsed());
        assert!(run.console.is_empty(), "{}: the console says:\n{}", page.display(), run.console.join("\n"));
        check_picture_claims(&run.stdout, &plan);
        check_conflicts(&run.stdout, &plan);
        if page == &html {
            check_table(&run.stdout, &plan);
            assert!(run.stdout.contains("data-ready=\"yes\""), "the page's script did not run to its end");
        }
    }
    let png = artifacts().join(format!("{name}.html.png"));
    let run = browser.screenshot(&html, &png, window);
    assert!(run.console.is_empty(), "the console says:\n{}", run.console.join("\n"));
    let svg_png = artifacts().join(format!("{name}.svg.png"));
    browser.screenshot(&svg, &svg_png, (1200, 1600));
    // Past the test harness's capture, so a passing run says where its artifacts are too.
    let line = format!("port map {name}: screenshots at {} and {}\n", png.display(), svg_png.display());
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    let _ = std::fs::remove_dir_all(&browser.profile);
    Some(png)
}

/// The window the README's picture is taken in.
const README_WINDOW: (u32, u32) = (1760, 1180);

#[test]
fn the_home_lab_map_in_a_browser_shows_every_claim_and_conflict() {
    let files: Vec<PathBuf> = corpus_files().into_iter().filter(|f| HOME_LAB.iter().any(|n| f.ends_with(n))).collect();
    assert_eq!(files.len(), HOME_LAB.len());
    let policy = write_policy(&tempfile_dir(), HOME_LAB_POLICY);
    let Some(png) = check_in_browser("home-lab", &policy, &files, README_WINDOW) else { return };
    if std::env::var("SVCPOLICY_UPDATE_PORT_MAP_PNG").is_ok_and(|v| v == "1") {
        std::fs::copy(&png, repo().join("docs/port-map.png")).unwrap();
        eprintln!("docs/port-map.png made again from {}", png.display());
    }
}

#[test]
fn the_map_of_20000_documents_in_a_browser_shows_every_claim_and_conflict() {
    let dir = tempfile_dir();
    let stream = dir.join("stream.yaml");
    let generator = repo().join("tools/bench/gen_manifest.py");
    let made = Command::new("python3").arg(&generator).arg("20000").arg("--out").arg(&stream).status().unwrap();
    assert!(made.success(), "{} failed", generator.display());
    let policy =
        write_policy(&dir, "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"9000-65535\"}\n");
    check_in_browser("20000-documents", &policy, &[stream], (1600, 1000));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The console check is only worth something if it sees what a page logs.
#[test]
fn the_browser_check_sees_console_errors() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile_dir();
    let page = dir.join("broken.html");
    std::fs::write(&page, "<!DOCTYPE html><p data-claim=\"0\">x</p><script>console.error('boom'); nothing();</script>")
        .unwrap();
    let run = Browser::new(bin).dom(&page);
    assert!(run.console.iter().any(|l| l.contains("boom")), "{:?}", run.console);
    assert!(run.console.iter().any(|l| l.contains("nothing is not defined")), "{:?}", run.console);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README shows the home lab's map; the picture is in the repository.
#[test]
fn the_readme_shows_the_port_map_picture() {
    let png = std::fs::read(repo().join("docs/port-map.png")).expect("docs/port-map.png is committed");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "docs/port-map.png is a PNG");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let at = readme.find("](docs/port-map.png)").expect("README.md shows docs/port-map.png");
    let alt_start = readme[..at].rfind("![").expect("as an image") + 2;
    assert!(readme[alt_start..at].len() > 40, "the picture has alt text that says what it shows");
}
