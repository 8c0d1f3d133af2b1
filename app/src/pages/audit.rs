//! `/audit`: who changed which store, when, and how it went; filtered by store.

use crate::domain::change::run::AuditEntry;
use crate::error::AppError;
use crate::widgets::format::created_time;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "audit/list")]
pub async fn list_audit(store: Option<String>) -> Result<Vec<AuditEntry>, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        guard::require_user().await?;
        services()?
            .workflows
            .audit(store.filter(|s| !s.trim().is_empty()))
            .await
    })
    .await
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let store = move || query.read().get("store").unwrap_or_default();
    let entries = Resource::new(store, |s| list_audit(Some(s)));
    view! {
        <h1>"Audit log"</h1>
        <form method="get" action="/audit" class="filters">
            <label for="audit-store">"Store ID"</label>
            <input id="audit-store" name="store" type="text" value=store placeholder="all stores" />
            <button type="submit">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(list) if list.is_empty() => view! { <p>"No entries."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="audit" data-testid="audit">
                            <thead><tr><th>"Time (UTC)"</th><th>"User"</th><th>"Action"</th><th>"Store"</th><th>"Target"</th><th>"Fields"</th><th>"Outcome"</th><th>"Detail"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|e| view! {
                                    <tr data-testid="audit-row">
                                        <td>{created_time(e.at_ms)}</td>
                                        <td>{e.user}</td>
                                        <td>{e.action}{e.run_id.map(|r| view! { " " <a href=format!("/runs/{r}")>{format!("run {r}")}</a> })}</td>
                                        <td>{if e.store_id.is_empty() {
                                            // An entry about a console account, not a store.
                                            view! { <span>{e.store_name}</span> }.into_any()
                                        } else {
                                            view! { <a href=e.target.store(&e.store_id).href("")>{e.store_name}</a> }.into_any()
                                        }}</td>
                                        <td>{format!("{} {}", e.target.account, e.target.region)}</td>
                                        <td>{e.fields.join(", ")}</td>
                                        <td>{e.outcome}</td>
                                        <td>{e.detail}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
