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
/// The user's session epoch when the session began; a session of an older epoch is over.
pub const SESSION_EPOCH_KEY: &str = "epoch";
/// When a session must end whatever the activity, in epoch milliseconds (federated users' sessions
/// last at most `--oidc-session-hours`); absent for local users.
pub const SESSION_UNTIL_KEY: &str = "until_ms";

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
    // The session layer leaves it in the request's extensions, which leptos_axum provides with
    // the request's parts: read it there, without the copy of the parts that `extract` makes.
    leptos::prelude::with_context::<http::request::Parts, _>(|parts| {
        parts.extensions.get::<Session>().cloned()
    })
    .flatten()
    .ok_or_else(|| internal("the request has no session (is the session layer missing?)"))
}

/// The user a session belongs to, if it still does: the user exists and neither their password
/// nor their role changed since the session began. A session that is over is cleared.
pub async fn session_user(
    session: &Session,
    users: &dyn crate::ssr::UserDirectory,
) -> Result<Option<UserInfo>, AppError> {
    let name: Option<String> = session.get(SESSION_USER_KEY).await.map_err(internal)?;
    let Some(name) = name else {
        return Ok(None);
    };
    let epoch: i64 = session
        .get(SESSION_EPOCH_KEY)
        .await
        .map_err(internal)?
        .unwrap_or(0);
    let until: Option<i64> = session.get(SESSION_UNTIL_KEY).await.map_err(internal)?;
    let in_time = until.is_none_or(|until| crate::domain::change::run::now_ms() < until);
    match users.find(&name).await? {
        Some(user) if user.session_epoch == epoch && in_time => Ok(Some(user)),
        _ => {
            session.flush().await.map_err(internal)?;
            Ok(None)
        }
    }
}

pub async fn current_user() -> Result<Option<UserInfo>, AppError> {
    session_user(&session().await?, services()?.users.as_ref()).await
}

/// A signed-in user who may use the console: one whose password is a one-time password (made at
/// first start, or reset by an operator) must change it first.
pub async fn require_user() -> Result<UserInfo, AppError> {
    let user = current_user().await?.ok_or(AppError::Unauthenticated)?;
    if user.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(user)
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
    begin_session(&session().await?, user, None).await
}

/// Signs `user` in on `session` with a new session id; a session with `until_ms` ends then, and
/// its cookie expires then too.
pub async fn begin_session(
    session: &Session,
    user: &UserInfo,
    until_ms: Option<i64>,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(SESSION_USER_KEY, &user.username)
        .await
        .map_err(internal)?;
    session
        .insert(SESSION_EPOCH_KEY, user.session_epoch)
        .await
        .map_err(internal)?;
    if let Some(until) = until_ms {
        session
            .insert(SESSION_UNTIL_KEY, until)
            .await
            .map_err(internal)?;
        let at = tower_sessions::cookie::time::OffsetDateTime::from_unix_timestamp(until / 1000)
            .map_err(internal)?;
        session.set_expiry(Some(tower_sessions::Expiry::AtDateTime(at)));
    }
    Ok(())
}

/// This session goes on after a change to its own user's password or role, which ended the
/// user's other sessions: it starts again (a new id) with the user's new session epoch.
pub async fn renew_session(username: &str) -> Result<(), AppError> {
    match services()?.users.find(username).await? {
        Some(user) => start_session(&user).await,
        None => Err(AppError::Unauthenticated),
    }
}

pub async fn end_session() -> Result<(), AppError> {
    session().await?.flush().await.map_err(internal)
}

/// Where a request came from: the peer, or behind a trusted reverse proxy the address it
/// forwarded (the server's middleware decides and puts it in the request's extensions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

impl ClientAddress {
    /// The address as what counts by address keys it: "unknown" when the request came through
    /// no listener, as in tests that drive the router directly.
    pub fn key(found: Option<ClientAddress>) -> String {
        found.map_or_else(|| "unknown".to_string(), |c| c.0.to_string())
    }
}

/// The request's client address, for the sign-in throttle.
pub async fn client_address() -> String {
    let found = leptos_axum::extract::<axum::Extension<ClientAddress>>().await;
    ClientAddress::key(found.ok().map(|axum::Extension(c)| c))
}
