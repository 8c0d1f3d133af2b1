//! Sign-in, sign-out and user management: the pages and the server functions behind them.

use crate::error::AppError;
use crate::model::{Secret, SessionInfo, UserInfo};
use crate::shell::SessionResource;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The visitor's user (if signed in) and the backend, for the header.
#[server(endpoint = "session")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async {
        Ok(SessionInfo {
            user: guard::current_user().await?,
            backend: services()?.backend.clone(),
        })
    })
    .await
}

#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: Secret,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let client = guard::client_address().await;
        let user = services()?
            .users
            .authenticate(username.trim(), &password, &client)
            .await?;
        guard::start_session(&user).await?;
        leptos_axum::redirect(safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::guard;
    guard::respond(async {
        guard::end_session().await?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserInfo>, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async {
        guard::require_user().await?;
        services()?.users.list().await
    })
    .await
}

#[server(endpoint = "users/add")]
pub async fn add_user(username: String, password: Secret, role: String) -> Result<(), AppError> {
    use crate::model::{validate_new_password, validate_username, Role};
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let actor = guard::require_operator().await?;
        let username = username.trim().to_string();
        validate_username(&username).map_err(|m| AppError::invalid("User name", m))?;
        validate_new_password(&password).map_err(|m| AppError::invalid("Password", m))?;
        let role = Role::parse(&role)
            .ok_or_else(|| AppError::invalid("Role", "must be viewer or operator"))?;
        services()?.users.add(&username, &password, role).await?;
        tracing::info!(actor = %actor.username, user = %username, role = %role, "user added");
        Ok(())
    })
    .await
}

/// Where to go after signing in: only a path on this site, never another origin.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p,
        _ => "/",
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let (reveal, set_reveal) = signal(false);
    // The reveal button needs the wasm; it stays hidden on a page that has not hydrated.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
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
                <div class="password-row">
                    <input
                        id="password"
                        name="password"
                        type=move || if reveal.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
                    />
                    <button
                        type="button"
                        class="reveal"
                        hidden=move || !hydrated.get()
                        aria-pressed=move || reveal.get().to_string()
                        on:click=move |_| set_reveal.update(|r| *r = !*r)
                    >
                        {move || if reveal.get() { "Hide" } else { "Show" }}
                    </button>
                </div>
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit">"Sign in"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    let users = Resource::new(move || add.version().get(), |_| list_users());
    let session = expect_context::<SessionResource>();
    let outcome = move || {
        add.value().get().map(|r| match r {
            Ok(()) => view! { <p class="ok" role="status">"User added."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <h1>"Users"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_change = session
                    .await
                    .ok()
                    .and_then(|s| s.user)
                    .is_some_and(|u| u.role.can_change());
                match users.await {
                    Ok(list) => view! { <UserTable list /> <AddUserForm add can_change /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        {outcome}
    }
}

#[component]
fn UserTable(list: Vec<UserInfo>) -> impl IntoView {
    view! {
        <table class="users">
            <thead>
                <tr>
                    <th>"User"</th>
                    <th>"Role"</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|u| {
                        view! {
                            <tr>
                                <td>{u.username}</td>
                                <td>{u.role.as_str()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AddUserForm(add: ServerAction<AddUser>, can_change: bool) -> impl IntoView {
    view! {
        <h2>"Add a user"</h2>
        {(!can_change)
            .then(|| {
                view! {
                    <p class="note">"Only operators can add users; your role can only read."</p>
                }
            })}
        <ActionForm action=add>
            <fieldset disabled=!can_change>
                <label for="new-username">"User name"</label>
                <input id="new-username" name="username" type="text" required />
                <label for="new-password">"Password (at least 12 characters)"</label>
                <input
                    id="new-password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    required
                />
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role">
                    <option value="viewer">"viewer: reads"</option>
                    <option value="operator">"operator: reads and changes"</option>
                </select>
                <button type="submit">"Add user"</button>
            </fieldset>
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_goes_to_this_site() {
        assert_eq!(safe_next(Some("/users")), "/users");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
