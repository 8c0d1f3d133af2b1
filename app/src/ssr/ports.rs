//! What the server functions need from the server, as traits the `server` crate implements.

use crate::domain::change::create::CreateRequest;
use crate::domain::change::run::{AuditEntry, DraftView, PreflightReport, RunAction, RunView};
use crate::domain::change::{Change, ChangeForm, ProxyConfigFile};
use crate::domain::demo::{DemoAction, DemoWorld};
use crate::domain::fleet::{Fleet, FleetPage, View};
use crate::domain::kms::CustomKeyStoreType;
use crate::domain::notification::Delivery;
use crate::domain::store::{StoreDetail, TargetRef};
use crate::domain::user::{BackendInfo, BackendSummary, Role, Secret, UserInfo};
use crate::error::AppError;
use leptos::prelude::use_context;
use std::sync::Arc;

#[async_trait::async_trait]
pub trait UserDirectory: Send + Sync + 'static {
    /// Checks a password, slowing down repeated failures per account and per client address.
    async fn authenticate(
        &self,
        username: &str,
        password: &Secret,
        client: &str,
    ) -> Result<UserInfo, AppError>;
    async fn find(&self, username: &str) -> Result<Option<UserInfo>, AppError>;
    async fn list(&self) -> Result<Vec<UserInfo>, AppError>;
    async fn add(&self, username: &str, password: &Secret, role: Role) -> Result<(), AppError>;
    /// Changes a role and ends the user's sessions; the last operator keeps the role (Conflict).
    async fn set_role(&self, username: &str, role: Role) -> Result<(), AppError>;
    /// Sets a password and ends the user's sessions. `must_change`: the user changes it at the
    /// next sign-in (an operator's reset).
    async fn set_password(
        &self,
        username: &str,
        password: &Secret,
        must_change: bool,
    ) -> Result<(), AppError>;
    /// Removes a user (and so every session of theirs); never the last operator (Conflict).
    async fn remove(&self, username: &str) -> Result<(), AppError>;
    /// A user the identity provider vouched for (its `subject`, the name it gave, the role its
    /// groups decided): created at the first sign-in, then given the new role and sign-in time.
    /// A changed role ends the user's other sessions.
    async fn federated_sign_in(
        &self,
        subject: &str,
        name: &str,
        role: Role,
    ) -> Result<UserInfo, AppError>;
}

/// The custom key stores of every configured target.
#[async_trait::async_trait]
pub trait KeyStores: Send + Sync + 'static {
    /// All stores of all targets; a target that fails is reported beside the others' results.
    async fn fleet(&self) -> Fleet;
    /// One page of the fleet as `view` selects it: the list page. By default from [`fleet`];
    /// an implementation that keeps the fleet in memory can avoid copying all of it.
    ///
    /// [`fleet`]: KeyStores::fleet
    async fn fleet_page(&self, view: &View) -> FleetPage {
        self.fleet().await.page(view)
    }
    /// A number that changes whenever what [`fleet_page`] shows changes (a store, a state, a
    /// target's read failing or recovering), once the reads that [`fleet_page`] waits for are
    /// done; the ages it shows change with time alone. `None` when the implementation cannot
    /// tell: the list page is then rendered for every request.
    ///
    /// [`fleet_page`]: KeyStores::fleet_page
    async fn fleet_version(&self) -> Option<u64> {
        None
    }
    async fn describe(&self, target: &TargetRef, id: &str) -> Result<StoreDetail, AppError>;
    async fn connect(&self, target: &TargetRef, id: &str) -> Result<(), AppError>;
    async fn disconnect(&self, target: &TargetRef, id: &str) -> Result<(), AppError>;
    async fn delete(&self, target: &TargetRef, id: &str) -> Result<(), AppError>;
    /// CreateCustomKeyStore; returns the new store's ID.
    async fn create(&self, target: &TargetRef, request: &CreateRequest)
        -> Result<String, AppError>;
    /// UpdateCustomKeyStore with the members of `change` (secrets included).
    async fn update(&self, target: &TargetRef, id: &str, change: &Change) -> Result<(), AppError>;
    /// Reads every target again now, for a viewer's Refresh or after a change made elsewhere
    /// (the demo panel); returns when the reads are done, or after a bounded wait. An
    /// implementation that reads KMS on every call has nothing to do.
    async fn refresh(&self) {}
}

/// GetHealthStatus at a proxy, signed as KMS signs it (SigV4, service `kms-xks-proxy`).
#[async_trait::async_trait]
pub trait ProxyProbe: Send + Sync + 'static {
    async fn health(
        &self,
        region: &str,
        endpoint: &str,
        path: &str,
        access_key_id: &str,
        secret: &Secret,
    ) -> PreflightReport;
}

/// The update workflow: review, preflight, persisted runs and the audit log.
#[async_trait::async_trait]
pub trait Workflows: Send + Sync + 'static {
    /// Checks the form against the store as it is now (which must still match `fingerprint`),
    /// runs the preflight, and keeps the change for review. Returns the draft's id.
    async fn review(
        &self,
        user: &UserInfo,
        target: TargetRef,
        id: &str,
        fingerprint: &str,
        form: ChangeForm,
        upload: Option<String>,
    ) -> Result<String, AppError>;
    async fn draft(&self, user: &UserInfo, draft: &str) -> Result<DraftView, AppError>;
    /// Starts the reviewed change as a run; a failed preflight needs `override_preflight`.
    async fn start(
        &self,
        user: &UserInfo,
        draft: &str,
        override_preflight: bool,
    ) -> Result<i64, AppError>;
    async fn run(&self, id: i64) -> Result<RunView, AppError>;
    async fn runs_of_store(
        &self,
        target: &TargetRef,
        store_id: &str,
    ) -> Result<Vec<RunView>, AppError>;
    /// What the operator chose for a stopped run; returns the run to show next.
    async fn act(
        &self,
        user: &UserInfo,
        run: i64,
        action: RunAction,
        password: Secret,
        secret: Secret,
    ) -> Result<i64, AppError>;
    async fn audit(&self, store_id: Option<String>) -> Result<Vec<AuditEntry>, AppError>;
    async fn record(&self, entry: AuditEntry) -> Result<(), AppError>;
    /// Records a notification's delivery as it goes (a new one when its id is 0); returns its id.
    async fn record_delivery(&self, delivery: &Delivery) -> Result<i64, AppError>;
    /// The latest notification deliveries, newest first: the Notifications page.
    async fn deliveries(&self) -> Result<Vec<Delivery>, AppError>;
    /// A proxy configuration file uploaded without JavaScript, kept in memory for the edit form.
    async fn keep_upload(&self, user: &UserInfo, file: ProxyConfigFile) -> String;
    async fn upload(&self, user: &UserInfo, id: &str) -> Option<ProxyConfigFile>;
    /// A run that disconnects the store (if needed), connects it and checks it is CONNECTED.
    async fn reconnect(
        &self,
        user: &UserInfo,
        target: TargetRef,
        id: &str,
    ) -> Result<i64, AppError>;
    /// The preflight's probe against the store's current settings. Without the secret (which KMS
    /// never returns) the network layers are checked, but not the credential.
    async fn test_connection(
        &self,
        target: &TargetRef,
        id: &str,
        secret: Option<Secret>,
    ) -> Result<PreflightReport, AppError>;
    /// The preflight for a new store's proxy settings.
    async fn probe(
        &self,
        target: &TargetRef,
        endpoint: &str,
        path: &str,
        access_key_id: &str,
        secret: &Secret,
    ) -> PreflightReport;
    /// The estimated seconds a store's keys are unusable during a disconnect and reconnect.
    fn outage_estimate_secs(&self, store_type: &CustomKeyStoreType) -> u64;
}

/// Everything the server functions reach the outside world through; provided as Leptos context.
#[derive(Clone)]
pub struct Services {
    pub users: Arc<dyn UserDirectory>,
    pub stores: Arc<dyn KeyStores>,
    pub workflows: Arc<dyn Workflows>,
    /// Only with the embedded simulator.
    pub demo: Option<Arc<dyn DemoControl>>,
    /// Shared: every request's context holds a copy of the services.
    pub backend: Arc<BackendInfo>,
    /// `backend` as the header names it (see [`BackendSummary`]).
    pub backend_summary: Arc<BackendSummary>,
    /// How people sign in: local accounts, the identity provider, or both.
    pub sign_in: Arc<crate::domain::user::SignInOptions>,
    /// The list page's views as rendered for the current fleet, shared by every viewer.
    pub fleet_pages: Arc<super::rendered::Rendered<crate::domain::fleet::FleetHtml>>,
}

impl Services {
    pub fn demo(&self) -> Result<Arc<dyn DemoControl>, AppError> {
        self.demo.clone().ok_or_else(|| {
            AppError::NotFound(
                "The demo control panel exists only with the embedded simulator.".into(),
            )
        })
    }
}

/// Faults in the simulated world behind KMS (the embedded simulator only).
#[async_trait::async_trait]
pub trait DemoControl: Send + Sync + 'static {
    async fn world(&self) -> Result<DemoWorld, AppError>;
    /// Applies `action` to `target` (`host path-prefix` of a proxy, or a cluster ID); says what it did.
    async fn act(&self, action: DemoAction, target: &str) -> Result<String, AppError>;
    /// The proxy configuration file a proxy's UI would offer for download.
    async fn proxy_config(&self, host: &str, path_prefix: &str) -> Option<String>;
}

/// The request's services. They are in the context behind one `Arc`: each page and server
/// function takes a copy, and a copy of the struct would be a reference count for each service.
pub fn services() -> Result<Arc<Services>, AppError> {
    use_context::<Arc<Services>>()
        .ok_or_else(|| AppError::Internal("services not configured".into()))
}
