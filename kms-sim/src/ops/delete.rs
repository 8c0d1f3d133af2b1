//! DeleteCustomKeyStore (reference §1.5): only DISCONNECTED stores without KMS keys.

use super::check_store_id;
use crate::error::{ErrorKind, KmsError};
use crate::model::ConnectionState;
use crate::service::{invalid_state, Caller, Sim};
use crate::shapes::{Empty, StoreIdRequest};
use crate::validate::Violations;

pub async fn run(sim: &Sim, caller: &Caller, req: StoreIdRequest) -> Result<Empty, KmsError> {
    let mut v = Violations::default();
    check_store_id(&mut v, req.custom_key_store_id.as_deref());
    v.into_result()?;
    let id = req.custom_key_store_id.unwrap_or_default();
    sim.mutate(|st| {
        let store = st.find(caller, &id)?;
        if store.state != ConnectionState::Disconnected {
            return Err(invalid_state(format!(
                "Custom key store {id} is {}. Disconnect it before deleting it.",
                store.state.as_str()
            )));
        }
        if store.key_count > 0 {
            return Err(KmsError::new(
                ErrorKind::CustomKeyStoreHasCmks,
                format!("Custom key store {id} still has {} KMS keys. Schedule them for deletion first.", store.key_count),
            ));
        }
        st.stores.retain(|s| s.id != id);
        Ok(Empty {})
    })
    .await
}
