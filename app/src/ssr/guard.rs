//! Who is asking: the session, the signed-in user and the role checks every server function uses.

use super::services;
use crate::domain::user::UserInfo;
use crate::error::AppError;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::future::Future;
use tower_sessions::Session;

/// The session key holding the signed-in user name (never a password or any other secret).
pub const SESSION_USER_KEY: &str = "user";

pub fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "internal error");
    AppError::Internal("internal error".into())
}

/// Runs a server function's body and gives its error the right HTTP status for JSON clients.
/// Plain HTML form posts keep the 302 back to the form, which shows the message.
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        let parts = use_context::<http::request::Parts>();
        let wants_html = parts
            .as_ref()
            .and_then(|p| p.headers.get(http::header::ACCEPT))
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if let (false, Some(opts)) = (wants_html, use_context::<ResponseOptions>()) {
            opts.set_status(e.status());
            if let AppError::Throttled { retry_after_secs } = e {
                opts.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(*retry_after_secs),
                );
            }
        }
    }
    result
}

/// Sends the browser to `path` after this server function; a path that is not a safe local one
/// (it may hold an ID from KMS or a value from the request) sends it to the list page instead.
pub fn redirect(path: &str) {
    leptos_axum::redirect(crate::domain::navigation::safe_path(path).unwrap_or("/"));
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(internal)
}

pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    let session = session().await?;
    let name: Option<String> = session.get(SESSION_USER_KEY).await.map_err(internal)?;
    match name {
        Some(name) => services()?.users.find(&name).await,
        None => Ok(None),
    }
}

pub async fn require_user() -> Result<UserInfo, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

pub async fn require_operator() -> Result<UserInfo, AppError> {
    let user = require_user().await?;
    if user.role.can_change() {
        Ok(user)
    } else {
        Err(AppError::Forbidden {
            role: user.role.to_string(),
        })
    }
}

/// A new session id on sign-in, so a session fixed before sign-in is worthless.
pub async fn start_session(user: &UserInfo) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(SESSION_USER_KEY, &user.username)
        .await
        .map_err(internal)
}

pub async fn end_session() -> Result<(), AppError> {
    session().await?.flush().await.map_err(internal)
}

/// The peer address of the request, for the sign-in throttle.
pub async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".to_string(),
    }
}
