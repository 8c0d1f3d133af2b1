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
    use crate::domain::user::{validate_new_password, validate_username};
    use crate::ssr::{audit_user as audit, guard, services};
    guard::respond(async move {
        let actor = guard::require_operator().await?;
        let username = username.trim().to_string();
        validate_username(&username).map_err(|m| AppError::invalid("User name", m))?;
        validate_new_password(&password).map_err(|m| AppError::invalid("Password", m))?;
        let role = parse_role(&role)?;
        services()?.users.add(&username, &password, role).await?;
        audit(
            &actor.username,
            "user added",
            &username,
            format!("role {role}"),
        )
        .await?;
        tracing::info!(actor = %actor.username, user = %username, role = %role, "user added");
        Ok(())
    })
    .await
}

#[server(endpoint = "users/role")]
pub async fn set_user_role(username: String, role: String) -> Result<(), AppError> {
    use crate::ssr::{audit_user as audit, guard, services};
    guard::respond(async move {
        let actor = guard::require_operator().await?;
        let role = parse_role(&role)?;
        services()?.users.set_role(&username, role).await?;
        audit(
            &actor.username,
            "role changed",
            &username,
            format!("now {role}; their sessions ended"),
        )
        .await?;
        tracing::info!(actor = %actor.username, user = %username, role = %role, "role changed");
        keep_own_session(&actor.username, &username).await
    })
    .await
}

#[server(endpoint = "users/reset-password")]
pub async fn reset_user_password(username: String, password: Secret) -> Result<(), AppError> {
    use crate::domain::user::validate_new_password;
    use crate::ssr::{audit_user as audit, guard, services};
    guard::respond(async move {
        let actor = guard::require_operator().await?;
        validate_new_password(&password).map_err(|m| AppError::invalid("New password", m))?;
        services()?
            .users
            .set_password(&username, &password, true)
            .await?;
        audit(
            &actor.username,
            "password reset",
            &username,
            "to be changed at the next sign-in; their sessions ended",
        )
        .await?;
        tracing::info!(actor = %actor.username, user = %username, "password reset");
        keep_own_session(&actor.username, &username).await
    })
    .await
}

#[server(endpoint = "users/remove")]
pub async fn remove_user(username: String) -> Result<(), AppError> {
    use crate::ssr::{audit_user as audit, guard, services};
    guard::respond(async move {
        let actor = guard::require_operator().await?;
        services()?.users.remove(&username).await?;
        audit(
            &actor.username,
            "user removed",
            &username,
            "their sessions ended",
        )
        .await?;
        tracing::info!(actor = %actor.username, user = %username, "user removed");
        if actor.username == username {
            guard::redirect("/login");
        }
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
fn parse_role(role: &str) -> Result<crate::domain::user::Role, AppError> {
    crate::domain::user::Role::parse(role)
        .ok_or_else(|| AppError::invalid("Role", "must be viewer or operator"))
}

/// An operator who changed their own account goes on in this session (the others end).
#[cfg(feature = "ssr")]
async fn keep_own_session(actor: &str, username: &str) -> Result<(), AppError> {
    if actor == username {
        crate::ssr::guard::renew_session(username).await?;
    }
    Ok(())
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    let role = ServerAction::<SetUserRole>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let remove = ServerAction::<RemoveUser>::new();
    let users = Resource::new(
        move || {
            (
                add.version().get(),
                role.version().get(),
                reset.version().get(),
                remove.version().get(),
            )
        },
        |_| list_users(),
    );
    let session = expect_context::<SessionResource>();
    let said = |ok: &'static str, r: Option<Result<(), AppError>>| {
        r.map(|r| match r {
            Ok(()) => view! { <p class="ok" role="status" data-testid="users-outcome">{ok}</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert" data-testid="users-outcome">{e.to_string()}</p> }
                .into_any(),
        })
    };
    let outcome = move || {
        view! {
            {move || said("User added.", add.value().get())}
            {move || said("Role changed; that user's sessions have ended.", role.value().get())}
            {move || said("Password reset; the user changes it at the next sign-in, and their sessions have ended.", reset.value().get())}
            {move || said("User removed; their sessions have ended.", remove.value().get())}
        }
    };
    // One outcome at a time: a new submission clears the others' messages.
    let clear = move |keep: usize| {
        if keep != 0 {
            add.value().set(None);
        }
        if keep != 1 {
            role.value().set(None);
        }
        if keep != 2 {
            reset.value().set(None);
        }
        if keep != 3 {
            remove.value().set(None);
        }
    };
    Effect::new(move |_| add.input().get().is_some().then(|| clear(0)));
    Effect::new(move |_| role.input().get().is_some().then(|| clear(1)));
    Effect::new(move |_| reset.input().get().is_some().then(|| clear(2)));
    Effect::new(move |_| remove.input().get().is_some().then(|| clear(3)));
    let actions = UserActions {
        role,
        reset,
        remove,
    };
    view! {
        <h1>"Users"</h1>
        <p><a href=crate::pages::account::ACCOUNT_PAGE>"Change your own password"</a></p>
        {outcome}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_change = can_change(session).await;
                match users.await {
                    Ok(list) => view! {
                        {(!can_change).then(|| view! {
                            <p class="note reason" data-testid="viewer-note">
                                "Only operators can add users, change roles, reset passwords or remove users; your role can only read."
                            </p>
                        })}
                        <UserTable list actions=can_change.then_some(actions) />
                        {can_change.then(|| view! { <AddUserForm add /> })}
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What an operator can do to a user, row by row.
#[derive(Clone, Copy)]
struct UserActions {
    role: ServerAction<SetUserRole>,
    reset: ServerAction<ResetUserPassword>,
    remove: ServerAction<RemoveUser>,
}

#[component]
fn UserTable(list: Vec<UserInfo>, actions: Option<UserActions>) -> impl IntoView {
    use crate::domain::user::Role;
    let operators = list.iter().filter(|u| u.role.can_change()).count();
    view! {
        <table class="users" data-testid="users">
            <thead>
                <tr>
                    <th>"User"</th>
                    <th>"Role"</th>
                    <th>"Signs in with"</th>
                    <th>"Last sign-in (UTC)"</th>
                    {actions.map(|_| view! { <th>"Change"</th> })}
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|u| {
                        let name = u.username.clone();
                        let last_operator = u.role.can_change() && operators == 1;
                        let other = if u.role.can_change() { Role::Viewer } else { Role::Operator };
                        let federated = u.is_federated();
                        let source = if federated { "identity provider" } else { "local password" };
                        let last = u
                            .last_sign_in_ms
                            .map(crate::widgets::format::created_time)
                            .unwrap_or_else(|| "never".to_string());
                        let cells = actions.map(|a| {
                            let (for_role, for_reset, for_remove) = (name.clone(), name.clone(), name.clone());
                            let reset_id = format!("reset-{name}");
                            let reset_label = format!("New password for {name}");
                            let remove_id = format!("remove-{name}");
                            let remove_label = format!("Yes, remove {name}");
                            // A federated user's role comes from the provider's groups at each
                            // sign-in, and their password is the provider's: removal only.
                            let local_only = (!federated).then(|| view! {
                                    <ActionForm action=a.role attr:class="inline">
                                        <input type="hidden" name="username" value=for_role />
                                        <input type="hidden" name="role" value=other.as_str() />
                                        <button type="submit" disabled=last_operator title=last_operator.then_some("The last operator stays an operator.")>
                                            {format!("Make {other}")}
                                        </button>
                                    </ActionForm>
                                    <ActionForm action=a.reset attr:class="inline">
                                        <input type="hidden" name="username" value=for_reset />
                                        <label class="visually-hidden" for=reset_id.clone()>{reset_label}</label>
                                        <input id=reset_id name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256" placeholder="new password" />
                                        <button type="submit">"Reset password"</button>
                                    </ActionForm>
                            });
                            view! {
                                <td class="user-actions">
                                    {local_only}
                                    <ActionForm action=a.remove attr:class="inline">
                                        <input type="hidden" name="username" value=for_remove />
                                        <input id=remove_id.clone() type="checkbox" required disabled=last_operator />
                                        <label for=remove_id>{remove_label}</label>
                                        <button type="submit" disabled=last_operator title=last_operator.then_some("The last operator cannot be removed.")>
                                            "Remove"
                                        </button>
                                    </ActionForm>
                                </td>
                            }
                        });
                        view! {
                            <tr data-testid="user-row" data-user=name.clone()>
                                <td>{u.username}</td>
                                <td>{u.role.as_str()}{u.must_change_password.then_some(" (must change password)")}</td>
                                <td data-testid="user-source">{source}</td>
                                <td>{last}</td>
                                {cells}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AddUserForm(add: ServerAction<AddUser>) -> impl IntoView {
    view! {
        <h2>"Add a user"</h2>
        <ActionForm action=add>
            <label for="new-username">"User name"</label>
            <input id="new-username" name="username" type="text" required />
            <label for="new-password">"Password (12 to 256 characters)"</label>
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
        </ActionForm>
    }
}
