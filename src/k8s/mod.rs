//! Kubernetes vocabulary: which objects svcpolicy acts on, decided as the apiserver decides it,
//! from the object's group and kind; what every object carries (`meta`); Services as the
//! apiserver reads them (`service`); pod specs (`pod`); and names as Kubernetes checks them
//! (`names`). A leaf: nothing here knows YAML, the policy, the plan or the report, and it
//! imports no other module of the crate.

pub mod kinds;
pub mod meta;
pub mod names;
pub mod pod;
pub mod service;
