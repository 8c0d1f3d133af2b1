//! What an operator can do with a stopped run (resume, roll back, reconnect with the old
//! settings, leave as is), the reconnect run of the Fix page, and starting a run.

use super::runner::Runner;
use super::store::{NewRun, RunRecord};
use app::domain::change::run::{RunAction, RunStatus};
use app::domain::change::{Change, Plan, Settings};
use app::domain::store::TargetRef;
use app::domain::user::{Secret, UserInfo};
use app::error::AppError;

impl Runner {
    pub(super) async fn act_on(
        &self,
        user: &UserInfo,
        run: i64,
        action: RunAction,
        password: Secret,
        secret: Secret,
    ) -> Result<i64, AppError> {
        let r = self.engine.runs.get(run).await?;
        if !matches!(r.status, RunStatus::Failed | RunStatus::Interrupted) {
            return Err(AppError::Conflict(format!(
                "Run {run} is {}; only a stopped run can be resumed or undone.",
                r.status.as_str()
            )));
        }
        match action {
            RunAction::Resume => self.resume(user, r, password, secret).await,
            RunAction::LeaveAsIs => self.leave(user, r).await,
            RunAction::RollBack => self.undo(user, r, false).await,
            RunAction::ReconnectWithOldSettings => self.undo(user, r, true).await,
        }
    }

    /// Carries on from the step that stopped, with the secrets entered again where needed.
    async fn resume(
        &self,
        user: &UserInfo,
        r: RunRecord,
        password: Secret,
        secret: Secret,
    ) -> Result<i64, AppError> {
        let run = r.id;
        let mut full = self.engine.full_change(&r);
        if let Some(p) = full.password.as_mut().filter(|p| p.is_empty()) {
            *p = password;
        }
        if let Some((_, s)) = full.credential.as_mut().filter(|(_, s)| s.is_empty()) {
            if !secret.is_empty() {
                app::domain::change::rules::raw_secret_access_key(secret.expose())
                    .map_err(|m| AppError::invalid("Secret access key", m))?;
            }
            *s = secret;
        }
        self.engine.secrets.keep(run, full);
        if !self
            .engine
            .runs
            .set_status(
                run,
                &[RunStatus::Failed, RunStatus::Interrupted],
                RunStatus::Running,
                None,
            )
            .await?
        {
            return Err(AppError::Conflict(
                "This run changed meanwhile; reload the page.".into(),
            ));
        }
        self.engine
            .audit(
                &user.username,
                &r,
                "run resumed",
                "started",
                "Carrying on from the step that stopped.",
            )
            .await?;
        self.spawn(run);
        Ok(run)
    }

    /// Closes the run and leaves the store as it is.
    async fn leave(&self, user: &UserInfo, r: RunRecord) -> Result<i64, AppError> {
        let run = r.id;
        self.close(&r).await?;
        self.engine
            .audit(
                &user.username,
                &r,
                "run closed",
                "closed",
                "The operator left the store as it is.",
            )
            .await?;
        Ok(run)
    }

    /// A new run that puts back what this one changed, and connects the store when asked.
    async fn undo(&self, user: &UserInfo, r: RunRecord, reconnect: bool) -> Result<i64, AppError> {
        let run = r.id;
        let store = self.engine.stores.describe(&r.target, &r.store_id).await?;
        let now = Settings::of(&store);
        // Put back only what this run changed and the store still shows as changed.
        let undo = r.change.undo(&r.before, &now);
        let Some(plan) = Plan::undo(&store.row.state, &undo, reconnect) else {
            return Err(AppError::Conflict(
                "The store already has its old settings; there is nothing to roll back.".into(),
            ));
        };
        let steps = plan.steps;
        self.close(&r).await?;
        self.launch(
            &user.username,
            NewRun {
                target: &r.target,
                store_id: &r.store_id,
                store_name: &store.row.name,
                store_type: &r.store_type,
                user: &user.username,
                change: &undo,
                before: &now,
                state_before: &store.row.state,
                steps: &steps,
                rollback_of: Some(run),
                preflight: None,
            },
            undo.clone(),
        )
        .await
    }

    pub(super) async fn reconnect_store(
        &self,
        user: &UserInfo,
        target: TargetRef,
        id: &str,
    ) -> Result<i64, AppError> {
        let store = self.engine.stores.describe(&target, id).await?;
        let steps = Plan::reconnect(&store.row.state)
            .map_err(AppError::Conflict)?
            .steps;
        let before = Settings::of(&store);
        let none = Change::default();
        self.launch(
            &user.username,
            NewRun {
                target: &target,
                store_id: id,
                store_name: &store.row.name,
                store_type: &store.row.store_type,
                user: &user.username,
                change: &none,
                before: &before,
                state_before: &store.row.state,
                steps: &steps,
                rollback_of: None,
                preflight: None,
            },
            none.clone(),
        )
        .await
    }

    /// Closes a stopped run: its secrets are forgotten.
    async fn close(&self, r: &RunRecord) -> Result<(), AppError> {
        self.engine
            .runs
            .set_status(
                r.id,
                &[RunStatus::Failed, RunStatus::Interrupted],
                RunStatus::Closed,
                r.error.as_deref(),
            )
            .await?;
        self.engine.secrets.forget(r.id);
        Ok(())
    }

    /// Creates a run and starts it; the audit log gets who started what.
    pub(super) async fn launch(
        &self,
        user: &str,
        new: NewRun<'_>,
        full: Change,
    ) -> Result<i64, AppError> {
        let id = self.engine.runs.create(new).await?;
        self.engine.secrets.keep(id, full);
        let run = self.engine.runs.get(id).await?;
        let plan: Vec<&str> = run.steps.iter().map(|s| s.kind.as_str()).collect();
        self.engine
            .audit(
                user,
                &run,
                "run started",
                "started",
                &format!("Plan: {}.", plan.join(" → ")),
            )
            .await?;
        tracing::info!(run = id, user, store = %run.store_id, "run started");
        self.spawn(id);
        Ok(id)
    }
}
