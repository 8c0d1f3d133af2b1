//! A reviewed change waiting for its operator's confirmation.

use app::domain::change::run::PreflightReport;
use app::domain::change::{Change, Plan};
use app::domain::store::{StoreDetail, TargetRef};

/// A checked change waiting for its operator's confirmation (memory only: it holds secrets).
#[derive(Clone)]
pub struct Draft {
    pub target: TargetRef,
    pub store: StoreDetail,
    pub change: Change,
    pub plan: Plan,
    pub preflight: Option<PreflightReport>,
}
