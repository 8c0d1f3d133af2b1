//! Reviewing a change before it runs: the checks, the diff, the plan and the preflight, kept as
//! a draft for the operator who made it; and the proxy probes of Test connection and Create.

use super::draft::Draft;
use super::runner::Runner;
use super::store::NewRun;
use app::domain::change::run::{DiffRow, DraftView, PreflightReport};
use app::domain::change::{build_change, Change, ChangeForm, Field, Plan, Settings};
use app::domain::kms::CustomKeyStoreType;
use app::domain::store::{StoreDetail, TargetRef};
use app::domain::user::{Secret, UserInfo};
use app::error::AppError;

impl Runner {
    pub(super) async fn review_change(
        &self,
        user: &UserInfo,
        target: TargetRef,
        id: &str,
        fingerprint: &str,
        mut form: ChangeForm,
        upload: Option<String>,
    ) -> Result<String, AppError> {
        let store = self.engine.stores.describe(&target, id).await?;
        if Settings::of(&store).fingerprint() != fingerprint {
            return Err(AppError::Conflict(
                "This store changed after you loaded the form; reload the page to edit its current settings.".into(),
            ));
        }
        // Without JavaScript, an uploaded file's secret waits on the server, never in the page.
        if let Some(upload) = upload.filter(|u| !u.is_empty()) {
            let file = self.uploads.get(&user.username, &upload).ok_or_else(|| {
                AppError::Conflict("The uploaded file has expired; upload it again.".into())
            })?;
            if let Some((akid, secret)) = file.credential {
                if form.secret.is_empty() && form.access_key_id.trim() == akid {
                    form.secret = secret;
                }
            }
        }
        let change = build_change(&store, &form).map_err(AppError::InvalidForm)?;
        let plan = Plan::new(&store.row.state, &change, form.reconnect);
        let preflight = self.preflight(&target, &store, &change).await;
        Ok(self.drafts.insert(
            &user.username,
            Draft {
                target,
                store,
                change,
                plan,
                preflight,
            },
        ))
    }

    pub(super) fn draft_view(&self, user: &UserInfo, draft: &str) -> Result<DraftView, AppError> {
        let d = self.drafts.get(&user.username, draft).ok_or_else(|| {
            AppError::NotFound(
                "This review has expired or belongs to someone else; edit the store again.".into(),
            )
        })?;
        let outage = self.outage.secs(&d.store.row.store_type);
        Ok(DraftView {
            id: draft.to_string(),
            store: d.store.clone(),
            diff: Self::diff(&d.store, &d.change),
            steps: d.plan.steps.clone(),
            summary: d.plan.summary(outage),
            impact: d.plan.impact(&d.store.row.state),
            preflight: d.preflight.clone(),
        })
    }

    pub(super) async fn start_draft(
        &self,
        user: &UserInfo,
        draft: &str,
        override_preflight: bool,
    ) -> Result<i64, AppError> {
        let expired = AppError::NotFound("This review has expired; edit the store again.".into());
        let d = self.drafts.take_if(&user.username, draft, expired, |d| {
            let blocked = d.preflight.as_ref().is_some_and(|p| p.blocks());
            if blocked && !override_preflight {
                return Err(AppError::Conflict(
                    "The preflight failed, so the run was not started. Fix the settings, or tick \"Run anyway\" to override the preflight.".into(),
                ));
            }
            Ok(())
        })?;
        let before = Settings::of(&d.store);
        let preflight = d.preflight.as_ref().map(|p| {
            if p.passed {
                format!("passed: {}", p.verdict)
            } else if !p.checked {
                format!("not run: {}", p.verdict)
            } else {
                format!("failed and overridden by {}: {}", user.username, p.verdict)
            }
        });
        self.launch(
            &user.username,
            NewRun {
                target: &d.target,
                store_id: &d.store.row.id,
                store_name: &d.store.row.name,
                store_type: &d.store.row.store_type,
                user: &user.username,
                change: &d.change,
                before: &before,
                state_before: &d.store.row.state,
                steps: &d.plan.steps,
                rollback_of: None,
                preflight,
            },
            d.change.clone(),
        )
        .await
    }

    pub(super) fn diff(before: &StoreDetail, change: &Change) -> Vec<DiffRow> {
        let b = Settings::of(before);
        let a = change.apply(&b);
        change
            .fields()
            .into_iter()
            .map(|field| {
                let (before, after) = match field {
                    Field::KeyStorePassword => ("(hidden)".into(), "changed".into()),
                    Field::Credential => (
                        format!("{} / secret (hidden)", show(b.value(field))),
                        format!("{} / secret changed", show(a.value(field))),
                    ),
                    _ => (show(b.value(field)), show(a.value(field))),
                };
                DiffRow {
                    field,
                    before,
                    after,
                }
            })
            .collect()
    }

    /// The preflight for a change that KMS will send to the proxy: the new values, merged with
    /// the current ones. A new access key ID without its secret cannot be checked.
    pub(super) async fn preflight(
        &self,
        target: &TargetRef,
        store: &StoreDetail,
        change: &Change,
    ) -> Option<PreflightReport> {
        if store.row.store_type != CustomKeyStoreType::ExternalKeyStore || !change.touches_proxy() {
            return None;
        }
        let after = change.apply(&Settings::of(store));
        let Some((akid, secret)) = change.credential.clone() else {
            return Some(PreflightReport {
                url: format!("{}{}/health", show(after.endpoint.as_deref()), show(after.path.as_deref())),
                reachable: false,
                credential_accepted: None,
                ekms: Vec::new(),
                checked: false,
                passed: false,
                layers: Vec::new(),
                verdict: "KMS never returns the proxy's secret access key, so the console can only check new proxy settings with the credential entered again. Enter the credential (or upload the proxy configuration file) to run the preflight; otherwise KMS checks the proxy itself when it applies the change.".into(),
                latency_ms: 0,
            });
        };
        Some(
            self.probe
                .health(
                    &target.region,
                    &show(after.endpoint.as_deref()),
                    &show(after.path.as_deref()),
                    &akid,
                    &secret,
                )
                .await,
        )
    }

    pub(super) async fn probe_store(
        &self,
        target: &TargetRef,
        id: &str,
        secret: Option<Secret>,
    ) -> Result<PreflightReport, AppError> {
        let store = self.engine.stores.describe(target, id).await?;
        let s = Settings::of(&store);
        let (Some(endpoint), Some(path), Some(akid)) = (s.endpoint, s.path, s.access_key_id) else {
            return Err(AppError::invalid(
                "store",
                "only an external key store has a proxy to test",
            ));
        };
        let given = secret.filter(|s| !s.is_empty());
        // Without the secret, a stand-in signs the probe: the network layers are still tested.
        let signing = given.clone().unwrap_or_else(|| Secret::new("0".repeat(43)));
        let mut report = self
            .probe
            .health(&target.region, &endpoint, &path, &akid, &signing)
            .await;
        if given.is_none() && report.credential_accepted == Some(false) {
            report.credential_accepted = None;
            report.checked = false;
            report.verdict = "The proxy is reachable and answered; enter the secret access key to check the credential and the key managers too.".into();
        }
        Ok(report)
    }

    pub(super) async fn probe_new(
        &self,
        target: &TargetRef,
        endpoint: &str,
        path: &str,
        access_key_id: &str,
        secret: &Secret,
    ) -> PreflightReport {
        self.probe
            .health(&target.region, endpoint, path, access_key_id, secret)
            .await
    }
}

fn show(v: Option<&str>) -> String {
    v.unwrap_or("—").to_string()
}
