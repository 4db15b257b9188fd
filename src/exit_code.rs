//! The exit status of a run, typed (as fd's `exit_codes.rs`): what 0, 1 and 2 mean is decided
//! here, once, and every command returns one of these.

/// How a run ended, as its exit status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    /// 0: the run passed, and there is nothing to act on.
    Success,
    /// 1: the run worked and found what a person must act on: a denial or a port conflict;
    /// for `check`, a change a render would make; for `diff`, a difference; for `ports`, a
    /// conflict; for `test`, a failing case.
    Findings,
    /// 2: the run itself failed: bad input, a bad policy, bad usage, a cluster state that cannot
    /// be read, or an internal error.
    Error,
}

impl ExitCode {
    /// `Findings` where something was found, else `Success`.
    pub fn findings_if(found: bool) -> Self {
        if found {
            ExitCode::Findings
        } else {
            ExitCode::Success
        }
    }

    /// Whether the run passed with nothing found.
    pub fn is_success(self) -> bool {
        self == ExitCode::Success
    }

    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Findings => 1,
            ExitCode::Error => 2,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code.code())
    }
}
