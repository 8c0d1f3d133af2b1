//! The simulated service: state per account and region, the simulated world, persistence,
//! and the asynchronous CONNECTING / DISCONNECTING transitions.

use crate::config::SimConfig;
use crate::error::{ErrorKind, KmsError};
use crate::model::{Backing, ConnectionErrorCode, ConnectionState, KeyStore, World, XksCredential};
use crate::persist::Db;
use crate::probe::{ProbeOutcome, ProbeReason};
pub use crate::state::{not_found, Caller, State};

use std::sync::Arc;
use tokio::sync::Mutex;

/// A GetHealthStatus call to an XKS proxy.
#[derive(Debug, Clone)]
pub struct ProbeTarget {
    pub uri_endpoint: String,
    pub uri_path: String,
    pub credential: XksCredential,
    pub region: String,
    pub reason: ProbeReason,
}

#[async_trait::async_trait]
pub trait Prober: Send + Sync + 'static {
    async fn probe(&self, target: &ProbeTarget) -> ProbeOutcome;
}

/// The current world, readable without waiting: the TLS certificate resolver and the simulated
/// network consult it on every connection.
pub type WorldView = Arc<std::sync::RwLock<World>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Connect,
    Disconnect,
}

pub struct Sim {
    pub config: SimConfig,
    /// KMS's request quotas, per account, Region and operation.
    pub quotas: crate::quota::RequestQuotas,
    state: Mutex<State>,
    db: Option<Db>,
    prober: Arc<dyn Prober>,
    world: WorldView,
}

impl Sim {
    /// Starts from the saved state (or `initial` when there is none) and finishes any
    /// transition that was under way when the previous process stopped.
    pub async fn open(
        config: SimConfig,
        db: Option<Db>,
        initial: State,
        prober: Arc<dyn Prober>,
        world: WorldView,
    ) -> Result<Arc<Sim>, KmsError> {
        let loaded = match &db {
            Some(db) => db.load().await.map_err(internal)?,
            None => None,
        };
        let fresh = loaded.is_none();
        let state = loaded.unwrap_or(initial);
        publish(&world, &state.world);
        let sim = Arc::new(Sim {
            quotas: crate::quota::RequestQuotas::new(config.request_quota),
            config,
            state: Mutex::new(state.clone()),
            db,
            prober,
            world,
        });
        if fresh {
            sim.save(&state).await?;
        }
        for store in &state.stores {
            let key = (
                Caller {
                    account: store.account.clone(),
                    region: store.region.clone(),
                },
                store.id.clone(),
            );
            match store.state {
                ConnectionState::Connecting => {
                    sim.schedule(Transition::Connect, key.0, key.1, store.generation, true)
                }
                ConnectionState::Disconnecting => {
                    sim.schedule(Transition::Disconnect, key.0, key.1, store.generation, true)
                }
                _ => {}
            }
        }
        Ok(sim)
    }

    async fn save(&self, state: &State) -> Result<(), KmsError> {
        match &self.db {
            Some(db) => db.save(state).await.map_err(internal),
            None => Ok(()),
        }
    }

    /// A copy of the whole state, for reads that must wait on something else (a probe).
    pub async fn snapshot(&self) -> State {
        self.state.lock().await.clone()
    }

    /// Reads the current state under the lock, without copying it: for reads that answer at once.
    pub async fn read<T>(&self, look: impl FnOnce(&State) -> T) -> T {
        look(&*self.state.lock().await)
    }

    /// Applies a change to a copy, persists it, then makes it current: a failed write changes nothing.
    pub async fn mutate<T>(
        &self,
        change: impl FnOnce(&mut State) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let mut guard = self.state.lock().await;
        let mut next = guard.clone();
        let out = change(&mut next)?;
        if next != *guard {
            self.save(&next).await?;
            if next.world != guard.world {
                publish(&self.world, &next.world);
            }
            *guard = next;
        }
        Ok(out)
    }

    /// The current world, without waiting for the state lock.
    pub fn world(&self) -> World {
        self.world.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub async fn probe(&self, target: ProbeTarget) -> ProbeOutcome {
        self.prober.probe(&target).await
    }

    /// Create and Update call GetHealthStatus with the new values first; a failure is the
    /// exception the spec's table gives for it. CloudHSM backings need no probe.
    pub async fn require_healthy_proxy(
        &self,
        caller: &Caller,
        backing: &Backing,
        reason: ProbeReason,
    ) -> Result<(), KmsError> {
        let Backing::External {
            uri_endpoint,
            uri_path,
            credential,
            ..
        } = backing
        else {
            return Ok(());
        };
        let outcome = self
            .probe(ProbeTarget {
                uri_endpoint: uri_endpoint.clone(),
                uri_path: uri_path.clone(),
                credential: credential.clone(),
                region: caller.region.clone(),
                reason,
            })
            .await;
        match outcome.exception() {
            None => Ok(()),
            Some(kind) => Err(KmsError::new(
                kind,
                format!(
                    "GetHealthStatus at {uri_endpoint}{uri_path}: {}.",
                    outcome.describe()
                ),
            )),
        }
    }

    /// After the transition's duration, finishes it: CONNECTING becomes CONNECTED or FAILED,
    /// DISCONNECTING becomes DISCONNECTED. A transition resumed after a restart finishes at once.
    pub fn schedule(
        self: &Arc<Self>,
        transition: Transition,
        caller: Caller,
        id: String,
        generation: u64,
        resumed: bool,
    ) {
        let sim = Arc::clone(self);
        let delay = match (resumed, transition) {
            (true, _) => std::time::Duration::ZERO,
            (false, Transition::Connect) => self.config.connect_duration,
            (false, Transition::Disconnect) => self.config.disconnect_duration,
        };
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let result = match transition {
                Transition::Connect => sim.finish_connect(&caller, &id, generation).await,
                Transition::Disconnect => sim.finish_disconnect(&caller, &id, generation).await,
            };
            if let Err(e) = result {
                tracing::error!(store = %id, ?transition, error = %e.message, "transition did not finish");
            }
        });
    }

    async fn finish_disconnect(
        &self,
        caller: &Caller,
        id: &str,
        generation: u64,
    ) -> Result<(), KmsError> {
        self.mutate(|st| {
            let store = st.find_mut(caller, id)?;
            if store.generation == generation && store.state == ConnectionState::Disconnecting {
                store.state = ConnectionState::Disconnected;
                store.error_code = None;
            }
            Ok(())
        })
        .await
    }

    async fn finish_connect(
        &self,
        caller: &Caller,
        id: &str,
        generation: u64,
    ) -> Result<(), KmsError> {
        let (store, world) = {
            let st = self.state.lock().await;
            (st.find(caller, id)?.clone(), st.world.clone())
        };
        if store.generation != generation || store.state != ConnectionState::Connecting {
            return Ok(());
        }
        let outcome = match &store.backing {
            Backing::CloudHsm {
                cluster_id,
                key_store_password,
                ..
            } => cloudhsm_connect_outcome(&world, caller, cluster_id, key_store_password),
            Backing::External { .. } => self.xks_connect_outcome(&world, &store).await,
        };
        self.mutate(|st| {
            let s = st.find_mut(caller, id)?;
            if s.generation == generation && s.state == ConnectionState::Connecting {
                match outcome {
                    None => {
                        s.state = ConnectionState::Connected;
                        s.error_code = None;
                    }
                    Some(code) => {
                        s.state = ConnectionState::Failed;
                        s.error_code = Some(code);
                    }
                }
            }
            Ok(())
        })
        .await
    }

    async fn xks_connect_outcome(
        &self,
        world: &World,
        store: &KeyStore,
    ) -> Option<ConnectionErrorCode> {
        let Backing::External {
            uri_endpoint,
            uri_path,
            vpc_endpoint_service_name,
            credential,
            ..
        } = &store.backing
        else {
            return None;
        };
        if let Some(name) = vpc_endpoint_service_name {
            match world.vpc_service(&store.region, name) {
                None => return Some(ConnectionErrorCode::XksVpcEndpointServiceNotFound),
                Some(s) if s.configuration_problem().is_some() => {
                    return Some(ConnectionErrorCode::XksVpcEndpointServiceInvalidConfiguration)
                }
                Some(_) => {}
            }
        }
        let outcome = self
            .probe(ProbeTarget {
                uri_endpoint: uri_endpoint.clone(),
                uri_path: uri_path.clone(),
                credential: credential.clone(),
                region: store.region.clone(),
                reason: ProbeReason::Connect,
            })
            .await;
        if !outcome.is_healthy() {
            tracing::info!(store = %store.id, outcome = %outcome.describe(), "connect probe failed");
        }
        outcome.connection_error()
    }
}

fn publish(view: &WorldView, world: &World) {
    let mut w = view.write().unwrap_or_else(|p| p.into_inner());
    *w = world.clone();
}

/// What connecting a CloudHSM key store runs into, in the order KMS would meet it (reference §2).
pub fn cloudhsm_connect_outcome(
    world: &World,
    caller: &Caller,
    cluster_id: &str,
    password: &str,
) -> Option<ConnectionErrorCode> {
    use ConnectionErrorCode as C;
    let Some(cluster) = world.cluster(&caller.account, &caller.region, cluster_id) else {
        return Some(C::ClusterNotFound);
    };
    if cluster.network_errors {
        return Some(C::NetworkErrors);
    }
    if cluster.internal_error {
        return Some(C::InternalError);
    }
    if cluster.subnet_missing {
        return Some(C::SubnetNotFound);
    }
    if cluster.subnet_full {
        return Some(C::InsufficientFreeAddressesInSubnet);
    }
    if cluster.active_hsms().count() == 0 {
        return Some(C::InsufficientCloudhsmHsms);
    }
    match &cluster.kmsuser {
        None => Some(C::UserNotFound),
        Some(u) if u.locked_out => Some(C::UserLockedOut),
        Some(u) if u.logged_in => Some(C::UserLoggedIn),
        Some(u) if u.password != password => Some(C::InvalidCredentials),
        Some(_) => None,
    }
}

pub fn internal(e: impl std::fmt::Display) -> KmsError {
    tracing::error!(error = %e, "internal error");
    KmsError::new(ErrorKind::KmsInternal, "The request was rejected because an internal exception occurred. The request can be retried.")
}

pub fn invalid_state(message: impl Into<String>) -> KmsError {
    KmsError::new(ErrorKind::CustomKeyStoreInvalidState, message)
}

pub fn new_store_id() -> String {
    use rand::Rng;
    let n: u128 = rand::thread_rng().gen();
    format!("cks-{}", &format!("{n:032x}")[..17])
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
