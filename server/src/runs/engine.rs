//! Carries out a run step by step, recording each step before and after it, so the page can
//! follow it and a restart finds it where it stopped.

use super::secrets::RunSecrets;
use super::store::{RunRecord, RunStore};
use app::domain::change::run::{AuditEntry, RunStatus, StepStatus};
use app::domain::change::{Change, Settings, StepKind};
use app::domain::connection_errors::summary;
use app::domain::kms::ConnectionState;
use app::domain::store::StoreDetail;
use app::error::AppError;
use app::ssr::KeyStores;
use std::sync::Arc;
use std::time::Duration;

/// How a run waits for KMS: how often it asks, and for how long at most.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub poll: Duration,
    pub wait_limit: Duration,
}

pub struct Engine {
    pub runs: RunStore,
    pub stores: Arc<dyn KeyStores>,
    pub timing: Timing,
    /// The full changes (secret values included) of runs that may still need them; memory only.
    pub secrets: RunSecrets,
}

/// Why a step stopped the run.
struct StepFailure(String);

impl From<AppError> for StepFailure {
    fn from(e: AppError) -> Self {
        StepFailure(e.to_string())
    }
}

impl Engine {
    pub fn full_change(&self, run: &RunRecord) -> Change {
        self.secrets
            .get(run.id)
            .unwrap_or_else(|| run.change.clone())
    }

    /// Runs the steps that are not done yet, in order, until one fails or all are done.
    pub async fn drive(self: Arc<Self>, run_id: i64) {
        if let Err(e) = self.drive_inner(run_id).await {
            tracing::error!(run = run_id, error = %e, "run could not be recorded");
        }
    }

    async fn drive_inner(&self, run_id: i64) -> Result<(), AppError> {
        let run = self.runs.get(run_id).await?;
        for (idx, step) in run.steps.iter().enumerate() {
            if step.status == StepStatus::Done {
                continue;
            }
            self.runs.step_started(run_id, idx).await?;
            match self.step(&run, step.kind).await {
                Ok(message) => {
                    self.runs
                        .step_finished(run_id, idx, StepStatus::Done, &message)
                        .await?;
                }
                Err(StepFailure(message)) => {
                    self.runs
                        .step_finished(run_id, idx, StepStatus::Failed, &message)
                        .await?;
                    self.runs
                        .set_status(
                            run_id,
                            &[RunStatus::Running],
                            RunStatus::Failed,
                            Some(&message),
                        )
                        .await?;
                    self.secrets.stopped(run_id);
                    tracing::warn!(run = run_id, step = step.kind.as_str(), %message, "run failed");
                    self.audit(
                        &run.user,
                        &run,
                        &format!("step {}", step.kind.as_str()),
                        "failed",
                        &message,
                    )
                    .await?;
                    return Ok(());
                }
            }
        }
        self.runs
            .set_status(run_id, &[RunStatus::Running], RunStatus::Succeeded, None)
            .await?;
        self.secrets.forget(run_id);
        tracing::info!(run = run_id, store = %run.store_id, "run succeeded");
        self.audit(&run.user, &run, "run", "succeeded", "Every step finished.")
            .await
    }

    pub async fn audit(
        &self,
        user: &str,
        run: &RunRecord,
        action: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<(), AppError> {
        let fields = run
            .change
            .fields()
            .iter()
            .map(|f| f.member().to_string())
            .collect();
        let entry = AuditEntry::new(
            user,
            action,
            run.target.store(&run.store_id),
            &run.store_name,
        )
        .of_run(run.id, fields)
        .with(outcome, detail);
        self.runs.audit(&entry).await
    }

    async fn describe(&self, run: &RunRecord) -> Result<StoreDetail, StepFailure> {
        Ok(self.stores.describe(&run.target, &run.store_id).await?)
    }

    /// Before a step that changes the store: it must still have the settings this run expects,
    /// or someone else changed it and the run stops.
    fn expect_settings(now: &StoreDetail, expected: &Settings) -> Result<(), StepFailure> {
        match expected.first_difference(&Settings::of(now)) {
            None => Ok(()),
            Some((field, value)) => Err(StepFailure(format!(
                "Someone else changed this store after the form was loaded: {} is now {}. The run stopped before changing anything else; review the store and start again.",
                field.label(),
                value.unwrap_or_else(|| "empty".into())
            ))),
        }
    }

    async fn step(&self, run: &RunRecord, kind: StepKind) -> Result<String, StepFailure> {
        let after = run.change.apply(&run.before);
        match kind {
            StepKind::Disconnect => {
                let now = self.describe(run).await?;
                Self::expect_settings(&now, &run.before)?;
                match now.row.state {
                    ConnectionState::Disconnected | ConnectionState::Disconnecting => {
                        Ok(format!("Already {}.", now.row.state))
                    }
                    _ => {
                        self.stores.disconnect(&run.target, &run.store_id).await?;
                        Ok("DisconnectCustomKeyStore accepted.".into())
                    }
                }
            }
            StepKind::WaitDisconnected => {
                let d = self.wait(run, &[ConnectionState::Disconnected]).await?;
                Ok(format!("The store is {}.", d.row.state))
            }
            StepKind::Update => {
                let now = self.describe(run).await?;
                // Applied before a restart that lost the record of it: nothing left to do.
                if after != run.before && Settings::of(&now) == after {
                    return Ok("The store already has the new settings.".into());
                }
                Self::expect_settings(&now, &run.before)?;
                let change = self.full_change(run);
                let missing = change.missing_secrets();
                if !missing.is_empty() {
                    let names: Vec<&str> = missing.iter().map(|f| f.label()).collect();
                    return Err(StepFailure(format!(
                        "The secret values ({}) are not kept across a restart of the console; resume the run and enter them again.",
                        names.join(", ")
                    )));
                }
                self.stores
                    .update(&run.target, &run.store_id, &change)
                    .await?;
                let fields: Vec<&str> = change.fields().iter().map(|f| f.member()).collect();
                Ok(format!(
                    "UpdateCustomKeyStore accepted: {}.",
                    fields.join(", ")
                ))
            }
            StepKind::Connect => {
                let now = self.describe(run).await?;
                Self::expect_settings(&now, &after)?;
                match now.row.state {
                    ConnectionState::Connected | ConnectionState::Connecting => {
                        Ok(format!("Already {}.", now.row.state))
                    }
                    _ => {
                        self.stores.connect(&run.target, &run.store_id).await?;
                        Ok("ConnectCustomKeyStore accepted.".into())
                    }
                }
            }
            StepKind::WaitConnected => {
                let d = self
                    .wait(run, &[ConnectionState::Connected, ConnectionState::Failed])
                    .await?;
                if d.row.state == ConnectionState::Failed {
                    return Err(StepFailure(match &d.row.error_code {
                        Some(code) => format!(
                            "The store is FAILED with {code}: {}.",
                            summary(code, d.row.store_type.kind())
                        ),
                        None => "The store is FAILED with no error code.".to_string(),
                    }));
                }
                Ok("The store is CONNECTED.".into())
            }
            StepKind::Verify => {
                let now = self.describe(run).await?;
                if let Some((field, value)) = after.first_difference(&Settings::of(&now)) {
                    return Err(StepFailure(format!(
                        "Describe shows {} as {}, not the new value.",
                        field.label(),
                        value.unwrap_or_else(|| "empty".into())
                    )));
                }
                let connected_at_end = run.steps.iter().any(|s| s.kind == StepKind::Connect)
                    || (run.state_before == ConnectionState::Connected
                        && !run.steps.iter().any(|s| s.kind == StepKind::Disconnect));
                if connected_at_end && now.row.state != ConnectionState::Connected {
                    return Err(StepFailure(format!(
                        "The store is {}, not CONNECTED.",
                        now.row.state
                    )));
                }
                Ok(format!(
                    "Describe shows the new settings; the store is {}.",
                    now.row.state
                ))
            }
        }
    }

    /// Polls Describe until the state is one of `until`, within the wait limit.
    async fn wait(
        &self,
        run: &RunRecord,
        until: &[ConnectionState],
    ) -> Result<StoreDetail, StepFailure> {
        let deadline = tokio::time::Instant::now() + self.timing.wait_limit;
        // A transition that finishes at once is seen at once: the first checks come quickly,
        // then the pause grows to the configured poll interval.
        let mut pause = Duration::from_millis(10).min(self.timing.poll);
        loop {
            let d = self.describe(run).await?;
            if until.contains(&d.row.state) {
                return Ok(d);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(StepFailure(format!(
                    "The store is still {} after {} s; KMS may still finish. Check the store, then resume.",
                    d.row.state,
                    self.timing.wait_limit.as_secs()
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(self.timing.poll);
        }
    }
}
