//! `/login`: sign-in with the identity provider (OpenID Connect), a local account, or both, and
//! what went wrong when a sign-in through the provider did not work.

use crate::domain::user::Secret;
use crate::error::AppError;
use crate::widgets::secret_input::SecretInput;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: Secret,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::navigation::safe_next;
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let services = services()?;
        if !services.sign_in.local {
            return Err(AppError::Conflict(
                "Local accounts are turned off on this console: sign in with the identity provider."
                    .into(),
            ));
        }
        let client = guard::client_address().await;
        let user = services
            .users
            .authenticate(username.trim(), &password, &client)
            .await?;
        guard::start_session(&user).await?;
        guard::redirect(safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

#[component]
pub fn LoginPage() -> impl IntoView {
    use crate::domain::user::OidcFailure;
    use crate::session::SessionResource;
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let failure = move || {
        query
            .read()
            .get("oidc_error")
            .map(|code| OidcFailure::parse(&code).unwrap_or(OidcFailure::Failed))
    };
    let signed_out = move || query.read().get("signed_out").is_some();
    let session = expect_context::<SessionResource>();
    view! {
        <section class="login card">
            <h1>"Sign in"</h1>
            {move || signed_out().then(|| view! {
                <p class="ok" role="status">"You are signed out."</p>
            })}
            {move || failure().map(|f| view! {
                <p class="error" role="alert" data-testid="oidc-error" data-code=f.code()>{f.message()}</p>
            })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let options = session.await.map(|s| s.sign_in).unwrap_or_default();
                    view! { <SignInChoices options next=next() /> }
                })}
            </Transition>
        </section>
    }
}

/// "Sign in with …" for the identity provider, and the local form when local accounts may sign in.
#[component]
fn SignInChoices(options: crate::domain::user::SignInOptions, next: String) -> impl IntoView {
    use crate::domain::user::OIDC_START_PATH;
    let start = options.provider.clone().map(|name| {
        let href = if next.is_empty() {
            OIDC_START_PATH.to_string()
        } else {
            let next =
                percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC);
            format!("{OIDC_START_PATH}?next={next}")
        };
        view! {
            <p>
                <a class="button primary" href=href data-testid="oidc-sign-in">
                    {format!("Sign in with {name}")}
                </a>
            </p>
        }
    });
    let local = options.local.then(|| {
        let heading = options
            .provider
            .is_some()
            .then(|| view! { <h2>"Or with a local account"</h2> });
        view! {
            {heading}
            <LocalSignIn next=next.clone() />
        }
    });
    // The console refuses to start with neither (`OidcSettings::from_config`).
    view! { {start} {local} }
}

#[component]
fn LocalSignIn(next: String) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || {
        login
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
            <ActionForm action=login>
                <input type="hidden" name="next" value=next />
                <label for="username">"User name"</label>
                <input id="username" name="username" type="text" autocomplete="username" required />
                <label for="password">"Password"</label>
                <SecretInput
                    id="password"
                    name="password"
                    autocomplete="current-password"
                    show="Show"
                    hide="Hide"
                    required=true
                />
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit">"Sign in"</button>
            </ActionForm>
    }
}
