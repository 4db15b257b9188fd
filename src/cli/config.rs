//! A run's settings, resolved once from its arguments and the environment: the policy (`-p`,
//! `$SVCPOLICY_POLICY`, `./svcpolicy.yaml`, a KRM functionConfig, or the built-in one), the
//! namespace (`--namespace`, `$HELM_NAMESPACE`), the inputs (files, or stdin), and the cluster
//! state. Commands take a `RunConfig`, never the raw arguments.

use crate::cli::args::RunArgs;
use crate::cli::failure::failed;
use crate::input::cluster::ClusterState;
use crate::input::{krm, Input};
use crate::pipeline::{self, Outcome};
use crate::policy::{self, Policy};
use crate::report::{Problem, Report};
use anyhow::{Context, Result};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The namespace of resources that name none when the run was given none.
const DEFAULT_NAMESPACE: &str = "default";

/// What a run works with, resolved from its arguments.
pub struct RunConfig {
    /// The policy the input is held to.
    pub policy: Policy,
    /// The namespace given (`--namespace`, else `$HELM_NAMESPACE`); `None`: `default`, by default
    /// rather than by choice.
    pub namespace: Option<String>,
    /// The Services the cluster already has (`--cluster-state`, `--from-cluster`).
    pub cluster: ClusterState,
    /// Every input, read before anything is written; `process` takes them.
    pub inputs: Vec<Input>,
    /// A ResourceList on stdin (the render only): the run is a KRM function call.
    pub resource_list: Option<Value>,
    /// `--report`: where the JSON report goes too.
    pub report: Option<PathBuf>,
    /// `--quiet`: warnings and errors, not each change.
    pub quiet: bool,
}

impl RunConfig {
    /// Resolves a run's arguments. What is wrong fails the run, checked in this order: the
    /// policy, the inputs, the cluster state. `krm` (the render): a ResourceList on stdin is a KRM
    /// function call, whose functionConfig may bring the policy; then the policy file's problem
    /// only counts where it does not, once the input has been read.
    pub fn resolve(args: &RunArgs, krm: bool) -> Result<Self> {
        let policy = load_policy(args.policy.as_deref());
        let policy = if krm { policy } else { Ok(policy?) };
        let inputs = read_inputs(&args.files)?;
        let resource_list = match &inputs[..] {
            [Input { path: None, bytes }] if krm => krm::resource_list(bytes),
            _ => None,
        };
        let policy = match resource_list.as_ref().and_then(krm::function_config) {
            Some(config) => policy::parse(&config.to_string())
                .context("the functionConfig is not a valid ServicePolicy")
                .map_err(failed(Problem::InvalidPolicy, None))?,
            None => policy?,
        };
        let namespace = given_namespace(args.namespace.as_deref());
        let cluster = load_cluster_state(args, namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE))?;
        Ok(RunConfig {
            policy,
            namespace,
            cluster,
            inputs,
            resource_list,
            report: args.report.clone(),
            quiet: args.quiet,
        })
    }

    /// Runs the pipeline over the inputs (taking them), with the missing-namespace warning first
    /// when no namespace was given.
    pub fn process(&mut self) -> Outcome {
        let inputs = std::mem::take(&mut self.inputs);
        let namespace = self.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
        let mut outcome = pipeline::process(inputs, &self.policy, namespace, &self.cluster);
        if self.namespace.is_none() {
            pipeline::warn_first_if_namespace_missing(&mut outcome, &self.policy);
        }
        outcome
    }

    /// Writes the JSON report to the `--report` file, if there is one.
    pub fn write_report(&self, report: &Report) -> Result<()> {
        if let Some(path) = &self.report {
            std::fs::write(path, report.to_json())
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
        }
        Ok(())
    }
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

/// Every input, all of it: the files, or stdin without any.
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
