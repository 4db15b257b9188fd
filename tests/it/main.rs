//! The integration tests, one binary (as ripgrep and fd do), so a 2-core machine links once.
//! Each module tests one side of svcpolicy through its public API or its binary; `support`
//! holds what they share: the binary, the corpus, and Go's YAML reader as the oracle.

mod support;

mod allocation_properties;
mod cases;
mod cli;
mod corpus;
mod differential;
mod docs;
mod editor;
mod fuzz_regressions;
mod helm;
mod hostile;
mod krm;
mod nodeports;
mod port_map;
mod ports_properties;
mod proxy_properties;
mod stream_properties;
mod yaml_events;
mod yaml_properties;
