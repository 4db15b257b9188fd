//! Kubernetes vocabulary: which objects svcpolicy acts on, decided as the apiserver decides it,
//! from the object's group and kind. A leaf: nothing here knows YAML, the policy or the plan.

pub mod kinds;
