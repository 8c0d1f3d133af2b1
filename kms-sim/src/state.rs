//! Everything kms-sim remembers, persisted whole after every change, and who is asking.

use crate::error::{ErrorKind, KmsError};
use crate::model::{KeyStore, World};
use serde::{Deserialize, Serialize};

/// Who is calling: the account of the access key and the region of the signature's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    pub region: String,
}

/// Everything kms-sim remembers; persisted whole after every change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub stores: Vec<KeyStore>,
    pub world: World,
    /// Signs pagination markers, so a forged one is recognised.
    pub marker_key: String,
}

impl State {
    pub fn new(world: World) -> Self {
        use rand::RngCore;
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        State {
            stores: Vec::new(),
            world,
            marker_key: hex::encode(key),
        }
    }

    pub fn find(&self, caller: &Caller, id: &str) -> Result<&KeyStore, KmsError> {
        self.stores
            .iter()
            .find(|s| s.id == id && s.account == caller.account && s.region == caller.region)
            .ok_or_else(|| not_found(id))
    }

    pub fn find_mut(&mut self, caller: &Caller, id: &str) -> Result<&mut KeyStore, KmsError> {
        self.stores
            .iter_mut()
            .find(|s| s.id == id && s.account == caller.account && s.region == caller.region)
            .ok_or_else(|| not_found(id))
    }

    /// The stores of one account and region, oldest first.
    pub fn stores_of<'a>(&'a self, caller: &'a Caller) -> impl Iterator<Item = &'a KeyStore> + 'a {
        self.stores
            .iter()
            .filter(move |s| s.account == caller.account && s.region == caller.region)
    }
}

pub fn not_found(id: &str) -> KmsError {
    KmsError::new(
        ErrorKind::CustomKeyStoreNotFound,
        format!("Custom key store {id} does not exist in this account and Region."),
    )
}
