//! DisconnectCustomKeyStore (reference §1.5): DISCONNECTING, then DISCONNECTED.

use super::check_store_id;
use crate::error::KmsError;
use crate::model::ConnectionState;
use crate::service::{invalid_state, Caller, Sim, Transition};
use crate::shapes::{Empty, StoreIdRequest};
use crate::validate::Violations;
use std::sync::Arc;

pub async fn run(sim: &Arc<Sim>, caller: &Caller, req: StoreIdRequest) -> Result<Empty, KmsError> {
    let mut v = Violations::default();
    check_store_id(&mut v, req.custom_key_store_id.as_deref());
    v.into_result()?;
    let id = req.custom_key_store_id.unwrap_or_default();
    let generation = sim
        .mutate(|st| {
            let store = st.find_mut(caller, &id)?;
            match store.state {
                ConnectionState::Disconnecting | ConnectionState::Disconnected => {
                    Err(invalid_state(format!(
                        "Custom key store {id} is {} already.",
                        store.state.as_str()
                    )))
                }
                // Disconnecting a CONNECTING, CONNECTED or FAILED store is allowed.
                _ => {
                    store.state = ConnectionState::Disconnecting;
                    store.generation += 1;
                    Ok(store.generation)
                }
            }
        })
        .await?;
    sim.schedule(
        Transition::Disconnect,
        caller.clone(),
        id,
        generation,
        false,
    );
    Ok(Empty {})
}
