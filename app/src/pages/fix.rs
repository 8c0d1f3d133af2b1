//! `/stores/{account}/{region}/{id}/fix`: guided remediation of a FAILED store: its error code,
//! what it means, its causes and checks, and the fix as console actions (the ConnectionErrorCode
//! catalogue).

use crate::api::get_key_store;
use crate::domain::connection_errors::{remedy, FixStep};
use crate::domain::kms::StoreKind;
use crate::domain::store::{StoreDetail, StoreRef};
use crate::error::AppError;
use crate::pages::use_store_ref;
use crate::session::{can_change, SessionResource};
use crate::widgets::{OperatorLink, StateBadge, StoreInputs};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[server(endpoint = "stores/reconnect")]
pub async fn reconnect_store(#[server(flatten)] store: StoreRef) -> Result<(), AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let run = services()?
            .workflows
            .reconnect(&user, store.target(), &store.id)
            .await?;
        guard::redirect(&format!("/runs/{run}"));
        Ok(())
    })
    .await
}

#[component]
pub fn FixPage() -> impl IntoView {
    let store_ref = use_store_ref();
    let store = Resource::new(move || store_ref.get(), get_key_store);
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_change = can_change(expect_context::<SessionResource>()).await;
                match store.await {
                    Ok(d) => view! { <FixView detail=d can_change /> }.into_any(),
                    Err(e) => view! { <h1>"Fix this store"</h1><p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn FixView(detail: StoreDetail, can_change: bool) -> impl IntoView {
    let row = detail.row.clone();
    let kind = row.store_type.kind().unwrap_or(StoreKind::External);
    let store_ref = row.store_ref();
    let base = row.href("");
    let reconnect = ServerAction::<ReconnectStore>::new();
    let error = move || {
        reconnect
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="banner error" role="alert">{e.to_string()}</p> })
    };
    let found = row.error_code.as_ref().and_then(|c| remedy(c, kind));
    let body = match (row.error_code.clone(), found) {
        (None, _) => view! {
            <p data-testid="no-error">{format!("The store is {} and has no connection error to fix.", row.state)}</p>
        }
        .into_any(),
        (Some(code), None) => view! {
            <p class="banner error">{format!("The error code {code} is not in the catalogue; disconnect the store, check its settings, and connect it again.")}</p>
        }
        .into_any(),
        (Some(code), Some(r)) => {
            let steps = r.fix.iter().map(|step| {
                let action = match step {
                    FixStep::TestConnection => Some(view! { <a class="button" href=format!("{base}/test")>"Test connection"</a> }.into_any()),
                    FixStep::Edit(_) => Some(view! { <OperatorLink href=format!("{base}/edit?fix=1") label="Edit the store" can_change class="button" /> }.into_any()),
                    FixStep::UploadConfigFile => Some(view! { <OperatorLink href=format!("{base}/edit?fix=1") label="Upload the file on the edit page" can_change /> }.into_any()),
                    FixStep::Reconnect => {
                        let store = store_ref.clone();
                        Some(view! {
                            <ActionForm action=reconnect attr:class="inline">
                                <StoreInputs store />
                                <button type="submit" disabled=!can_change>"Reconnect"</button>
                            </ActionForm>
                        }.into_any())
                    }
                    FixStep::Outside(_) | FixStep::Wait(_) => None,
                };
                view! { <li><p>{step.describe()}</p>{action}</li> }
            }).collect_view();
            view! {
                <section class="card" data-testid="remedy">
                    <h2><code>{code.to_string()}</code></h2>
                    <p data-testid="meaning"><strong>{r.meaning}</strong></p>
                    <h3>"Likely causes"</h3>
                    <ul>{r.causes.iter().map(|c| view! { <li>{*c}</li> }).collect_view()}</ul>
                    <h3>"Check"</h3>
                    <ul>{r.checks.iter().map(|c| view! { <li>{*c}</li> }).collect_view()}</ul>
                    <h3>"Fix"</h3>
                    <ol class="fix-steps" data-testid="fix-steps">{steps}</ol>
                </section>
            }
            .into_any()
        }
    };
    view! {
        <p><a href=base.clone()>{format!("← {}", row.name)}</a></p>
        <h1>"Fix " {row.name.clone()} " " <StateBadge state=row.state.clone() /></h1>
        {error}
        {body}
    }
}
