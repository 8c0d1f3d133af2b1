//! `/account`: the signed-in user's own account: change the password. A one-time password (the
//! first admin's generated one, or one an operator reset) brings every page here until it is
//! changed.

use crate::domain::user::Secret;
use crate::error::AppError;
use crate::session::SessionResource;
use crate::widgets::secret_input::SecretInput;
use leptos::form::ActionForm;
use leptos::prelude::*;

pub const ACCOUNT_PAGE: &str = "/account";

/// Why a user who signs in through the identity provider has no password here.
pub const FEDERATED_PASSWORD: &str =
    "You sign in through the identity provider: your password is kept there, not in this console.";

/// Changes the signed-in user's password after checking the current one (throttled like a
/// sign-in). The user's other sessions end; this one goes on.
#[server(endpoint = "account/password")]
pub async fn change_password(
    current: Secret,
    password: Secret,
    confirm: Secret,
) -> Result<(), AppError> {
    use crate::domain::user::validate_new_password;
    use crate::ssr::{audit_user, guard, services};
    guard::respond(async move {
        // Not require_user: a user with a one-time password may do exactly this.
        let user = guard::current_user()
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if user.is_federated() {
            return Err(AppError::Conflict(FEDERATED_PASSWORD.into()));
        }
        validate_new_password(&password).map_err(|m| AppError::invalid("New password", m))?;
        if password != confirm {
            return Err(AppError::invalid(
                "Repeat the new password",
                "does not match the new password",
            ));
        }
        if password == current {
            return Err(AppError::invalid(
                "New password",
                "must differ from the current one",
            ));
        }
        let users = services()?.users.clone();
        let client = guard::client_address().await;
        users
            .authenticate(&user.username, &current, &client)
            .await
            .map_err(|e| match e {
                AppError::BadCredentials => {
                    AppError::invalid("Current password", "is not your current password")
                }
                other => other,
            })?;
        users.set_password(&user.username, &password, false).await?;
        guard::renew_session(&user.username).await?;
        audit_user(
            &user.username,
            "password changed",
            &user.username,
            "by the user; their other sessions ended",
        )
        .await?;
        tracing::info!(user = %user.username, "password changed");
        if user.must_change_password {
            guard::redirect("/");
        }
        Ok(())
    })
    .await
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let session = expect_context::<SessionResource>();
    let outcome = move || {
        change.value().get().map(|r| match r {
            Ok(()) => view! {
                <p class="ok" role="status" data-testid="account-outcome">
                    "Your password is changed. Your other sessions have ended."
                </p>
            }
            .into_any(),
            Err(e) => view! { <p class="error" role="alert" data-testid="account-outcome">{e.to_string()}</p> }
                .into_any(),
        })
    };
    view! {
        <h1>"Your account"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                session.await.ok().and_then(|s| s.user).map(|u| {
                    let federated = u.is_federated();
                    view! {
                        <p>"Signed in as " <strong>{u.username.clone()}</strong> " (" {u.role.as_str()} ")."</p>
                        {u.must_change_password.then(|| view! {
                            <p class="banner warning" role="alert" data-testid="must-change">
                                "Your password was for one use only (generated at the first start, or reset by an operator). Choose your own before you go on."
                            </p>
                        })}
                        {if federated {
                            view! { <p class="note" data-testid="federated-note">{FEDERATED_PASSWORD}</p> }.into_any()
                        } else {
                            view! { <PasswordForm change outcome /> }.into_any()
                        }}
                    }
                })
            })}
        </Transition>
    }
}

#[component]
fn PasswordForm(
    change: ServerAction<ChangePassword>,
    outcome: impl Fn() -> Option<AnyView> + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Change your password"</h2>
            <ActionForm action=change>
                <label for="current-password">"Current password"</label>
                <SecretInput id="current-password" name="current" autocomplete="current-password" show="Show" hide="Hide" required=true />
                <label for="account-new-password">"New password (12 to 256 characters)"</label>
                <SecretInput id="account-new-password" name="password" autocomplete="new-password" show="Show" hide="Hide" required=true />
                <label for="account-confirm">"Repeat the new password"</label>
                <SecretInput id="account-confirm" name="confirm" autocomplete="new-password" show="Show" hide="Hide" required=true />
                <button type="submit">"Change password"</button>
            </ActionForm>
            {outcome}
        </section>
    }
}
