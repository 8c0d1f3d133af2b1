//! `/users`: the console's users and their roles; operators add users.

use crate::domain::user::{Secret, UserInfo};
use crate::error::AppError;
use crate::session::{can_change, SessionResource};
use leptos::form::ActionForm;
use leptos::prelude::*;

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
    use crate::domain::user::{validate_new_password, validate_username, Role};
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
                let can_change = can_change(session).await;
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
