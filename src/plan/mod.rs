//! The plan: what every Service and workload should end up as, with every change, warning and
//! refusal recorded. Nothing is edited here; the output stage turns the targets into text.
//!
//! The stages, in order, each in its own file around one shared record (`planned.rs`):
//! 1. `service`: each Service's rule, then the apiserver's rules (`apiserver`);
//! 2. `host`: each workload's host networking and host ports;
//! 3. `allocate`: every NodePort number, across the render and the cluster;
//! 4. `apiserver::unfixable_problems`: what no edit can fix;
//! 5. `port_plan`: every claim on a node's ports, and the conflicts;
//! 6. `proxy`: the routes that put exposed Services behind the reverse proxy.
//!
//! A stage reads and writes `Planned` records and never imports this file; only this file knows
//! the order. `namespace` is a check made before the stages when the run was given no namespace.

pub mod allocate;
pub mod apiserver;
pub mod host;
pub mod namespace;
pub mod planned;
pub mod port_plan;
pub mod proxy;
pub mod service;
pub mod web_port;

pub use namespace::missing_namespace_warning;
pub use planned::Planned;

use crate::input::cluster::ClusterState;
use crate::input::{self, DocId, Manifest};
use crate::k8s::kinds::Kind;
use crate::parallel;
use crate::policy::Policy;
use crate::report::{ChangeRecord, Problem, Report};
use serde_json::Value;
use std::collections::BTreeMap;

/// What the plan changes, keyed by document: what each changed document should mean, and the
/// routes generated to follow a document.
#[derive(Debug, Default)]
pub struct Targets {
    /// What each changed document should mean, as JSON; the output stage edits its text to match.
    pub values: BTreeMap<DocId, Value>,
    /// The routes that go right after a document, each a document of its own.
    pub routes: BTreeMap<DocId, Vec<Value>>,
}

/// What `plan` decided, before anything is edited.
pub struct Plan {
    /// What changes, document by document, and the routes to add.
    pub targets: Targets,
    /// Every change, warning and error the plan found.
    pub report: Report,
    /// Every claim on a node's ports, the render's and the cluster's (`svcpolicy ports`).
    pub claims: Vec<port_plan::Claim>,
}

/// Decides what every Service and workload should be: each Service's rule and the apiserver's
/// rules, host networking, NodePort numbers, the port plan and its conflicts, and the routes of
/// exposed Services. Nothing is edited here, so a run that fails writes nothing.
pub fn plan(manifests: &[Manifest], policy: &Policy, default_namespace: &str, cluster: &ClusterState) -> Plan {
    let mut report = Report::default();
    let objects = input::objects(manifests, |k| k == Kind::Service, default_namespace);
    // Each Service is planned on its own; allocation then sees them all.
    let planned = parallel::map(&objects, |obj| {
        let mut own = Report::default();
        let planned = service::plan_service(obj.clone(), manifests, policy, &mut own);
        (planned, own)
    });
    let mut services = Vec::with_capacity(planned.len());
    for (p, own) in planned {
        report.merge(own);
        services.extend(p);
    }
    let mut workloads = Vec::new();
    for obj in input::objects(manifests, |k| matches!(k, Kind::Workload(_)), default_namespace) {
        workloads.extend(host::plan_workload(obj, manifests, policy, &mut report));
    }
    if report.exit_code().is_success() {
        // A nodePort shadows a port the node's own pods listen on: allocation keeps off them.
        let host_ports: Vec<(u16, String)> =
            port_plan::workload_claims(&workloads, &services).iter().map(|c| (c.port, c.owner())).collect();
        allocate::allocate(&mut services, policy, cluster, &host_ports, &mut report);
    }
    let problems = parallel::map(&services, |p| apiserver::unfixable_problems(&p.target));
    let claims = port_plan::port_plan(&services, &workloads, policy, cluster, &mut report);
    let routes = proxy::expose(manifests, &mut services, policy, default_namespace, &mut report);
    let mut targets = Targets { routes, ..Targets::default() };
    // The workloads' changes are listed first: they were final after the host stage, the
    // Services' only after the last.
    for planned in workloads {
        finish(planned, manifests, &mut targets, &mut report);
    }
    for (planned, problems) in services.into_iter().zip(problems) {
        for (field, message) in problems {
            report.error(Problem::InvalidInput, planned.obj.location.clone(), Some(field), message, None);
        }
        finish(planned, manifests, &mut targets, &mut report);
    }
    Plan { targets, report, claims }
}

/// Records a finished object's changes in the report, and its target among the targets when it
/// changed.
fn finish(planned: Planned, manifests: &[Manifest], targets: &mut Targets, report: &mut Report) {
    let Planned { obj, target, changes, .. } = planned;
    let loc = &obj.location;
    report.changes.extend(changes.into_iter().map(|change| ChangeRecord { location: loc.clone(), change }));
    if &target == obj.value(manifests) {
        return;
    }
    if obj.pointer.is_empty() {
        targets.values.insert(obj.doc, target);
        return;
    }
    // An item of a List: the rest of the document stays as it is.
    let doc = targets.values.entry(obj.doc).or_insert_with(|| {
        manifests[obj.doc.input].values[obj.doc.doc].clone().expect("objects come from read documents")
    });
    match doc.pointer_mut(&obj.pointer) {
        Some(slot) => *slot = target,
        None => unreachable!("the pointer was taken from this document"),
    }
}
