//! Runs as the browser sees them: the steps, what the operator may do next, and whether
//! resuming needs the secrets again.

use super::runner::Runner;
use super::store::RunRecord;
use app::domain::change::run::{RunAction, RunStatus, RunView, StepStatus};
use app::domain::change::StepKind;
use app::domain::store::{StoreDetail, TargetRef};
use app::error::AppError;

impl Runner {
    pub(super) fn view(&self, r: RunRecord, store_now: Option<StoreDetail>) -> RunView {
        let full = self.engine.full_change(&r);
        let needs_secrets = full.missing_secrets();
        let update_done = r
            .steps
            .iter()
            .any(|s| s.kind == StepKind::Update && s.status == StepStatus::Done);
        let can_roll_back = update_done && !r.change.rollback(&r.before).fields().is_empty();
        let actions = offered(r.status, can_roll_back);
        RunView {
            id: r.id,
            target: r.target,
            store_id: r.store_id,
            store_name: r.store_name,
            user: r.user,
            created_ms: r.created_ms,
            status: r.status,
            fields: r.change.fields(),
            steps: r.steps,
            error: r.error,
            rollback_of: r.rollback_of,
            preflight: r.preflight,
            store_now,
            needs_secrets: if update_done {
                Vec::new()
            } else {
                needs_secrets
            },
            actions,
        }
    }

    pub(super) async fn run_view(&self, id: i64) -> Result<RunView, AppError> {
        let r = self.engine.runs.get(id).await?;
        let now = self
            .engine
            .stores
            .describe(&r.target, &r.store_id)
            .await
            .ok();
        Ok(self.view(r, now))
    }

    pub(super) async fn store_runs(
        &self,
        target: &TargetRef,
        store_id: &str,
    ) -> Result<Vec<RunView>, AppError> {
        let runs = self.engine.runs.of_store(target, store_id).await?;
        Ok(runs.into_iter().map(|r| self.view(r, None)).collect())
    }
}

/// What the operator may do with a run: only a stopped run offers anything, and rolling back
/// only when the run's update went through and changed something that can be put back.
fn offered(status: RunStatus, can_roll_back: bool) -> Vec<RunAction> {
    match status {
        RunStatus::Failed | RunStatus::Interrupted => {
            let mut a = vec![RunAction::Resume];
            if can_roll_back {
                a.push(RunAction::RollBack);
            }
            a.extend([RunAction::ReconnectWithOldSettings, RunAction::LeaveAsIs]);
            a
        }
        RunStatus::Running | RunStatus::Succeeded | RunStatus::Closed => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RunAction::*;

    #[test]
    fn only_a_stopped_run_offers_actions_and_a_rollback_needs_an_update_to_undo() {
        for status in [RunStatus::Running, RunStatus::Succeeded, RunStatus::Closed] {
            assert!(offered(status, true).is_empty(), "{status:?}");
        }
        for status in [RunStatus::Failed, RunStatus::Interrupted] {
            assert_eq!(
                offered(status, true),
                [Resume, RollBack, ReconnectWithOldSettings, LeaveAsIs]
            );
            assert_eq!(
                offered(status, false),
                [Resume, ReconnectWithOldSettings, LeaveAsIs]
            );
        }
    }
}
