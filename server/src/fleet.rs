//! The fleet: one aws-sdk-kms client per (account, region) target, queried concurrently with a
//! bound, each paged through DescribeCustomKeyStores to the end.

use app::domain::change::create::CreateRequest;
use app::domain::change::Change;
use app::domain::fleet::Fleet;
use app::domain::kms::{
    ConnectionErrorCode, ConnectionState, CustomKeyStoreType, XksProxyConnectivity,
};
use app::domain::store::{StoreDetail, StoreRow, TargetFailure, TargetRef};
use app::error::AppError;
use app::ssr::KeyStores;
use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use futures::future::{BoxFuture, FutureExt, Shared};
use futures::stream::{self, StreamExt};
use std::sync::Mutex;
use std::time::Duration;

/// Targets queried at once; the rest wait their turn. Each target is its own account and region,
/// with its own KMS request quota, so the bound only keeps a very large fleet from opening
/// hundreds of connections at once: 40 targets go out together.
pub const CONCURRENCY: usize = 64;
/// A target that takes longer is reported as failed, and the page shows the others.
pub const TARGET_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Target {
    pub reference: TargetRef,
    pub client: aws_sdk_kms::Client,
}

pub struct KmsFleet {
    targets: Vec<Target>,
    /// Stores asked for per DescribeCustomKeyStores call (the model allows 1 to 1000).
    page_size: i32,
    /// Per target, the listing under way, if any.
    listings: Vec<Mutex<Option<Listing>>>,
}

/// One target's listing, awaited by every page that asked for it while it ran.
type Listing = Shared<BoxFuture<'static, Result<Vec<StoreDetail>, String>>>;

impl KmsFleet {
    pub fn new(targets: Vec<Target>, page_size: i32) -> KmsFleet {
        KmsFleet {
            listings: targets.iter().map(|_| Mutex::new(None)).collect(),
            targets,
            page_size,
        }
    }

    /// The listing of target `i`: the one under way if a page already asked for it, else a new
    /// one. A finished listing is never reused, so no page shows a result older than itself by
    /// more than one round trip, and there is nothing to invalidate after a change.
    fn listing(&self, i: usize) -> Listing {
        let mut slot = self.listings[i].lock().unwrap_or_else(|p| p.into_inner());
        if let Some(running) = slot.as_ref().filter(|l| l.peek().is_none()) {
            return running.clone();
        }
        let target = self.targets[i].clone();
        let page_size = self.page_size;
        let listing = async move {
            match tokio::time::timeout(TARGET_TIMEOUT, list_target(&target, page_size)).await {
                Ok(r) => r,
                Err(_) => Err(format!(
                    "KMS did not answer within {} s.",
                    TARGET_TIMEOUT.as_secs()
                )),
            }
        }
        .boxed()
        .shared();
        *slot = Some(listing.clone());
        listing
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Every store of target `i` as Describe tells it, within the target timeout: one read for
    /// everyone who asks while it runs.
    pub async fn read(&self, i: usize) -> Result<Vec<StoreDetail>, String> {
        self.listing(i).await
    }
}

/// No KMS call may hang a page: connecting, each attempt and the whole call are bounded.
pub fn kms_timeouts() -> aws_sdk_kms::config::timeout::TimeoutConfig {
    aws_sdk_kms::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(25))
        .build()
}

/// KMS allows 5 requests per second per operation, account and Region, shared with every other
/// tool in the account. The SDK's adaptive retries back off on ThrottlingException and then pace
/// the client itself, so a throttled call waits and succeeds within the timeouts above instead of
/// failing a page or a run.
pub fn kms_retries() -> aws_sdk_kms::config::retry::RetryConfig {
    aws_sdk_kms::config::retry::RetryConfig::adaptive()
        .with_max_attempts(6)
        .with_initial_backoff(Duration::from_millis(250))
}

/// The page size the console uses.
pub const PAGE_SIZE: i32 = 100;

#[async_trait::async_trait]
impl KeyStores for KmsFleet {
    async fn fleet(&self) -> Fleet {
        let results: Vec<(TargetRef, Result<Vec<StoreDetail>, String>)> =
            stream::iter(0..self.targets.len())
                .map(|i| {
                    let listing = self.listing(i);
                    let target = self.targets[i].reference.clone();
                    async move { (target, listing.await) }
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
        let mut fleet = Fleet {
            targets: self.targets.iter().map(|t| t.reference.clone()).collect(),
            ..Fleet::default()
        };
        for (target, result) in results {
            match result {
                Ok(details) => fleet.stores.extend(details.into_iter().map(|d| d.row)),
                Err(message) => {
                    tracing::warn!(account = %target.account, region = %target.region, %message, "target not listed");
                    fleet.failures.push(TargetFailure { target, message });
                }
            }
        }
        fleet.failures.sort_by(|a, b| {
            (&a.target.account, &a.target.region).cmp(&(&b.target.account, &b.target.region))
        });
        fleet
    }

    async fn describe(&self, target: &TargetRef, id: &str) -> Result<StoreDetail, AppError> {
        let out = self
            .client(target)?
            .describe_custom_key_stores()
            .custom_key_store_id(id)
            .send()
            .await
            .map_err(kms_failure)?;
        let s = out
            .custom_key_stores()
            .first()
            .ok_or_else(|| AppError::NotFound(format!("There is no key store {id}.")))?;
        Ok(detail(target, s))
    }

    async fn connect(&self, target: &TargetRef, id: &str) -> Result<(), AppError> {
        self.client(target)?
            .connect_custom_key_store()
            .custom_key_store_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(kms_failure)
    }

    async fn create(&self, target: &TargetRef, r: &CreateRequest) -> Result<String, AppError> {
        let mut req = self
            .client(target)?
            .create_custom_key_store()
            .custom_key_store_name(&r.name)
            .custom_key_store_type(r.kind.store_type().as_str().into())
            .set_cloud_hsm_cluster_id(r.cluster_id.clone())
            .set_trust_anchor_certificate(r.trust_anchor_certificate.clone())
            .set_key_store_password(r.password.as_ref().map(|p| p.expose().to_string()))
            .set_xks_proxy_connectivity(r.connectivity.as_ref().map(|c| c.as_str().into()))
            .set_xks_proxy_uri_endpoint(r.endpoint.clone())
            .set_xks_proxy_uri_path(r.path.clone())
            .set_xks_proxy_vpc_endpoint_service_name(r.vpc_name.clone())
            .set_xks_proxy_vpc_endpoint_service_owner(r.vpc_owner.clone());
        if let Some((akid, secret)) = &r.credential {
            req = req.xks_proxy_authentication_credential(credential(akid, secret)?);
        }
        let out = req.send().await.map_err(kms_failure)?;
        Ok(out.custom_key_store_id().unwrap_or_default().to_string())
    }

    async fn delete(&self, target: &TargetRef, id: &str) -> Result<(), AppError> {
        self.client(target)?
            .delete_custom_key_store()
            .custom_key_store_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(kms_failure)
    }

    async fn update(&self, target: &TargetRef, id: &str, change: &Change) -> Result<(), AppError> {
        self.send_update(target, id, change).await
    }

    async fn disconnect(&self, target: &TargetRef, id: &str) -> Result<(), AppError> {
        self.client(target)?
            .disconnect_custom_key_store()
            .custom_key_store_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(kms_failure)
    }
}

impl KmsFleet {
    /// UpdateCustomKeyStore with only the members that change (reference §1.4).
    async fn send_update(
        &self,
        target: &TargetRef,
        id: &str,
        change: &Change,
    ) -> Result<(), AppError> {
        let mut req = self
            .client(target)?
            .update_custom_key_store()
            .custom_key_store_id(id)
            .set_new_custom_key_store_name(change.name.clone())
            .set_key_store_password(change.password.as_ref().map(|p| p.expose().to_string()))
            .set_cloud_hsm_cluster_id(change.cluster_id.clone())
            .set_xks_proxy_uri_endpoint(change.endpoint.clone())
            .set_xks_proxy_uri_path(change.path.clone())
            .set_xks_proxy_vpc_endpoint_service_name(change.vpc_name.clone())
            .set_xks_proxy_vpc_endpoint_service_owner(change.vpc_owner.clone())
            .set_xks_proxy_connectivity(change.connectivity.as_ref().map(|c| c.as_str().into()));
        if let Some((akid, secret)) = &change.credential {
            req = req.xks_proxy_authentication_credential(credential(akid, secret)?);
        }
        req.send().await.map(|_| ()).map_err(kms_failure)
    }

    fn client(&self, target: &TargetRef) -> Result<&aws_sdk_kms::Client, AppError> {
        self.targets
            .iter()
            .find(|t| &t.reference == target)
            .map(|t| &t.client)
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "The console manages no account {} in {}.",
                    target.account, target.region
                ))
            })
    }
}

/// XksProxyAuthenticationCredentialType: both parts, always together.
fn credential(
    akid: &str,
    secret: &app::domain::user::Secret,
) -> Result<aws_sdk_kms::types::XksProxyAuthenticationCredentialType, AppError> {
    aws_sdk_kms::types::XksProxyAuthenticationCredentialType::builder()
        .access_key_id(akid)
        .raw_secret_access_key(secret.expose())
        .build()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A failed KMS call as the operator reads it: the catalogue's meaning and next step.
fn kms_failure<E: ProvideErrorMetadata + std::error::Error + 'static>(
    err: SdkError<E>,
) -> AppError {
    let not_found =
        err.as_service_error().and_then(|e| e.code()) == Some("CustomKeyStoreNotFoundException");
    let message = readable(&err);
    if not_found {
        AppError::NotFound(message)
    } else {
        AppError::Kms(message)
    }
}

async fn list_target(target: &Target, page_size: i32) -> Result<Vec<StoreDetail>, String> {
    let mut rows = Vec::new();
    let mut pages = target
        .client
        .describe_custom_key_stores()
        .limit(page_size)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| readable(&e))?;
        rows.extend(
            page.custom_key_stores()
                .iter()
                .map(|s| detail(&target.reference, s)),
        );
    }
    Ok(rows)
}

fn detail(target: &TargetRef, s: &aws_sdk_kms::types::CustomKeyStoresListEntry) -> StoreDetail {
    let xks = s.xks_proxy_configuration();
    StoreDetail {
        row: row(target, s),
        trust_anchor_certificate: s.trust_anchor_certificate().map(str::to_string),
        xks_access_key_id: xks.and_then(|x| x.access_key_id()).map(str::to_string),
        xks_vpc_endpoint_service_name: xks
            .and_then(|x| x.vpc_endpoint_service_name())
            .map(str::to_string),
        xks_vpc_endpoint_service_owner: xks
            .and_then(|x| x.vpc_endpoint_service_owner())
            .map(str::to_string),
    }
}

/// What a row shows for a type or state that KMS left out of its answer.
const NOT_REPORTED: &str = "NOT_REPORTED";

/// The one place aws-sdk-kms's types become the console's: every wire value is kept, a new one
/// as `Unknown`.
fn row(target: &TargetRef, s: &aws_sdk_kms::types::CustomKeyStoresListEntry) -> StoreRow {
    let xks = s.xks_proxy_configuration();
    StoreRow {
        account: target.account.clone(),
        region: target.region.clone(),
        id: s.custom_key_store_id().unwrap_or_default().to_string(),
        name: s.custom_key_store_name().unwrap_or_default().to_string(),
        store_type: CustomKeyStoreType::parse(
            s.custom_key_store_type()
                .map_or(NOT_REPORTED, |t| t.as_str()),
        ),
        state: ConnectionState::parse(s.connection_state().map_or(NOT_REPORTED, |c| c.as_str())),
        error_code: s
            .connection_error_code()
            .map(|c| ConnectionErrorCode::parse(c.as_str())),
        cloud_hsm_cluster_id: s.cloud_hsm_cluster_id().map(str::to_string),
        xks_endpoint: xks.and_then(|x| x.uri_endpoint()).map(str::to_string),
        xks_path: xks.and_then(|x| x.uri_path()).map(str::to_string),
        xks_connectivity: xks
            .and_then(|x| x.connectivity())
            .map(|c| XksProxyConnectivity::parse(c.as_str())),
        created: s.creation_date().map(|d| d.secs()).unwrap_or_default(),
    }
}

/// A KMS failure as a sentence: the service's own code and message, or what kept the call from KMS.
pub fn readable<E: ProvideErrorMetadata + std::error::Error + 'static>(
    err: &SdkError<E>,
) -> String {
    match err {
        SdkError::ServiceError(e) => {
            let inner = e.err();
            let code = inner.code().unwrap_or("an error");
            let detail = inner.message().filter(|m| !m.is_empty()).map(|m| format!(" ({m})")).unwrap_or_default();
            match app::domain::kms_errors::kms_error(code) {
                Some(info) => format!("{} Next: {}{detail}", info.meaning, info.next_step),
                None => format!("KMS answered {code}{detail}."),
            }
        }
        SdkError::TimeoutError(_) => "KMS did not answer in time.".to_string(),
        SdkError::DispatchFailure(e) => format!(
            "KMS could not be reached{}.",
            if e.is_io() { " (connection failed)" } else if e.is_timeout() { " (timed out)" } else { "" }
        ),
        SdkError::ConstructionFailure(_) => {
            "The request to KMS could not be built; check the credentials and region of this target.".to_string()
        }
        _ => format!("The call to KMS failed: {}", aws_sdk_kms::error::DisplayErrorContext(err)),
    }
}
