//! Cluster state: the node ports a cluster already holds, from `kubectl get services -A -o yaml`
//! (or `-o json`, a List, or a plain stream of Services) in a file, or from kubectl itself.
//! A Service here with the namespace and name of one in the render is that Service's previous
//! version: its numbers are no conflict, and it keeps them.

use crate::input::object::objects;
use crate::input::read::{read, Input};
use crate::k8s::kinds::Kind;
use crate::k8s::meta::{self, port_number};
use crate::k8s::service;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::Path;

/// One node port a Service holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPort {
    /// The Service port it belongs to; `None` for a healthCheckNodePort.
    pub port: Option<u16>,
    /// The Service port's name, if it has one.
    pub name: Option<String>,
    /// The number held, on every node of the cluster.
    pub node_port: u16,
}

/// A Service the cluster already has: who it is, and the node ports it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterService {
    /// `metadata.namespace`, else the render's namespace (see `ClusterState::from_stream`).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// Every nodePort and healthCheckNodePort it holds.
    pub held: Vec<HeldPort>,
    /// The Service as the cluster has it.
    pub value: Value,
}

/// What the cluster already holds, so that upgrades keep their ports and new releases avoid
/// everyone else's. Empty when svcpolicy is given no cluster state.
#[derive(Debug, Clone, Default)]
pub struct ClusterState {
    /// Every Service read, in the order read.
    pub services: Vec<ClusterService>,
}

impl ClusterState {
    /// The Services of a stream. One without `metadata.namespace` (a previous render of a chart
    /// that names none) is in `default_namespace`, the namespace the render's own Services
    /// without one are in, so a release's previous version is found as its own.
    pub fn from_stream(bytes: Vec<u8>, origin: &str, default_namespace: &str) -> Result<Self> {
        let (manifests, errors) = read(vec![Input { path: Some(origin.to_string()), bytes }]);
        if let Some(e) = errors.first() {
            bail!("the cluster state in {origin} cannot be read: {e}");
        }
        let services = objects(&manifests, |k| k == Kind::Service, default_namespace)
            .iter()
            .map(|obj| held_by(obj.value(&manifests), obj.location.namespace.as_deref().unwrap_or(default_namespace)))
            .collect();
        Ok(ClusterState { services })
    }

    /// A file of Services (see `from_stream` for those without a namespace).
    pub fn from_file(path: &Path, default_namespace: &str) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read the cluster state {}", path.display()))?;
        Self::from_stream(bytes, &path.display().to_string(), default_namespace)
    }

    /// `kubectl get services -A -o json`, with the user's kubeconfig (and `--context`).
    pub fn from_kubectl(context: Option<&str>) -> Result<Self> {
        let mut cmd =
            std::process::Command::new(std::env::var_os("SVCPOLICY_KUBECTL").unwrap_or_else(|| "kubectl".into()));
        if let Some(ctx) = context {
            cmd.arg("--context").arg(ctx);
        }
        cmd.args(["get", "services", "--all-namespaces", "--output", "json"]);
        let out = cmd.output().context("cannot run kubectl for --from-cluster (is it installed and on PATH?)")?;
        if !out.status.success() {
            bail!("kubectl get services failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        // The apiserver names every Service's namespace.
        Self::from_stream(out.stdout, "kubectl get services", "default")
    }

    /// Adds the Services of another source: every `--cluster-state` file, and `--from-cluster`,
    /// are one cluster.
    pub fn merge(&mut self, other: ClusterState) {
        self.services.extend(other.services);
    }

    /// The cluster's version of a Service, by namespace and name: for one in the render, its
    /// previous version, whose numbers it keeps.
    pub fn find(&self, namespace: &str, name: &str) -> Option<&ClusterService> {
        self.services.iter().find(|s| s.namespace == namespace && s.name == name)
    }
}

fn held_by(svc: &Value, namespace: &str) -> ClusterService {
    let mut held: Vec<HeldPort> = service::ports(svc)
        .iter()
        .filter_map(|p| {
            Some(HeldPort {
                port: port_number(p.get("port")),
                name: p.get("name").and_then(Value::as_str).map(str::to_string),
                node_port: port_number(p.get("nodePort"))?,
            })
        })
        .collect();
    if let Some(hc) = port_number(svc.pointer("/spec/healthCheckNodePort")) {
        held.push(HeldPort { port: None, name: None, node_port: hc });
    }
    ClusterService {
        namespace: namespace.to_string(),
        name: meta::name(svc).unwrap_or_default().to_string(),
        held,
        value: svc.clone(),
    }
}
