//! What the browser sees of a reviewed change, a preflight, a run and the audit log.

use super::fields::Field;
use super::plan::StepKind;
use crate::domain::store::{StoreDetail, StoreRef, TargetRef};
use serde::{Deserialize, Serialize};

/// One line of the review's diff. A secret's values are never shown, only that it changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    pub field: Field,
    pub before: String,
    pub after: String,
}

/// What GetHealthStatus at the new endpoint and path, signed with the new credential, showed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightReport {
    pub url: String,
    /// DNS, TCP and TLS succeeded and an HTTP answer came back.
    pub reachable: bool,
    /// None when the proxy was not reached.
    pub credential_accepted: Option<bool>,
    pub ekms: Vec<EkmHealth>,
    /// False when the console could not run it (it needs the secret, which KMS never returns).
    pub checked: bool,
    pub passed: bool,
    /// One sentence: what the probe saw.
    pub verdict: String,
    pub latency_ms: u64,
    /// Each layer the probe passed or stopped at: DNS, TCP, TLS, HTTP.
    #[serde(default)]
    pub layers: Vec<ProbeLayer>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeLayer {
    pub name: String,
    pub ok: bool,
    pub detail: String,
    pub latency_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EkmHealth {
    pub id: String,
    pub model: String,
    pub health: String,
}

impl PreflightReport {
    /// A checked preflight that failed blocks the run unless overridden.
    pub fn blocks(&self) -> bool {
        self.checked && !self.passed
    }
}

/// A checked change waiting for the operator's confirmation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftView {
    pub id: String,
    pub store: StoreDetail,
    pub diff: Vec<DiffRow>,
    pub steps: Vec<StepKind>,
    pub summary: String,
    pub impact: String,
    pub preflight: Option<PreflightReport>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
    /// The console stopped while the run was under way.
    Interrupted,
    /// The operator chose to leave the store as it is.
    Closed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Failed,
            RunStatus::Interrupted,
            RunStatus::Closed,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepStatus {
    Pending,
    Running,
    Done,
    Failed,
    Interrupted,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Running => "running",
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
            StepStatus::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<StepStatus> {
        [
            StepStatus::Pending,
            StepStatus::Running,
            StepStatus::Done,
            StepStatus::Failed,
            StepStatus::Interrupted,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub kind: StepKind,
    pub status: StepStatus,
    /// Epoch milliseconds.
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    pub message: Option<String>,
}

/// What the operator may do with a run that stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunAction {
    /// Carry on from the step that failed or was interrupted.
    Resume,
    /// A new run that puts the non-secret fields back, and leaves the store disconnected.
    RollBack,
    /// A new run that puts the non-secret fields back and connects the store.
    ReconnectWithOldSettings,
    /// Close the run and leave the store as it is.
    LeaveAsIs,
}

impl RunAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RunAction::Resume => "resume",
            RunAction::RollBack => "rollback",
            RunAction::ReconnectWithOldSettings => "reconnect_old",
            RunAction::LeaveAsIs => "leave",
        }
    }

    pub fn parse(s: &str) -> Option<RunAction> {
        [
            RunAction::Resume,
            RunAction::RollBack,
            RunAction::ReconnectWithOldSettings,
            RunAction::LeaveAsIs,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    pub id: i64,
    pub target: TargetRef,
    pub store_id: String,
    pub store_name: String,
    pub user: String,
    pub created_ms: i64,
    pub status: RunStatus,
    pub fields: Vec<Field>,
    pub steps: Vec<StepView>,
    pub error: Option<String>,
    /// A rollback run names the run it undoes.
    pub rollback_of: Option<i64>,
    pub preflight: Option<String>,
    /// The store as Describe shows it now (None if it could not be read).
    pub store_now: Option<StoreDetail>,
    /// Resuming needs the secret inputs again (they are never stored, so a restart loses them).
    pub needs_secrets: Vec<Field>,
    pub actions: Vec<RunAction>,
}

impl RunView {
    pub fn is_active(&self) -> bool {
        self.status == RunStatus::Running
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub user: String,
    pub action: String,
    pub target: TargetRef,
    pub store_id: String,
    pub store_name: String,
    pub run_id: Option<i64>,
    /// Names of the members changed; never their values.
    pub fields: Vec<String>,
    pub outcome: String,
    pub detail: String,
}

impl AuditEntry {
    /// An entry for `action` on a store, now; the run, the fields and the outcome follow.
    pub fn new(user: &str, action: &str, store: StoreRef, store_name: &str) -> AuditEntry {
        AuditEntry {
            at_ms: now_ms(),
            user: user.to_string(),
            action: action.to_string(),
            target: store.target(),
            store_id: store.id,
            store_name: store_name.to_string(),
            run_id: None,
            fields: Vec::new(),
            outcome: String::new(),
            detail: String::new(),
        }
    }

    /// An entry about a console account (`username`), not a store: who changed whose role or
    /// password, or removed whom. It names no store and no target.
    pub fn about_user(
        actor: &str,
        action: &str,
        username: &str,
        detail: impl Into<String>,
    ) -> AuditEntry {
        AuditEntry {
            at_ms: now_ms(),
            user: actor.to_string(),
            action: action.to_string(),
            target: TargetRef {
                account: String::new(),
                region: String::new(),
            },
            store_id: String::new(),
            store_name: format!("user {username}"),
            run_id: None,
            fields: Vec::new(),
            outcome: "done".to_string(),
            detail: detail.into(),
        }
    }

    /// The entry belongs to run `id`, which changes these members (names only, never values).
    pub fn of_run(self, id: i64, fields: Vec<String>) -> AuditEntry {
        AuditEntry {
            run_id: Some(id),
            fields,
            ..self
        }
    }

    pub fn with(self, outcome: &str, detail: impl Into<String>) -> AuditEntry {
        AuditEntry {
            outcome: outcome.to_string(),
            detail: detail.into(),
            ..self
        }
    }

    /// `accepted` and `detail` when KMS took the request; `refused` and its error when not.
    pub fn outcome<E: std::fmt::Display>(
        self,
        result: &Result<(), E>,
        accepted: &str,
        detail: &str,
    ) -> AuditEntry {
        match result {
            Ok(()) => self.with(accepted, detail),
            Err(e) => self.with("refused", e.to_string()),
        }
    }
}

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
