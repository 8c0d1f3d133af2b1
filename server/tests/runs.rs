//! Complete update runs against the embedded kms-sim: each store type and state, a failure
//! injected at each step, the operator's choices after it, one run per store, and a restart
//! in the middle of a run. Everything goes through aws-sdk-kms, as in production.

mod common;

use app::domain::change::run::{RunAction, RunStatus, RunView, StepStatus};
use app::domain::change::{ChangeForm, Field, StepKind};
use app::domain::store::{StoreDetail, TargetRef};
use app::domain::user::{Role, Secret, UserInfo};
use app::error::AppError;
use app::ssr::{KeyStores, Workflows};
use server::fleet::KmsFleet;
use server::preflight::XksPreflight;
use server::runs::{Outage, Runner, Timing};
use std::sync::Arc;
use std::time::Duration;

const PAYMENTS: &str = "cks-0a1b2c3d4e5f60001";
const ARCHIVE: &str = "cks-0a1b2c3d4e5f60003";
const HSM_EU_FAILED: &str = "cks-0a1b2c3d4e5f60006";
/// The proxy's next configuration for payments-xks (kms-sim's demo world).
const NEW_AKID: &str = "PAYMENTSXKSROTATEDKY";
const NEW_SECRET: &str = "cGF5bWVudHMtZGVtby1yb3RhdGVkLXNlY3JldC1mb3IteGtzLTI=";

fn account_a() -> TargetRef {
    TargetRef {
        account: "000000000000".into(),
        region: "us-east-1".into(),
    }
}

fn operator() -> UserInfo {
    UserInfo::new("olga", Role::Operator)
}

struct Harness {
    sim: kms_sim::Running,
    stores: Arc<KmsFleet>,
    dir: tempfile::TempDir,
    runner: Option<Runner>,
    wait_limit: Duration,
}

impl Harness {
    async fn new(transition_ms: u64) -> Harness {
        let transition = Duration::from_millis(transition_ms);
        let sim = kms_sim::start(kms_sim::SimConfig {
            initial: kms_sim::Initial::Demo,
            connect_duration: transition,
            disconnect_duration: transition,
            // These tests time the run engine's steps and waits (it polls every 50 ms here); KMS's
            // request quota is off, as it is for any load test of the engine's logic.
            request_quota: 0,
            ..kms_sim::SimConfig::default()
        })
        .await
        .expect("kms-sim starts");
        let stores = Arc::new(KmsFleet::new(server::backend::simulator_targets(&sim), 100));
        let mut h = Harness {
            sim,
            stores,
            dir: tempfile::tempdir().unwrap(),
            runner: None,
            wait_limit: Duration::from_secs(20),
        };
        h.open().await;
        h
    }

    /// Opens the runner on the database file, as a console start does.
    async fn open(&mut self) {
        let pool = server::db::open(self.dir.path()).await.unwrap();
        let runner = Runner::open(
            pool,
            self.stores.clone(),
            Arc::new(XksPreflight {
                client: self.sim.xks_client(),
            }),
            Timing {
                poll: Duration::from_millis(50),
                wait_limit: self.wait_limit,
            },
            Outage {
                external_secs: 1,
                cloudhsm_secs: 1,
            },
        )
        .await
        .unwrap();
        self.runner = Some(runner);
    }

    /// The console stops (its run tasks with it) and starts again on the same database.
    async fn restart(&mut self) {
        self.runner = None;
        self.open().await;
    }

    fn runner(&self) -> &Runner {
        self.runner.as_ref().unwrap()
    }

    async fn describe(&self, target: &TargetRef, id: &str) -> StoreDetail {
        self.stores.describe(target, id).await.unwrap()
    }

    async fn form(&self, target: &TargetRef, id: &str) -> (ChangeForm, String) {
        let d = self.describe(target, id).await;
        let s = app::domain::change::Settings::of(&d);
        (ChangeForm::of(&s), s.fingerprint())
    }

    /// Review and start, as the operator does from the edit and review pages.
    async fn start(
        &self,
        target: &TargetRef,
        id: &str,
        edit: impl FnOnce(&mut ChangeForm),
    ) -> Result<i64, AppError> {
        let (mut form, fingerprint) = self.form(target, id).await;
        edit(&mut form);
        let draft = self
            .runner()
            .review(&operator(), target.clone(), id, &fingerprint, form, None)
            .await?;
        self.runner().start(&operator(), &draft, false).await
    }

    async fn settle(&self, run: i64) -> RunView {
        for _ in 0..400 {
            let v = self.runner().run(run).await.unwrap();
            if v.status != RunStatus::Running {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("run {run} did not stop within 20 s");
    }

    async fn fail_operations(&self, ops: &[&str]) {
        let ops: Vec<String> = ops.iter().map(|s| s.to_string()).collect();
        self.sim
            .sim()
            .mutate(move |st| {
                st.world.failing_operations = ops;
                Ok(())
            })
            .await
            .unwrap();
    }
}

fn kinds(v: &RunView) -> Vec<StepKind> {
    v.steps.iter().map(|s| s.kind).collect()
}

fn failed_step(v: &RunView) -> Option<StepKind> {
    v.steps
        .iter()
        .find(|s| s.status == StepStatus::Failed)
        .map(|s| s.kind)
}

use StepKind::*;

#[tokio::test]
async fn a_path_and_credential_change_keeps_a_connected_xks_store_connected() {
    let h = Harness::new(200).await;
    let run = h
        .start(&account_a(), PAYMENTS, |f| {
            f.path = "/payments-v2/kms/xks/v1".into();
            f.access_key_id = NEW_AKID.into();
            f.secret = Secret::new(NEW_SECRET);
        })
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(v.status, RunStatus::Succeeded, "{:?}", v.error);
    assert_eq!(kinds(&v), [Update, Verify]);
    assert!(v
        .steps
        .iter()
        .all(|s| s.started_ms.is_some() && s.finished_ms.is_some()));
    let d = h.describe(&account_a(), PAYMENTS).await;
    assert_eq!(d.row.state.as_str(), "CONNECTED");
    assert_eq!(d.row.xks_path.as_deref(), Some("/payments-v2/kms/xks/v1"));
    assert_eq!(d.xks_access_key_id.as_deref(), Some(NEW_AKID));
    // The audit log names the fields, and nothing in the database holds the secret.
    let audit = h.runner().audit(Some(PAYMENTS.into())).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "run"
        && e.outcome == "succeeded"
        && e.fields == ["XksProxyUriPath", "XksProxyAuthenticationCredential"]));
    let db = std::fs::read(h.dir.path().join(server::db::FILE_NAME)).unwrap();
    let wal = std::fs::read(h.dir.path().join(format!("{}-wal", server::db::FILE_NAME)))
        .unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!String::from_utf8_lossy(&bytes).contains(NEW_SECRET));
    }
}

#[tokio::test]
async fn an_endpoint_change_of_a_connected_store_disconnects_updates_and_reconnects() {
    let h = Harness::new(200).await;
    let run = h
        .start(&account_a(), PAYMENTS, |f| {
            f.endpoint = "https://proxy-a2.xks.sim.internal".into();
            f.reconnect = true;
        })
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(v.status, RunStatus::Succeeded, "{:?}", v.error);
    assert_eq!(
        kinds(&v),
        [
            Disconnect,
            WaitDisconnected,
            Update,
            Connect,
            WaitConnected,
            Verify
        ]
    );
    // Without the secret the console cannot sign a probe; it says so and does not block.
    assert!(v
        .preflight
        .unwrap()
        .starts_with("not run: KMS never returns"));
    let d = h.describe(&account_a(), PAYMENTS).await;
    assert_eq!(d.row.state.as_str(), "CONNECTED");
    assert_eq!(
        d.row.xks_endpoint.as_deref(),
        Some("https://proxy-a2.xks.sim.internal")
    );
}

#[tokio::test]
async fn a_cloudhsm_password_fix_of_a_failed_store_connects_it_when_asked() {
    let h = Harness::new(200).await;
    let eu_b = TargetRef {
        account: "111122223333".into(),
        region: "eu-west-1".into(),
    };
    let run = h
        .start(&eu_b, HSM_EU_FAILED, |f| {
            f.password = Secret::new("kmsuser-rotated-pw");
            f.reconnect = true;
        })
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(v.status, RunStatus::Succeeded, "{:?}", v.error);
    assert_eq!(
        kinds(&v),
        [
            Disconnect,
            WaitDisconnected,
            Update,
            Connect,
            WaitConnected,
            Verify
        ]
    );
    assert_eq!(
        h.describe(&eu_b, HSM_EU_FAILED).await.row.state.as_str(),
        "CONNECTED"
    );
}

#[tokio::test]
async fn renaming_a_disconnected_cloudhsm_store_leaves_it_disconnected() {
    let h = Harness::new(200).await;
    let run = h
        .start(&account_a(), ARCHIVE, |f| {
            f.name = "hsm-archive-2026".into()
        })
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(v.status, RunStatus::Succeeded, "{:?}", v.error);
    assert_eq!(kinds(&v), [Update, Verify]);
    let d = h.describe(&account_a(), ARCHIVE).await;
    assert_eq!(
        (d.row.name.as_str(), d.row.state.as_str()),
        ("hsm-archive-2026", "DISCONNECTED")
    );
}

#[tokio::test]
async fn a_kms_failure_at_each_mutating_step_stops_the_run_there_and_retry_finishes_it() {
    let h = Harness::new(100).await;
    for (op, step) in [
        ("DisconnectCustomKeyStore", Disconnect),
        ("UpdateCustomKeyStore", Update),
        ("ConnectCustomKeyStore", Connect),
    ] {
        h.fail_operations(&[op]).await;
        let endpoint = if step == Disconnect {
            "https://proxy-a2.xks.sim.internal"
        } else {
            "https://proxy-a.xks.sim.internal"
        };
        let current = h
            .describe(&account_a(), PAYMENTS)
            .await
            .row
            .xks_endpoint
            .unwrap();
        let target_endpoint = if current == endpoint {
            "https://proxy-a2.xks.sim.internal"
        } else {
            endpoint
        };
        let target_endpoint = if current == target_endpoint {
            "https://proxy-a.xks.sim.internal"
        } else {
            target_endpoint
        };
        let run = h
            .start(&account_a(), PAYMENTS, |f| {
                f.endpoint = target_endpoint.into();
                f.reconnect = true;
            })
            .await
            .unwrap();
        let v = h.settle(run).await;
        assert_eq!(v.status, RunStatus::Failed, "{op}");
        assert_eq!(failed_step(&v), Some(step), "{op}");
        let error = v.error.clone().unwrap();
        assert!(
            error.contains("KMS") && !error.contains("SdkError"),
            "{op}: {error}"
        );
        assert!(
            v.actions.contains(&RunAction::Resume) && v.actions.contains(&RunAction::LeaveAsIs)
        );
        // The steps before it are done, the ones after it never started.
        let idx = v.steps.iter().position(|s| s.kind == step).unwrap();
        assert!(v.steps[..idx].iter().all(|s| s.status == StepStatus::Done));
        assert!(v.steps[idx + 1..]
            .iter()
            .all(|s| s.status == StepStatus::Pending));
        h.fail_operations(&[]).await;
        let again = h
            .runner()
            .act(
                &operator(),
                run,
                RunAction::Resume,
                Secret::default(),
                Secret::default(),
            )
            .await
            .unwrap();
        assert_eq!(again, run);
        let v = h.settle(run).await;
        assert_eq!(v.status, RunStatus::Succeeded, "{op}: {:?}", v.error);
        let d = h.describe(&account_a(), PAYMENTS).await;
        assert_eq!(d.row.state.as_str(), "CONNECTED", "{op}");
        assert_eq!(d.row.xks_endpoint.as_deref(), Some(target_endpoint));
    }
}

#[tokio::test]
async fn a_store_that_fails_to_connect_stops_the_run_and_can_be_rolled_back_and_reconnected() {
    let h = Harness::new(100).await;
    // A name change and a wrong kmsuser password: the connect ends FAILED.
    let eu_b = TargetRef {
        account: "111122223333".into(),
        region: "eu-west-1".into(),
    };
    let run = h
        .start(&eu_b, HSM_EU_FAILED, |f| {
            f.name = "hsm-eu-renamed".into();
            f.password = Secret::new("not-the-password");
            f.reconnect = true;
        })
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(failed_step(&v), Some(WaitConnected));
    assert!(
        v.error.as_deref().unwrap().contains("INVALID_CREDENTIALS"),
        "{:?}",
        v.error
    );
    assert!(v.actions.contains(&RunAction::RollBack));
    assert_eq!(v.store_now.as_ref().unwrap().row.state.as_str(), "FAILED");
    // Roll back the name (the password is a secret and is never rolled back).
    let undo = h
        .runner()
        .act(
            &operator(),
            run,
            RunAction::RollBack,
            Secret::default(),
            Secret::default(),
        )
        .await
        .unwrap();
    assert_ne!(undo, run);
    let u = h.settle(undo).await;
    assert_eq!(u.status, RunStatus::Succeeded, "{:?}", u.error);
    assert_eq!(u.rollback_of, Some(run));
    assert_eq!(u.fields, [Field::Name]);
    assert_eq!(kinds(&u), [Disconnect, WaitDisconnected, Update, Verify]);
    let d = h.describe(&eu_b, HSM_EU_FAILED).await;
    assert_eq!(
        (d.row.name.as_str(), d.row.state.as_str()),
        ("hsm-eu-failed", "DISCONNECTED")
    );
    assert_eq!(h.runner().run(run).await.unwrap().status, RunStatus::Closed);
}

#[tokio::test]
async fn someone_elses_change_stops_the_run_before_it_changes_anything() {
    let h = Harness::new(100).await;
    // Loaded before the rename below: the review itself refuses it.
    let (mut form, fingerprint) = h.form(&account_a(), ARCHIVE).await;
    let kms = common::kms_client(&h.sim.kms_url(), "test");
    kms.update_custom_key_store()
        .custom_key_store_id(ARCHIVE)
        .new_custom_key_store_name("renamed-by-someone")
        .send()
        .await
        .unwrap();
    form.cluster_id = "cluster-archivebackup".into();
    let err = h
        .runner()
        .review(&operator(), account_a(), ARCHIVE, &fingerprint, form, None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err}");
    // Reviewed, then changed by someone else before the run's update: the run stops.
    let (mut form, fingerprint) = h.form(&account_a(), ARCHIVE).await;
    form.cluster_id = "cluster-archivebackup".into();
    let draft = h
        .runner()
        .review(&operator(), account_a(), ARCHIVE, &fingerprint, form, None)
        .await
        .unwrap();
    kms.update_custom_key_store()
        .custom_key_store_id(ARCHIVE)
        .new_custom_key_store_name("renamed-again")
        .send()
        .await
        .unwrap();
    let run = h.runner().start(&operator(), &draft, false).await.unwrap();
    let v = h.settle(run).await;
    assert_eq!(failed_step(&v), Some(Update));
    assert!(v.error.unwrap().contains("Someone else changed this store"));
    let d = h.describe(&account_a(), ARCHIVE).await;
    assert_eq!(
        d.row.cloud_hsm_cluster_id.as_deref(),
        Some("cluster-archivevault")
    );
}

#[tokio::test]
async fn only_one_run_per_store_at_a_time() {
    let h = Harness::new(1500).await;
    let (mut form, fingerprint) = h.form(&account_a(), PAYMENTS).await;
    form.endpoint = "https://proxy-a2.xks.sim.internal".into();
    let first = h
        .runner()
        .review(
            &operator(),
            account_a(),
            PAYMENTS,
            &fingerprint,
            form.clone(),
            None,
        )
        .await
        .unwrap();
    let second = h
        .runner()
        .review(&operator(), account_a(), PAYMENTS, &fingerprint, form, None)
        .await
        .unwrap();
    let run = h.runner().start(&operator(), &first, false).await.unwrap();
    let err = h
        .runner()
        .start(&operator(), &second, false)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Another run is changing payments-xks"),
        "{err}"
    );
    assert_eq!(h.settle(run).await.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn a_restart_mid_run_leaves_it_interrupted_and_resuming_asks_for_the_secret_again() {
    let mut h = Harness::new(1500).await;
    // A new endpoint (disconnect first) and the credential entered again.
    let run = h
        .start(&account_a(), PAYMENTS, |f| {
            f.endpoint = "https://proxy-a2.xks.sim.internal".into();
            f.access_key_id = "PAYMENTSXKSACCESSKEY".into();
            f.secret = Secret::new("cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDE=");
        })
        .await
        .unwrap();
    // Stop the console while the store is disconnecting.
    for _ in 0..100 {
        let v = h.runner().run(run).await.unwrap();
        if v.steps
            .iter()
            .any(|s| s.kind == WaitDisconnected && s.status == StepStatus::Running)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    h.restart().await;
    let v = h.runner().run(run).await.unwrap();
    assert_eq!(v.status, RunStatus::Interrupted);
    assert!(v
        .error
        .as_deref()
        .unwrap()
        .contains("stopped while this run was under way"));
    assert!(v.steps.iter().any(|s| s.status == StepStatus::Interrupted));
    // The page shows the store's real state beside the run.
    let state = v.store_now.as_ref().unwrap().row.state.to_string();
    assert!(
        ["DISCONNECTING", "DISCONNECTED"].contains(&state.as_str()),
        "{state}"
    );
    assert_eq!(v.needs_secrets, [Field::Credential]);
    // Resuming without the secret stops at the update and says why.
    h.runner()
        .act(
            &operator(),
            run,
            RunAction::Resume,
            Secret::default(),
            Secret::default(),
        )
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(failed_step(&v), Some(Update));
    assert!(v.error.unwrap().contains("not kept across a restart"));
    h.runner()
        .act(
            &operator(),
            run,
            RunAction::Resume,
            Secret::default(),
            Secret::new("cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDE="),
        )
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(v.status, RunStatus::Succeeded, "{:?}", v.error);
    let d = h.describe(&account_a(), PAYMENTS).await;
    assert_eq!(d.row.state.as_str(), "CONNECTED");
    assert_eq!(
        d.row.xks_endpoint.as_deref(),
        Some("https://proxy-a2.xks.sim.internal")
    );
}

#[tokio::test]
async fn a_failing_preflight_blocks_the_run_unless_the_operator_overrides_it() {
    let h = Harness::new(100).await;
    let (mut form, fingerprint) = h.form(&account_a(), PAYMENTS).await;
    form.access_key_id = NEW_AKID.into();
    // The right key ID with a wrong secret: the proxy rejects the signature.
    form.secret = Secret::new(NEW_SECRET.replace('c', "d"));
    form.path = "/payments-v2/kms/xks/v1".into();
    let draft = h
        .runner()
        .review(&operator(), account_a(), PAYMENTS, &fingerprint, form, None)
        .await
        .unwrap();
    let review = h.runner().draft(&operator(), &draft).await.unwrap();
    let p = review
        .preflight
        .expect("an XKS credential change is preflighted");
    assert!(!p.passed);
    assert!(p.reachable);
    assert_eq!(p.credential_accepted, Some(false));
    assert!(
        p.verdict.contains("AuthenticationFailedException"),
        "{}",
        p.verdict
    );
    assert!(p.url.ends_with("/payments-v2/kms/xks/v1/health"));
    let err = h
        .runner()
        .start(&operator(), &draft, false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("preflight failed"), "{err}");
    // Overridden: KMS's own check refuses the update, and the store keeps its settings.
    let run = h.runner().start(&operator(), &draft, true).await.unwrap();
    let v = h.settle(run).await;
    assert_eq!(failed_step(&v), Some(Update));
    assert!(v
        .preflight
        .unwrap()
        .starts_with("failed and overridden by olga"));
    let d = h.describe(&account_a(), PAYMENTS).await;
    assert_eq!(d.row.xks_path.as_deref(), Some("/payments/kms/xks/v1"));
    assert_eq!(d.row.state.as_str(), "CONNECTED");
}

#[tokio::test]
async fn an_unreachable_proxy_fails_the_preflight_with_what_the_probe_saw() {
    let h = Harness::new(100).await;
    let (mut form, fingerprint) = h.form(&account_a(), PAYMENTS).await;
    form.endpoint = "https://nowhere.invalid".into();
    form.access_key_id = NEW_AKID.into();
    form.secret = Secret::new(NEW_SECRET);
    let draft = h
        .runner()
        .review(&operator(), account_a(), PAYMENTS, &fingerprint, form, None)
        .await
        .unwrap();
    let p = h
        .runner()
        .draft(&operator(), &draft)
        .await
        .unwrap()
        .preflight
        .unwrap();
    assert!(!p.passed && !p.reachable);
    assert_eq!(p.credential_accepted, None);
    assert!(p.verdict.contains("cannot be reached"), "{}", p.verdict);
}

#[tokio::test]
async fn a_wait_that_never_ends_stops_at_its_limit() {
    let mut h = Harness::new(5000).await;
    h.wait_limit = Duration::from_millis(300);
    h.restart().await;
    let run = h
        .start(&account_a(), ARCHIVE, |f| {
            f.password = Secret::new("kmsuser-archive-pw");
            f.reconnect = true;
        })
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(failed_step(&v), Some(WaitConnected));
    assert!(v.error.unwrap().contains("still CONNECTING"));
}

#[tokio::test]
async fn each_store_type_in_each_settled_state_gets_the_plan_it_needs() {
    let h = Harness::new(100).await;
    let kms = common::kms_client(&h.sim.kms_url(), "test");
    // An XKS store DISCONNECTED (payments, disconnected first) and one FAILED (ledger-xks).
    kms.disconnect_custom_key_store()
        .custom_key_store_id(PAYMENTS)
        .send()
        .await
        .unwrap();
    for _ in 0..100 {
        if h.describe(&account_a(), PAYMENTS).await.row.state.as_str() == "DISCONNECTED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let eu_a = TargetRef {
        account: "000000000000".into(),
        region: "eu-west-1".into(),
    };
    let cases: [(TargetRef, &str, &str, Vec<StepKind>, &str); 5] = [
        // XKS DISCONNECTED: a new endpoint, connected at the end only because it is asked for.
        (
            account_a(),
            PAYMENTS,
            "DISCONNECTED",
            vec![Update, Connect, WaitConnected, Verify],
            "CONNECTED",
        ),
        // XKS FAILED (rotated credential on the proxy side): disconnect first; not reconnected unasked.
        (
            account_a(),
            "cks-0a1b2c3d4e5f60002",
            "FAILED",
            vec![Disconnect, WaitDisconnected, Update, Verify],
            "DISCONNECTED",
        ),
        // CloudHSM CONNECTED: a new kmsuser password needs a disconnect, then it reconnects.
        (
            eu_a.clone(),
            "cks-0a1b2c3d4e5f60004",
            "CONNECTED",
            vec![
                Disconnect,
                WaitDisconnected,
                Update,
                Connect,
                WaitConnected,
                Verify,
            ],
            "CONNECTED",
        ),
        // CloudHSM DISCONNECTED and FAILED are covered above (rename, password fix).
        (
            account_a(),
            ARCHIVE,
            "DISCONNECTED",
            vec![Update, Verify],
            "DISCONNECTED",
        ),
        (
            eu_a,
            "cks-0a1b2c3d4e5f60004",
            "CONNECTED",
            vec![Update, Verify],
            "CONNECTED",
        ),
    ];
    for (i, (target, id, state, steps, end)) in cases.into_iter().enumerate() {
        assert_eq!(
            h.describe(&target, id).await.row.state.as_str(),
            state,
            "case {i}"
        );
        let run = h
            .start(&target, id, |f| match i {
                0 => {
                    f.endpoint = "https://proxy-a2.xks.sim.internal".into();
                    f.reconnect = true;
                }
                1 => {
                    f.access_key_id = "LEDGERXKSROTATEDKEYB".into();
                    f.secret = Secret::new("bGVkZ2VyLWRlbW8tcm90YXRlZC1zZWNyZXQtZm9yLXhrcw==");
                }
                2 => f.password = Secret::new("kmsuser-eu-primary"),
                3 => f.cluster_id = "cluster-archivebackup".into(),
                _ => f.name = "hsm-eu-primary-3".into(),
            })
            .await
            .unwrap();
        let v = h.settle(run).await;
        assert_eq!(v.status, RunStatus::Succeeded, "case {i}: {:?}", v.error);
        assert_eq!(kinds(&v), steps, "case {i}");
        assert_eq!(
            h.describe(&target, id).await.row.state.as_str(),
            end,
            "case {i}"
        );
    }
}

#[tokio::test]
async fn reconnect_with_the_old_settings_undoes_a_run_that_left_the_store_disconnected() {
    let h = Harness::new(100).await;
    h.fail_operations(&["ConnectCustomKeyStore"]).await;
    let run = h
        .start(&account_a(), PAYMENTS, |f| {
            f.endpoint = "https://proxy-a2.xks.sim.internal".into();
        })
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(failed_step(&v), Some(Connect));
    assert_eq!(
        v.store_now.as_ref().unwrap().row.state.as_str(),
        "DISCONNECTED"
    );
    assert!(v.actions.contains(&RunAction::ReconnectWithOldSettings));
    h.fail_operations(&[]).await;
    let undo = h
        .runner()
        .act(
            &operator(),
            run,
            RunAction::ReconnectWithOldSettings,
            Secret::default(),
            Secret::default(),
        )
        .await
        .unwrap();
    let u = h.settle(undo).await;
    assert_eq!(u.status, RunStatus::Succeeded, "{:?}", u.error);
    assert_eq!(kinds(&u), [Update, Connect, WaitConnected, Verify]);
    let d = h.describe(&account_a(), PAYMENTS).await;
    assert_eq!(d.row.state.as_str(), "CONNECTED");
    assert_eq!(
        d.row.xks_endpoint.as_deref(),
        Some("https://proxy-a.xks.sim.internal")
    );
    let audit = h.runner().audit(Some(PAYMENTS.into())).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "step connect" && e.outcome == "failed"));
    assert!(audit
        .iter()
        .any(|e| e.action == "run started" && e.run_id == Some(undo)));
}

#[tokio::test]
async fn a_disconnect_that_never_finishes_stops_the_run_at_its_wait() {
    let mut h = Harness::new(5000).await;
    h.wait_limit = Duration::from_millis(300);
    h.restart().await;
    let run = h
        .start(&account_a(), PAYMENTS, |f| {
            f.endpoint = "https://proxy-a2.xks.sim.internal".into()
        })
        .await
        .unwrap();
    let v = h.settle(run).await;
    assert_eq!(failed_step(&v), Some(WaitDisconnected));
    assert!(v.error.unwrap().contains("still DISCONNECTING"));
}

#[tokio::test]
async fn verify_fails_when_describe_does_not_show_the_new_values() {
    let h = Harness::new(100).await;
    let (pool, _scratch) = server::db::scratch().await.unwrap();
    let engine = Arc::new(server::runs::Engine {
        runs: server::runs::store::RunStore::new(pool),
        stores: h.stores.clone(),
        timing: Timing {
            poll: Duration::from_millis(50),
            wait_limit: Duration::from_secs(5),
        },
        secrets: Default::default(),
    });
    let before = app::domain::change::Settings::of(&h.describe(&account_a(), PAYMENTS).await);
    // A run whose update never reached KMS: only its verify step is left.
    let change = app::domain::change::Change {
        name: Some("payments-renamed".into()),
        ..Default::default()
    };
    let id = engine
        .runs
        .create(server::runs::store::NewRun {
            target: &account_a(),
            store_id: PAYMENTS,
            store_name: "payments-xks",
            store_type: &app::domain::kms::CustomKeyStoreType::ExternalKeyStore,
            user: "olga",
            change: &change,
            before: &before,
            state_before: &app::domain::kms::ConnectionState::Connected,
            steps: &[Verify],
            rollback_of: None,
            preflight: None,
        })
        .await
        .unwrap();
    engine.clone().drive(id).await;
    let r = engine.runs.get(id).await.unwrap();
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(
        r.error.as_deref(),
        Some("Describe shows Key store name as payments-xks, not the new value.")
    );
}
