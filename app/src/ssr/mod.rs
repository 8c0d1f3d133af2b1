//! Server-only parts of the app: the ports the server implements, request guards, security headers.

pub mod guard;
pub mod ports;
pub mod rendered;
pub mod security;

pub use ports::{services, DemoControl, KeyStores, ProxyProbe, Services, UserDirectory, Workflows};

/// Records a change to a console account (`username`) made by `actor` in the audit log.
pub async fn audit_user(
    actor: &str,
    action: &str,
    username: &str,
    detail: impl Into<String>,
) -> Result<(), crate::error::AppError> {
    use crate::domain::change::run::AuditEntry;
    services()?
        .workflows
        .record(AuditEntry::about_user(actor, action, username, detail))
        .await
}
