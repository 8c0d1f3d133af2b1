//! `/login`: sign-in with a local account.

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
        let client = guard::client_address().await;
        let user = services()?
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
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || {
        login
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <section class="login card">
            <h1>"Sign in"</h1>
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
        </section>
    }
}
