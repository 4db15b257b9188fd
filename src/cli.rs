//! The command line: `svcpolicy [FILE...]` renders (the post-renderer form), `check` reports,
//! `policy default` prints the built-in policy. All input is read before anything is written,
//! and on failure nothing reaches stdout.

use crate::fixtures;
use crate::input::cluster::ClusterState;
use crate::input::krm;
use crate::input::{Input, Location};
use crate::output::{self, krm as krm_output};
use crate::pipeline::{self, Outcome};
use crate::plan::port_plan::{self, Claim, Conflict};
use crate::policy::{self, Policy};
use crate::report;
use crate::report::{Problem, Report};
use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Exit status for bad input, a bad policy, bad usage or an internal error.
pub const EXIT_ERROR: i32 = 2;

/// The command line as clap reads it. Its help comes from `about` and `long_about` below, which
/// take precedence over this comment, so the comment speaks to readers of the code only.
#[derive(Parser, Debug)]
#[command(
    name = "svcpolicy",
    version,
    about = "A Helm post-renderer that holds rendered Kubernetes manifests to a networking policy",
    long_about = "Reads a manifest stream (stdin, or FILEs), rewrites Services as the policy says, and writes the \
                  stream to stdout. Documents it does not change come out byte for byte.\n\n\
                  Helm 3: helm install -n NS --post-renderer svcpolicy --post-renderer-args=--namespace=NS \
                  --post-renderer-args=-p --post-renderer-args=policy.yaml\n\
                  Helm 4: install the plugin (plugin.yaml) and use --post-renderer svcpolicy the same way.\n\
                  Helm passes no namespace to a post-renderer: give it with --namespace (or HELM_NAMESPACE).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
    /// Write each FILE's output back to it instead of to stdout (the render only: `check`,
    /// `diff` and `ports` never write files).
    #[arg(long, requires = "files")]
    in_place: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report what a render would change or deny; exit 1 if there is anything.
    Check {
        #[command(flatten)]
        run: RunArgs,
        /// How to print the findings.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show what a render would change, as a unified diff; exit 1 if there is any.
    Diff {
        #[command(flatten)]
        run: RunArgs,
        /// Colour the diff.
        #[arg(long, value_enum, default_value_t = When::Auto)]
        color: When,
    },
    /// Run policy fixtures: each DIR/<case>/ holds input.yaml, expected.yaml (or
    /// expected-errors.txt) and policy.yaml (or one DIR/policy.yaml for all).
    Test {
        /// The folder of cases.
        dir: PathBuf,
        /// Write what each render gives as the expected result.
        #[arg(long)]
        update: bool,
        /// Colour the diffs of failing cases.
        #[arg(long, value_enum, default_value_t = When::Auto)]
        color: When,
        /// Namespace of Services that name none.
        #[arg(short, long, value_name = "NS", default_value = "default")]
        namespace: String,
    },
    /// Print the policy file's JSON Schema, for editors.
    Schema,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff): `svcpolicy man > svcpolicy.1`.
    Man,
    /// Print the port plan of a node: every claim on its ports, and the conflicts; exit 1 if any.
    Ports {
        #[command(flatten)]
        run: RunArgs,
        /// How to print the plan.
        #[arg(long, value_enum, default_value_t = PortsFormat::Table)]
        format: PortsFormat,
    },
    /// Show policies.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Print the built-in policy.
    Default,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// The policy file [default: $SVCPOLICY_POLICY, then ./svcpolicy.yaml, then the built-in policy]
    #[arg(short, long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Namespace of Services that name none, in the input and the cluster state (Helm does not
    /// pass its -n on) [default: $HELM_NAMESPACE, then "default"]
    #[arg(short, long, value_name = "NS")]
    namespace: Option<String>,
    /// Also write the JSON report here (written even when the run fails).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Print warnings and errors only, not each change (`check`: a count of the changes).
    #[arg(short, long)]
    quiet: bool,
    /// Node ports the cluster holds: a `kubectl get svc -A -o yaml|json` dump or a stream of
    /// Services. The render's own Services found there keep their numbers.
    #[arg(long, value_name = "FILE")]
    cluster_state: Vec<PathBuf>,
    /// Read the cluster state with `kubectl get services -A -o json` (honours KUBECONFIG).
    #[arg(long)]
    from_cluster: bool,
    /// The kubeconfig context for --from-cluster.
    #[arg(long, value_name = "NAME", requires = "from_cluster")]
    kube_context: Option<String>,
    /// Manifest files to read instead of stdin.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum When {
    Auto,
    Always,
    Never,
}

impl When {
    /// Colour on a terminal, unless NO_COLOR says otherwise.
    fn colors(self) -> bool {
        use std::io::IsTerminal;
        match self {
            When::Always => true,
            When::Never => false,
            When::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum PortsFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Github,
}

/// Runs the command line and returns the exit status.
pub fn main() -> i32 {
    // The reading recurses as deep as a document nests (Go allows 10,000 levels): the whole run
    // gets the readers' stack, not the main thread's 8 MiB.
    let run = std::thread::Builder::new().stack_size(crate::parallel::STACK).spawn(main_on_a_big_stack);
    match run.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => main_on_a_big_stack(),
    }
}

fn main_on_a_big_stack() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { 0 };
        }
    };
    let report_path = cli.report_path().map(Path::to_path_buf);
    let github = matches!(cli.command, Some(Command::Check { format: Format::Github, .. }));
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped early (`| head`) got what it wanted.
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            eprintln!("svcpolicy: error: {e:#}");
            if github {
                // The failure is what fails the job: annotate it like any other error.
                let _ = to_stdout(&failure_report(&e).to_github(true));
            }
            if let Some(path) = report_path {
                // Helm 4 throws stderr away: the report file is all the user gets.
                match std::fs::write(&path, failure_report(&e).to_json()) {
                    Ok(()) => eprintln!("svcpolicy: the report is in {}", path.display()),
                    Err(w) => eprintln!("svcpolicy: error: cannot write the report to {}: {w}", path.display()),
                }
            }
            EXIT_ERROR
        }
    }
}

impl Cli {
    /// The `--report` file of whichever command runs.
    fn report_path(&self) -> Option<&Path> {
        let run = match &self.command {
            None => &self.run,
            Some(Command::Check { run, .. } | Command::Diff { run, .. } | Command::Ports { run, .. }) => run,
            Some(_) => return None,
        };
        run.report.as_deref()
    }
}

/// An error that stopped a run before it had a report: what kind of problem, and which file.
#[derive(Debug, thiserror::Error)]
#[error("{error:#}")]
struct Failed {
    problem: Problem,
    file: Option<String>,
    error: anyhow::Error,
}

/// Marks an error as `problem`, about `file`, for the report a failed run writes.
fn failed(problem: Problem, file: Option<&Path>) -> impl FnOnce(anyhow::Error) -> anyhow::Error {
    let file = file.map(|f| f.display().to_string());
    move |error| anyhow::Error::new(Failed { problem, file, error })
}

/// The report of a run that failed outright: one error, the failure itself.
fn failure_report(e: &anyhow::Error) -> Report {
    let marked = e.chain().find_map(|c| c.downcast_ref::<Failed>());
    let problem = marked.map_or(Problem::Internal, |f| f.problem);
    let location = Location::whole_file(marked.and_then(|f| f.file.clone()));
    let mut report = Report::default();
    report.error(problem, location, None, format!("{e:#}"), None);
    report
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        None => render(&cli.run, cli.in_place),
        Some(Command::Check { run, format }) => check(&run, format),
        Some(Command::Diff { run, color }) => diff(&run, color.colors()),
        Some(Command::Test { dir, update, color, namespace }) => {
            let summary = fixtures::run(&dir, update, color.colors(), &namespace)?;
            to_stdout(&summary.text)?;
            Ok(i32::from(summary.failed > 0))
        }
        Some(Command::Ports { run, format }) => ports(&run, format),
        Some(Command::Schema) => {
            to_stdout(&(serde_json::to_string_pretty(&policy::schema()).expect("a schema serialises") + "\n"))?;
            Ok(0)
        }
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "svcpolicy", &mut script);
            to_stdout(&String::from_utf8_lossy(&script))?;
            Ok(0)
        }
        Some(Command::Man) => {
            to_stdout(&man_page().context("cannot render the man page")?)?;
            Ok(0)
        }
        Some(Command::Policy { command: PolicyCommand::Default }) => {
            to_stdout(policy::DEFAULT_POLICY)?;
            Ok(0)
        }
    }
}

fn process(args: &RunArgs) -> Result<Outcome> {
    let policy = load_policy(args.policy.as_deref())?;
    let inputs = read_inputs(&args.files)?;
    process_with(args, inputs, &policy)
}

fn process_with(args: &RunArgs, inputs: Vec<Input>, policy: &Policy) -> Result<Outcome> {
    let given = given_namespace(args.namespace.as_deref());
    let namespace = given.clone().unwrap_or_else(|| "default".to_string());
    let cluster = load_cluster_state(args, &namespace)?;
    let mut outcome = pipeline::process(inputs, policy, &namespace, &cluster);
    if given.is_none() {
        pipeline::warn_first_if_namespace_missing(&mut outcome, policy);
    }
    Ok(outcome)
}

/// A ResourceList on stdin: svcpolicy as a KRM function. The list always comes back, with
/// `results`; the exit status says whether the run failed.
fn krm_function(args: &RunArgs, input: Input, list: &serde_json::Value) -> Result<i32> {
    let policy = match krm::function_config(list) {
        Some(config) => policy::parse(&config.to_string())
            .context("the functionConfig is not a valid ServicePolicy")
            .map_err(failed(Problem::InvalidPolicy, None))?,
        None => load_policy(args.policy.as_deref())?,
    };
    let original = input.bytes.clone();
    let Outcome { manifests, targets, mut report, .. } = process_with(args, vec![input], &policy)?;
    let output = match pipeline::outputs(&manifests, &targets, &mut report) {
        Some(outputs) => outputs[0].to_bytes(),
        None => original,
    };
    write_report(args, &report)?;
    // The changes are in the results; stderr keeps to warnings and errors.
    eprint!("{}", prefixed(&report.to_text(false)));
    let answer = krm_output::with_results(&output, &report)?;
    std::io::stdout().lock().write_all(&answer).context("cannot write to stdout")?;
    Ok(report.exit_code())
}

/// The cluster state; its Services without a namespace are in `namespace`, as the render's are.
fn load_cluster_state(args: &RunArgs, namespace: &str) -> Result<ClusterState> {
    let mut state = ClusterState::default();
    for path in &args.cluster_state {
        state.merge(ClusterState::from_file(path, namespace).map_err(failed(Problem::ClusterState, Some(path)))?);
    }
    if args.from_cluster {
        state.merge(
            ClusterState::from_kubectl(args.kube_context.as_deref()).map_err(failed(Problem::ClusterState, None))?,
        );
    }
    Ok(state)
}

fn write_report(args: &RunArgs, report: &Report) -> Result<()> {
    if let Some(path) = &args.report {
        std::fs::write(path, report.to_json())
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    Ok(())
}

fn render(args: &RunArgs, in_place: bool) -> Result<i32> {
    let policy = load_policy(args.policy.as_deref());
    let mut inputs = read_inputs(&args.files)?;
    if let [input] = &inputs[..] {
        if let (None, Some(list)) = (&input.path, krm::resource_list(&input.bytes)) {
            return krm_function(args, inputs.remove(0), &list);
        }
    }
    let Outcome { manifests, targets, mut report, .. } = process_with(args, inputs, &policy?)?;
    let outputs = pipeline::outputs(&manifests, &targets, &mut report);
    write_report(args, &report)?;
    eprint!("{}", prefixed(&report.to_text(!args.quiet)));
    let Some(outputs) = outputs else {
        if args.report.is_some() {
            eprintln!("svcpolicy: the full report is in the --report file");
        }
        return Ok(report.exit_code());
    };
    if in_place {
        for (out, manifest) in outputs.iter().zip(&manifests) {
            let path = manifest.input.path.as_deref().expect("--in-place requires files");
            write_atomically(Path::new(path), &out.to_bytes())?;
        }
        return Ok(0);
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
    Ok(0)
}

fn diff(args: &RunArgs, color: bool) -> Result<i32> {
    let Outcome { manifests, targets, mut report, .. } = process(args)?;
    let outputs = pipeline::outputs(&manifests, &targets, &mut report);
    write_report(args, &report)?;
    eprint!("{}", prefixed(&report.to_text(false)));
    let Some(outputs) = outputs else {
        return Ok(report.exit_code());
    };
    let mut any = false;
    for (out, manifest) in outputs.iter().zip(&manifests) {
        let name = manifest.input.path.as_deref().unwrap_or("stdin");
        let text = report::unified_diff(name, &manifest.input.bytes, &out.to_bytes(), color);
        any |= !text.is_empty();
        to_stdout(&text)?;
    }
    Ok(i32::from(any))
}

fn ports(args: &RunArgs, format: PortsFormat) -> Result<i32> {
    let Outcome { report, claims, .. } = process(args)?;
    let conflicts = port_plan::render_conflicts(&claims);
    let text = match format {
        PortsFormat::Table => ports_table(&claims, &conflicts),
        PortsFormat::Json => {
            let json = serde_json::json!({"claims": claims, "conflicts": conflicts.iter().map(|c| &c.message).collect::<Vec<_>>()});
            serde_json::to_string_pretty(&json).expect("a plan serialises") + "\n"
        }
    };
    to_stdout(&text)?;
    let errors: Vec<_> = report.errors.iter().filter(|e| e.problem != Some(crate::report::Problem::Conflict)).collect();
    if !errors.is_empty() {
        eprint!("{}", prefixed(&report.to_text(false)));
        return Ok(report.exit_code());
    }
    Ok(i32::from(!conflicts.is_empty()))
}

fn check(args: &RunArgs, format: Format) -> Result<i32> {
    let Outcome { manifests, targets, mut report, .. } = process(args)?;
    // Prove the edits can be made, exactly as a render would.
    pipeline::outputs(&manifests, &targets, &mut report);
    write_report(args, &report)?;
    let report = &report;
    let text = match format {
        Format::Text if args.quiet => report.to_text(false) + &report::change_count(report),
        Format::Text => report.to_text(true),
        Format::Json => report.to_json(),
        Format::Github => report.to_github(!args.quiet),
    };
    to_stdout(&text)?;
    let code = report.exit_code();
    Ok(if code == 0 && !report.changes.is_empty() { 1 } else { code })
}

/// The man page: clap's sections, but the subcommands described here, not as `svcpolicy-check(1)`
/// pages that are never generated.
fn man_page() -> std::io::Result<String> {
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

fn to_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("cannot write to stdout")
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

fn prefixed(text: &str) -> String {
    text.lines().map(|l| format!("svcpolicy: {l}\n")).collect()
}

/// The namespace the user gave, with `--namespace` or `$HELM_NAMESPACE`; `None` means `default`,
/// by default rather than by choice.
fn given_namespace(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_string).or_else(|| std::env::var("HELM_NAMESPACE").ok().filter(|s| !s.is_empty()))
}

/// `-p`, then `$SVCPOLICY_POLICY`, then `./svcpolicy.yaml`, then the built-in policy.
fn load_policy(flag: Option<&Path>) -> Result<Policy> {
    let from_env = std::env::var_os("SVCPOLICY_POLICY").filter(|s| !s.is_empty()).map(PathBuf::from);
    let local = Path::new("svcpolicy.yaml");
    let path = flag.map(Path::to_path_buf).or(from_env).or_else(|| local.exists().then(|| local.to_path_buf()));
    let Some(path) = path else {
        return Ok(policy::default_policy());
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the policy file {}", path.display()))
        .map_err(failed(Problem::InvalidPolicy, Some(&path)))?;
    policy::parse(&text)
        .with_context(|| format!("the policy file {} is not valid", path.display()))
        .map_err(failed(Problem::InvalidPolicy, Some(&path)))
}

/// Replaces a file only once its new content is complete on disk. A symlink stays a link and
/// its target is what changes; the file keeps its mode (and, for root, its owner and group). The
/// new content goes to a fresh temporary file beside the target, is synced, and is renamed over
/// it, so a reader sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = std::fs::canonicalize(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let meta = std::fs::metadata(&target).with_context(|| format!("cannot read {}", target.display()))?;
    let dir = target.parent().unwrap_or(Path::new("/"));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (tmp, mut file) = create_temp(dir, &name)?;
    let written = (|| -> std::io::Result<()> {
        file.write_all(bytes)?;
        keep_owner(&file, &meta)?;
        file.set_permissions(meta.permissions())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &target)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot replace {}", target.display()));
    }
    // The rename itself is durable once the directory is.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A new file in `dir` that nobody else can read yet, under a name no file has.
fn create_temp(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File)> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    for n in 0..100 {
        let tmp = dir.join(format!(".{name}.svcpolicy-{}-{n}.tmp", std::process::id()));
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create a temporary file in {}", dir.display())),
        }
    }
    anyhow::bail!("cannot create a temporary file in {}: every name is taken", dir.display())
}

/// Gives the new file the old one's owner and group. Only root may give a file away; anyone
/// else's attempt is refused and the file stays theirs, as any editor leaves it.
fn keep_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {}
            other => other?,
        }
    }
    #[cfg(not(unix))]
    let _ = (file, meta);
    Ok(())
}

/// When stdin is a file, its size: one allocation instead of a doubling buffer.
fn stdin_size_hint() -> usize {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let size =
            std::io::stdin().as_fd().try_clone_to_owned().ok().map(std::fs::File::from).and_then(|f| f.metadata().ok());
        if let Some(m) = size.filter(std::fs::Metadata::is_file) {
            return usize::try_from(m.len()).unwrap_or(0).saturating_add(1);
        }
    }
    0
}

fn read_inputs(files: &[PathBuf]) -> Result<Vec<Input>> {
    if files.is_empty() {
        let mut bytes = Vec::with_capacity(stdin_size_hint());
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read stdin")
            .map_err(failed(Problem::InvalidInput, None))?;
        return Ok(vec![Input { path: None, bytes }]);
    }
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f)
                .with_context(|| format!("cannot read {}", f.display()))
                .map_err(failed(Problem::InvalidInput, Some(f)))?;
            Ok(Input { path: Some(f.display().to_string()), bytes })
        })
        .collect()
}

/// The port plan as a table a person reads before picking a port.
fn ports_table(claims: &[Claim], conflicts: &[Conflict]) -> String {
    let mut rows: Vec<[String; 7]> = vec![[
        "PORT".into(),
        "PROTOCOL".into(),
        "CLAIM".into(),
        "RESOURCE".into(),
        "NAMESPACE".into(),
        "NAME".into(),
        "ADDRESS".into(),
    ]];
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
        rows.push([
            c.port.to_string(),
            c.protocol.clone(),
            c.claim.as_str().into(),
            format!("{}{origin}", c.resource),
            c.namespace.clone(),
            c.name.clone(),
            c.address.clone().unwrap_or_else(|| "*".into()),
        ]);
    }
    let widths: Vec<usize> = (0..7).map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if conflicts.is_empty() {
        out.push_str("\nno conflicts\n");
    } else {
        out.push_str(&format!("\n{} conflicts:\n", conflicts.len()));
        for c in conflicts {
            out.push_str(&format!("  {}\n", c.message));
        }
    }
    out
}
