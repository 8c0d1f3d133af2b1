//! What the server functions need from the server, as traits the `server` crate implements.

use crate::error::AppError;
use crate::model::{BackendInfo, Role, Secret, UserInfo};
use crate::stores::{Fleet, StoreDetail, TargetRef};
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
}

/// The custom key stores of every configured target.
#[async_trait::async_trait]
pub trait KeyStores: Send + Sync + 'static {
    /// All stores of all targets; a target that fails is reported beside the others' results.
    async fn fleet(&self) -> Fleet;
    async fn describe(&self, target: &TargetRef, id: &str) -> Result<StoreDetail, AppError>;
    async fn connect(&self, target: &TargetRef, id: &str) -> Result<(), AppError>;
    async fn disconnect(&self, target: &TargetRef, id: &str) -> Result<(), AppError>;
}

/// Everything the server functions reach the outside world through; provided as Leptos context.
#[derive(Clone)]
pub struct Services {
    pub users: Arc<dyn UserDirectory>,
    pub stores: Arc<dyn KeyStores>,
    pub backend: BackendInfo,
}

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| AppError::Internal("services not configured".into()))
}
