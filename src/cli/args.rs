//! The command line as clap reads it: the subcommands and their raw arguments. Nothing here is
//! resolved: `config` turns a run's arguments into its settings, once.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

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
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
    /// Write each FILE's output back to it instead of to stdout (the render only: `check`,
    /// `diff` and `ports` never write files).
    #[arg(long, requires = "files")]
    pub in_place: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
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
    /// Print the port plan of a node (a table, JSON, or a map in HTML or SVG): every claim on its
    /// ports, and the conflicts; exit 1 if any.
    ///
    /// The map is one self-contained file: svcpolicy ports --format html FILE... > ports.html
    Ports {
        #[command(flatten)]
        run: RunArgs,
        /// How to print the plan: a table, JSON, or the port map as an HTML page or an SVG picture.
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
pub enum PolicyCommand {
    /// Print the built-in policy.
    Default,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The policy file [default: $SVCPOLICY_POLICY, then ./svcpolicy.yaml, then the built-in policy]
    #[arg(short, long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Namespace of Services that name none, in the input and the cluster state (Helm does not
    /// pass its -n on) [default: $HELM_NAMESPACE, then "default"]
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Also write the JSON report here (written even when the run fails).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print warnings and errors only, not each change (`check`: a count of the changes).
    #[arg(short, long)]
    pub quiet: bool,
    /// Node ports the cluster holds: a `kubectl get svc -A -o yaml|json` dump or a stream of
    /// Services. The render's own Services found there keep their numbers.
    #[arg(long, value_name = "FILE")]
    pub cluster_state: Vec<PathBuf>,
    /// Read the cluster state with `kubectl get services -A -o json` (honours KUBECONFIG).
    #[arg(long)]
    pub from_cluster: bool,
    /// The kubeconfig context for --from-cluster.
    #[arg(long, value_name = "NAME", requires = "from_cluster")]
    pub kube_context: Option<String>,
    /// Manifest files to read instead of stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum When {
    Auto,
    Always,
    Never,
}

impl When {
    /// Colour on a terminal, unless NO_COLOR says otherwise.
    pub fn colors(self) -> bool {
        use std::io::IsTerminal;
        match self {
            When::Always => true,
            When::Never => false,
            When::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PortsFormat {
    /// A table of every claim, then the conflicts.
    Table,
    /// The claims and the conflicts as JSON.
    Json,
    /// The port map as one self-contained HTML page: the picture, a table of every claim, the conflicts.
    Html,
    /// The port map as one SVG picture (hover text on every claim, no script).
    Svg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Github,
}

impl Cli {
    /// The `--report` file of whichever command runs.
    pub fn report_path(&self) -> Option<&Path> {
        let run = match &self.command {
            None => &self.run,
            Some(Command::Check { run, .. } | Command::Diff { run, .. } | Command::Ports { run, .. }) => run,
            Some(_) => return None,
        };
        run.report.as_deref()
    }
}
