//! The record every stage of the plan reads and writes: one Service or workload, the rule that
//! decided for it, what it should mean once edited, and every change made to it so far, with
//! why. Stages take `Planned`s and hand them on; `plan/mod.rs` orders the stages and turns the
//! records into the targets and the report.

use crate::change::Change;
use crate::input::Object;
use crate::policy::{Policy, Rule};
use serde_json::Value;

/// A Service or a workload, and what the policy makes of it.
pub struct Planned {
    /// Where it is in the stream, and its kind.
    pub obj: Object,
    /// The index of the rule that decided for it (Services only).
    pub rule: Option<usize>,
    /// What it should mean once edited.
    pub target: Value,
    /// How `target` differs from the input, and why, for the report.
    pub changes: Vec<Change>,
    /// One of the reverse proxy's own Services: never put behind the proxy (Services only).
    pub own_proxy: bool,
}

impl Planned {
    /// The rule that decided for it, and how messages name that rule.
    pub fn rule<'p>(&self, policy: &'p Policy) -> Option<(&'p Rule, String)> {
        self.rule.map(|i| (&policy.rules[i], policy.rules[i].label(i)))
    }
}
