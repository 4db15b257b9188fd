//! Kinds by group. A Service is the core `v1` Service; a workload is a built-in kind that carries
//! a pod spec; a route is an Ingress, a Gateway API HTTPRoute or a Traefik IngressRoute. A custom
//! resource that happens to be called `Service` or `Deployment` (Knative's `serving.knative.dev`
//! Service, say) is none of these and passes through untouched.
//!
//! Built-in workloads are matched by group, in every version of it: a CRD's group must contain a
//! dot, so nothing but Kubernetes itself serves `apps`, `batch` or `extensions`, and an older
//! version (`apps/v1beta2`, `batch/v1beta1`) that some cluster still serves must not slip past a
//! host-networking rule.

use serde_json::Value;

/// What svcpolicy makes of one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A core `v1` Service.
    Service,
    /// A built-in kind with a pod spec.
    Workload(Workload),
    /// A route that may already put a Service behind the proxy.
    Route(Route),
    /// Anything else: passed through as it is.
    Other,
}

/// The built-in kinds that carry a pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Core `v1` Pod: the pod spec is its `spec`.
    Pod,
    /// Core `v1` ReplicationController.
    ReplicationController,
    /// Core `v1` PodTemplate: its pod spec is `template.spec`.
    PodTemplate,
    /// `apps` (or the old `extensions`) Deployment.
    Deployment,
    /// `apps` (or the old `extensions`) ReplicaSet.
    ReplicaSet,
    /// `apps` StatefulSet.
    StatefulSet,
    /// `apps` (or the old `extensions`) DaemonSet.
    DaemonSet,
    /// `batch` Job.
    Job,
    /// `batch` CronJob: its pod spec is inside `spec.jobTemplate`.
    CronJob,
}

/// The route kinds svcpolicy reads (and generates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `networking.k8s.io` (or the old `extensions`) Ingress.
    Ingress,
    /// Gateway API `gateway.networking.k8s.io` HTTPRoute.
    HttpRoute,
    /// Traefik's `traefik.io` or `traefik.containo.us` IngressRoute.
    IngressRoute,
}

impl Workload {
    /// Where the pod spec sits inside an object of this kind.
    pub fn pod_spec_path(self) -> &'static [&'static str] {
        match self {
            Workload::Pod => &["spec"],
            Workload::PodTemplate => &["template", "spec"],
            Workload::CronJob => &["spec", "jobTemplate", "spec", "template", "spec"],
            Workload::ReplicationController
            | Workload::Deployment
            | Workload::ReplicaSet
            | Workload::StatefulSet
            | Workload::DaemonSet
            | Workload::Job => &["spec", "template", "spec"],
        }
    }
}

/// The group of an `apiVersion`: `apps/v1` -> `apps`, `v1` -> `` (the core group).
pub fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Classifies an object by its `apiVersion` and `kind` (both must be strings).
pub fn classify(api_version: &str, kind: &str) -> Kind {
    use Workload as W;
    let group = group(api_version);
    match (group, kind) {
        ("", "Service") if api_version == "v1" => Kind::Service,
        ("", "Pod") if api_version == "v1" => Kind::Workload(W::Pod),
        ("", "ReplicationController") if api_version == "v1" => Kind::Workload(W::ReplicationController),
        ("", "PodTemplate") if api_version == "v1" => Kind::Workload(W::PodTemplate),
        ("apps" | "extensions", "Deployment") => Kind::Workload(W::Deployment),
        ("apps" | "extensions", "ReplicaSet") => Kind::Workload(W::ReplicaSet),
        ("apps" | "extensions", "DaemonSet") => Kind::Workload(W::DaemonSet),
        ("apps", "StatefulSet") => Kind::Workload(W::StatefulSet),
        ("batch", "Job") => Kind::Workload(W::Job),
        ("batch", "CronJob") => Kind::Workload(W::CronJob),
        ("networking.k8s.io" | "extensions", "Ingress") => Kind::Route(Route::Ingress),
        ("gateway.networking.k8s.io", "HTTPRoute") => Kind::Route(Route::HttpRoute),
        ("traefik.io" | "traefik.containo.us", "IngressRoute") => Kind::Route(Route::IngressRoute),
        _ => Kind::Other,
    }
}

/// The kind of an object, from its `apiVersion` and `kind`; `Other` unless both are strings.
pub fn of(obj: &Value) -> Kind {
    match (obj.get("apiVersion").and_then(Value::as_str), obj.get("kind").and_then(Value::as_str)) {
        (Some(api_version), Some(kind)) => classify(api_version, kind),
        _ => Kind::Other,
    }
}

/// Is this object a list whose items are objects of their own? kubectl (and so Helm) decides
/// that from the `items` key alone, whatever the `kind` says (apimachinery's unstructured
/// decoder), and applies every item.
pub fn is_list(obj: &Value) -> bool {
    obj.get("items").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_decided_by_group() {
        assert_eq!(classify("v1", "Service"), Kind::Service);
        assert_eq!(classify("serving.knative.dev/v1", "Service"), Kind::Other);
        assert_eq!(classify("example.com/v1", "Service"), Kind::Other);
        assert_eq!(classify("core/v1", "Service"), Kind::Other);
        assert_eq!(classify("apps/v1", "Deployment"), Kind::Workload(Workload::Deployment));
        assert_eq!(classify("apps/v1beta2", "DaemonSet"), Kind::Workload(Workload::DaemonSet));
        assert_eq!(classify("batch/v1beta1", "CronJob"), Kind::Workload(Workload::CronJob));
        assert_eq!(classify("argoproj.io/v1alpha1", "Deployment"), Kind::Other);
        assert_eq!(classify("v1", "Deployment"), Kind::Other);
        assert_eq!(classify("networking.k8s.io/v1", "Ingress"), Kind::Route(Route::Ingress));
        assert_eq!(classify("gateway.networking.k8s.io/v1beta1", "HTTPRoute"), Kind::Route(Route::HttpRoute));
        assert_eq!(classify("traefik.containo.us/v1alpha1", "IngressRoute"), Kind::Route(Route::IngressRoute));
        assert_eq!(classify("example.com/v1", "IngressRoute"), Kind::Other);
        assert_eq!(classify("v1", "service"), Kind::Other);
    }
}
