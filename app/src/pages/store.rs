//! `/stores/{account}/{region}/{id}`: everything Describe says about one key store, its state
//! with the error's meaning, and the actions its state allows (reference §6), each with the
//! reason when it is not allowed.

use crate::api::get_key_store;
use crate::domain::actions::Action;
use crate::domain::change::run::RunView;
use crate::domain::connection_errors::summary;
use crate::domain::kms::CustomKeyStoreType;
use crate::domain::store::{StoreDetail, StoreRef, StoreRow};
use crate::error::AppError;
use crate::pages::stores::REFRESH_SECONDS;
use crate::pages::use_store_ref;
use crate::session::{can_change, SessionResource};
use crate::widgets::format::created;
use crate::widgets::{AutoRefresh, LiveUpdates, StateBadge, StoreInputs};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Connects or disconnects a store; the operator must confirm what it means for the store's keys.
#[server(endpoint = "stores/act")]
pub async fn act_on_key_store(
    #[server(flatten)] store: StoreRef,
    action: String,
    confirm: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::change::run::AuditEntry;
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let action = match Action::parse(&action) {
            Some(a @ (Action::Connect | Action::Disconnect)) => a,
            _ => return Err(AppError::invalid("Action", "must be connect or disconnect")),
        };
        if confirm.as_deref() != Some("yes") {
            return Err(AppError::invalid(
                "Confirmation",
                "tick the box to confirm what happens to the keys",
            ));
        }
        let (target, id) = (store.target(), store.id);
        let stores = services()?.stores.clone();
        let result = match action {
            Action::Connect => stores.connect(&target, &id).await,
            Action::Disconnect => stores.disconnect(&target, &id).await,
            Action::Edit | Action::Delete => {
                return Err(AppError::invalid(
                    "Action",
                    "use the edit page or the delete form",
                ))
            }
        };
        let name = stores
            .describe(&target, &id)
            .await
            .map(|d| d.row.name)
            .unwrap_or_else(|_| id.clone());
        services()?
            .workflows
            .record(
                AuditEntry::new(&user.username, action.key(), target.store(&id), &name).outcome(
                    &result,
                    "accepted",
                    "KMS accepted the request.",
                ),
            )
            .await?;
        result?;
        tracing::info!(actor = %user.username, store = %id, ?action, "store action");
        Ok(())
    })
    .await
}

/// Deletes a DISCONNECTED store; the operator confirms by typing its name.
#[server(endpoint = "stores/delete")]
pub async fn delete_key_store(
    #[server(flatten)] store: StoreRef,
    confirm_name: String,
) -> Result<(), AppError> {
    use crate::domain::change::run::AuditEntry;
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let (target, id) = (store.target(), store.id);
        let services = services()?;
        let detail = services.stores.describe(&target, &id).await?;
        Action::Delete
            .allowed_in(&detail.row.state)
            .map_err(|r| AppError::Conflict(r.to_string()))?;
        if confirm_name.trim() != detail.row.name {
            return Err(AppError::invalid(
                "Confirmation",
                format!("type the store's name, {}, to delete it", detail.row.name),
            ));
        }
        let result = services.stores.delete(&target, &id).await;
        services
            .workflows
            .record(
                AuditEntry::new(
                    &user.username,
                    Action::Delete.key(),
                    target.store(&id),
                    &detail.row.name,
                )
                .outcome(&result, "deleted", "DeleteCustomKeyStore accepted."),
            )
            .await?;
        result?;
        tracing::info!(actor = %user.username, store = %id, "store deleted");
        guard::redirect("/");
        Ok(())
    })
    .await
}

/// The latest runs that changed this store, newest first.
#[server(endpoint = "stores/runs")]
pub async fn list_store_runs(#[server(flatten)] store: StoreRef) -> Result<Vec<RunView>, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        guard::require_user().await?;
        services()?
            .workflows
            .runs_of_store(&store.target(), &store.id)
            .await
    })
    .await
}

#[component]
pub fn StorePage() -> impl IntoView {
    let store_ref = use_store_ref();
    let act = ServerAction::<ActOnKeyStore>::new();
    let store = Resource::new(
        move || (store_ref.get(), act.version().get()),
        |(s, _)| get_key_store(s),
    );
    let session = expect_context::<SessionResource>();
    let outcome = move || {
        act.value().get().map(|r| match r {
            Ok(()) => view! { <p class="ok" role="status">"Request accepted; the state below follows it."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let runs = Resource::new(
        move || (store_ref.get(), act.version().get()),
        |(s, _)| list_store_runs(s),
    );
    view! {
        <LiveUpdates reload=Callback::new(move |_| { store.refetch(); runs.refetch(); }) />
        <p><a href="/">"← All key stores"</a></p>
        {outcome}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_change = can_change(session).await;
                match store.await {
                    Ok(detail) => view! { <StoreView detail act can_change reload=Callback::new(move |_| { store.refetch(); runs.refetch(); }) /> }.into_any(),
                    Err(e) => view! { <h1>"Key store"</h1><p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                runs.await.ok().filter(|r| !r.is_empty()).map(|list| view! {
                    <section class="card" data-testid="store-runs">
                        <h2>"Recent changes"</h2>
                        <table class="steps">
                            <thead><tr><th>"Run"</th><th>"Started"</th><th>"By"</th><th>"Changes"</th><th>"Status"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|r| view! {
                                    <tr>
                                        <td><a href=format!("/runs/{}", r.id)>{format!("Run {}", r.id)}</a></td>
                                        <td>{created(r.created_ms / 1000)}</td>
                                        <td>{r.user}</td>
                                        <td>{if r.fields.is_empty() { "reconnect".to_string() } else { r.fields.iter().map(|f| f.member()).collect::<Vec<_>>().join(", ") }}</td>
                                        <td>{r.status.as_str()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
fn StoreView(
    detail: StoreDetail,
    act: ServerAction<ActOnKeyStore>,
    can_change: bool,
    reload: Callback<()>,
) -> impl IntoView {
    let row = detail.row.clone();
    let refresh = row.is_transitioning();
    let error = row.error_code.clone().map(|code| {
        let meaning = summary(&code, row.store_type.kind());
        view! {
            <p class="banner error" data-testid="error-code">
                <code>{code.to_string()}</code>
                ": "
                {meaning}
                ". "
                <a href=row.href("fix") data-testid="fix-link">"Fix this store"</a>
            </p>
        }
    });
    let field = |label: &'static str, value: Option<String>| {
        value.map(|v| view! { <dt>{label}</dt><dd>{v}</dd> })
    };
    let is_xks = row.store_type == CustomKeyStoreType::ExternalKeyStore;
    view! {
        {refresh.then(|| view! { <AutoRefresh seconds=REFRESH_SECONDS reload noscript_only=true /> })}
        <h1>{row.name.clone()} " " <StateBadge state=row.state.clone() testid="state" /></h1>
        {error}
        <section class="card">
            <h2>"General configuration"</h2>
            <dl class="fields">
                {field("ID", Some(row.id.clone()))}
                {field("Name", Some(row.name.clone()))}
                {field("Type", Some(row.store_type.label().to_string()))}
                {field("Account", Some(row.account.clone()))}
                {field("Region", Some(row.region.clone()))}
                {field("Connection state", Some(row.state.to_string()))}
                {field("Created", Some(created(row.created)))}
            </dl>
        </section>
        {if is_xks {
            view! {
                <section class="card">
                    <h2>"External key store proxy configuration"</h2>
                    <dl class="fields">
                        {field("Proxy connectivity", row.xks_connectivity.as_ref().map(ToString::to_string))}
                        {field("Proxy URI endpoint", row.xks_endpoint.clone())}
                        {field("Proxy URI path", row.xks_path.clone())}
                        {field("Proxy credential: access key ID", detail.xks_access_key_id.clone())}
                        {field("VPC endpoint service name", detail.xks_vpc_endpoint_service_name.clone())}
                        {field("VPC endpoint service owner", detail.xks_vpc_endpoint_service_owner.clone())}
                    </dl>
                    <p><a href=row.href("test")>"Test connection"</a></p>
                </section>
            }
            .into_any()
        } else {
            view! {
                <section class="card">
                    <h2>"AWS CloudHSM cluster"</h2>
                    <dl class="fields">
                        {field("Cluster ID", row.cloud_hsm_cluster_id.clone())}
                        {field("Trust anchor certificate", detail.trust_anchor_certificate.clone())}
                    </dl>
                </section>
            }
            .into_any()
        }}
        <section class="card actions">
            <h2>"Actions"</h2>
            <EditAction row=row.clone() can_change />
            <DeleteAction row=row.clone() can_change />
            {(!can_change).then(|| view! { <p class="note">"Your role can only read; an operator can connect or disconnect this store."</p> })}
            {[Action::Connect, Action::Disconnect]
                .into_iter()
                .map(|a| view! { <ActionBox action=a row=row.clone() act can_change /> })
                .collect_view()}
        </section>
    }
}

#[component]
fn ActionBox(
    action: Action,
    row: StoreRow,
    act: ServerAction<ActOnKeyStore>,
    can_change: bool,
) -> impl IntoView {
    let allowed = action.allowed_in(&row.state);
    let enabled = allowed.is_ok() && can_change;
    let reason = allowed.err();
    let value = action.key();
    view! {
        <ActionForm action=act>
            <fieldset disabled=!enabled class="action" data-testid=format!("action-{value}")>
                <StoreInputs store=row.store_ref() />
                <input type="hidden" name="action" value=value />
                <p>{action.consequence()}</p>
                <label class="confirm">
                    <input type="checkbox" name="confirm" value="yes" required />
                    {format!(" I understand. {} {}.", action.label(), row.name)}
                </label>
                <button type="submit">{action.label()}</button>
                {reason.map(|r| view! { <p class="note reason">{r}</p> })}
            </fieldset>
        </ActionForm>
    }
}

/// Edit opens the edit page; it is offered unless the store is changing state.
#[component]
fn EditAction(row: StoreRow, can_change: bool) -> impl IntoView {
    let allowed = Action::Edit.allowed_in(&row.state);
    let reason = match (&allowed, can_change) {
        (Err(r), _) => Some(r.to_string()),
        (Ok(()), false) => Some("Only an operator can edit a key store.".to_string()),
        (Ok(()), true) => None,
    };
    let href = row.href("edit");
    view! {
        <div class="action" data-testid="action-edit">
            <p>"Change the name, the proxy settings and credential, or the cluster and password. The console shows what each field needs, checks the values, and carries out any disconnect and reconnect."</p>
            {match reason {
                None => view! { <a class="button" href=href>"Edit"</a> }.into_any(),
                Some(r) => view! { <span class="button disabled" aria-disabled="true">"Edit"</span><p class="note reason">{r}</p> }.into_any(),
            }}
            <p><a href=format!("/audit?store={}", row.id)>"Audit log of this store"</a></p>
        </div>
    }
}

/// Delete, only for a DISCONNECTED store, confirmed by typing the store's name.
#[component]
fn DeleteAction(row: StoreRow, can_change: bool) -> impl IntoView {
    let delete = ServerAction::<DeleteKeyStore>::new();
    let allowed = Action::Delete.allowed_in(&row.state);
    let enabled = allowed.is_ok() && can_change;
    let error = move || {
        delete
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <ActionForm action=delete>
            <fieldset disabled=!enabled class="action" data-testid="action-delete">
                <StoreInputs store=row.store_ref() />
                <p>{Action::Delete.consequence()}</p>
                <label for="confirm-name">{format!("Type {} to confirm", row.name)}</label>
                <input id="confirm-name" name="confirm_name" type="text" autocomplete="off" required />
                <button type="submit">"Delete"</button>
                {allowed.err().map(|r| view! { <p class="note reason">{r}</p> })}
                {error}
            </fieldset>
        </ActionForm>
    }
}
