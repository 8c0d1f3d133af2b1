//! The visitor's session as every page sees it: who is signed in and which backend the console
//! manages, refetched on each navigation, and sign-out. The shell and the pages share it.

use crate::domain::user::SessionInfo;
use crate::error::AppError;
use leptos::prelude::*;

/// The session as every page sees it; refetched on each navigation so sign-in and sign-out show at once.
pub type SessionResource = Resource<Result<SessionInfo, AppError>>;

/// Whether the signed-in user may change things, once the session has loaded.
pub async fn can_change(session: SessionResource) -> bool {
    session
        .await
        .ok()
        .and_then(|s| s.user)
        .is_some_and(|u| u.role.can_change())
}

/// The visitor's user (if signed in) and, for a signed-in user only, the backend.
#[server(endpoint = "session")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async {
        let user = guard::current_user().await?;
        let services = services()?;
        let backend = match user {
            Some(_) => Some(crate::domain::user::BackendSummary::clone(
                &services.backend_summary,
            )),
            None => None,
        };
        let sign_in = crate::domain::user::SignInOptions::clone(&services.sign_in);
        Ok(SessionInfo {
            user,
            backend,
            sign_in,
        })
    })
    .await
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::guard;
    guard::respond(async {
        guard::end_session().await?;
        guard::redirect("/login");
        Ok(())
    })
    .await
}
