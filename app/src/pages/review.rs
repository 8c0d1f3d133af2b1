//! `/review/{draft}`: a checked change before it runs: the diff, the plan, the impact and the
//! preflight, and the confirmation that starts the run.

use crate::domain::change::run::DraftView;
use crate::error::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(endpoint = "reviews/get")]
pub async fn get_review(draft: String) -> Result<DraftView, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        services()?.workflows.draft(&user, &draft).await
    })
    .await
}

#[server(endpoint = "runs/start")]
pub async fn start_run(
    draft: String,
    confirm: Option<String>,
    override_preflight: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        if confirm.as_deref() != Some("yes") {
            return Err(AppError::invalid(
                "Confirmation",
                "tick the box to confirm the impact before the run starts",
            ));
        }
        let run = services()?
            .workflows
            .start(&user, &draft, override_preflight.as_deref() == Some("yes"))
            .await?;
        guard::redirect(&format!("/runs/{run}"));
        Ok(())
    })
    .await
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let review = Resource::new(
        move || params.read().get("draft").unwrap_or_default(),
        get_review,
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match review.await {
                    Ok(d) => view! { <ReviewView draft=d /> }.into_any(),
                    Err(e) => view! { <h1>"Review"</h1><p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReviewView(draft: DraftView) -> impl IntoView {
    let start = ServerAction::<StartRun>::new();
    let row = draft.store.row.clone();
    let target = row.target();
    let failed_preflight = draft.preflight.as_ref().is_some_and(|p| p.blocks());
    let error = move || {
        start
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="banner error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <p><a href=target.store(&row.id).href("")>{format!("← {}", row.name)}</a></p>
        <h1>"Review the change to " {row.name.clone()}</h1>
        <section class="card">
            <h2>"What changes"</h2>
            <table class="diff" data-testid="diff">
                <thead><tr><th>"Field"</th><th>"Now"</th><th>"After"</th></tr></thead>
                <tbody>
                    {draft.diff.iter().map(|d| view! {
                        <tr><th scope="row">{d.field.label()} " " <code>{d.field.member()}</code></th><td>{d.before.clone()}</td><td>{d.after.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>"Plan"</h2>
            <p data-testid="plan-summary"><strong>{draft.summary.clone()}</strong></p>
            <ol class="plan">{draft.steps.iter().map(|s| view! { <li>{s.label()}</li> }).collect_view()}</ol>
            <p class="banner warning" data-testid="impact">{draft.impact.clone()}</p>
        </section>
        {draft.preflight.clone().map(|p| view! {
            <section class="card" data-testid="preflight">
                <h2>"Preflight: GetHealthStatus with the new settings"</h2>
                <p class=if p.passed { "ok" } else if p.checked { "banner error" } else { "banner warning" } data-testid="preflight-verdict">
                    {if p.passed { "Passed. " } else if p.checked { "Failed. " } else { "Not run. " }}
                    {p.verdict.clone()}
                </p>
                <dl class="fields">
                    <dt>"URL"</dt><dd><code>{p.url.clone()}</code></dd>
                    <dt>"Proxy reachable"</dt><dd>{if p.reachable { "yes" } else { "no" }}</dd>
                    <dt>"Credential accepted"</dt><dd data-testid="preflight-credential">{match p.credential_accepted { Some(true) => "yes", Some(false) => "no", None => "not checked" }}</dd>
                    <dt>"Latency"</dt><dd>{format!("{} ms", p.latency_ms)}</dd>
                    <dt>"External key managers"</dt>
                    <dd>{if p.ekms.is_empty() { "none reported".to_string() } else { p.ekms.iter().map(|e| format!("{} ({}): {}", e.id, e.model, e.health)).collect::<Vec<_>>().join("; ") }}</dd>
                </dl>
            </section>
        })}
        {error}
        <ActionForm action=start>
            <input type="hidden" name="draft" value=draft.id.clone() />
            <fieldset class="card">
                <label class="confirm">
                    <input type="checkbox" name="confirm" value="yes" required />
                    " I have read the impact. Apply this change."
                </label>
                {failed_preflight.then(|| view! {
                    <label class="confirm override">
                        <input type="checkbox" name="override_preflight" value="yes" />
                        " Run anyway: override the failed preflight"
                    </label>
                })}
                <button type="submit">"Start the run"</button>
            </fieldset>
        </ActionForm>
    }
}
