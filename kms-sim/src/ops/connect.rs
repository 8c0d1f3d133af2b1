//! ConnectCustomKeyStore (reference §1.5): returns at once; CONNECTING becomes CONNECTED or FAILED later.

use super::check_store_id;
use crate::error::{ErrorKind, KmsError};
use crate::model::{Backing, ConnectionState};
use crate::service::{invalid_state, Caller, Sim, Transition};
use crate::shapes::{Empty, StoreIdRequest};
use crate::validate::Violations;
use std::sync::Arc;

pub async fn run(sim: &Arc<Sim>, caller: &Caller, req: StoreIdRequest) -> Result<Empty, KmsError> {
    let mut v = Violations::default();
    check_store_id(&mut v, req.custom_key_store_id.as_deref());
    v.into_result()?;
    let id = req.custom_key_store_id.unwrap_or_default();
    let started = sim
        .mutate(|st| {
            let world = st.world.clone();
            let store = st.find_mut(caller, &id)?;
            match store.state {
                // Already there or on the way: nothing to do.
                ConnectionState::Connected | ConnectionState::Connecting => return Ok(None),
                ConnectionState::Disconnecting => {
                    return Err(invalid_state(format!("Custom key store {id} is DISCONNECTING. Wait until it is DISCONNECTED, then connect it.")))
                }
                ConnectionState::Failed => {
                    return Err(invalid_state(format!("Custom key store {id} is FAILED. Disconnect it, fix the cause, then connect it.")))
                }
                ConnectionState::Disconnected => {}
            }
            if let Backing::CloudHsm { cluster_id, .. } = &store.backing {
                if let Some(cluster) = world.cluster(&caller.account, &caller.region, cluster_id) {
                    if !cluster.active {
                        return Err(KmsError::new(ErrorKind::CloudHsmClusterNotActive, format!("AWS CloudHSM cluster {cluster_id} is not active.")));
                    }
                    if cluster.security_group_misconfigured {
                        return Err(KmsError::new(
                            ErrorKind::CloudHsmClusterInvalidConfiguration,
                            format!("The security group of cluster {cluster_id} does not allow ports 2223-2225."),
                        ));
                    }
                }
            }
            store.state = ConnectionState::Connecting;
            store.error_code = None;
            store.generation += 1;
            Ok(Some(store.generation))
        })
        .await?;
    if let Some(generation) = started {
        sim.schedule(Transition::Connect, caller.clone(), id, generation, false);
    }
    Ok(Empty {})
}
