//! The review of a change (diff, plan, impact, preflight), the run that carries it out, and the
//! audit log.

use crate::change::run::{AuditEntry, DraftView, RunAction, RunStatus, RunView};
use crate::change::Field;
use crate::error::AppError;
use crate::fleet::created;
use crate::model::Secret;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

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
        leptos_axum::redirect(&format!("/runs/{run}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "runs/get")]
pub async fn get_run(id: i64) -> Result<RunView, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        guard::require_user().await?;
        services()?.workflows.run(id).await
    })
    .await
}

#[server(endpoint = "runs/act")]
pub async fn act_on_run(
    run: i64,
    action: String,
    password: Option<Secret>,
    secret: Option<Secret>,
) -> Result<(), AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let action = RunAction::parse(&action)
            .ok_or_else(|| AppError::invalid("Action", "unknown action"))?;
        let next = services()?
            .workflows
            .act(
                &user,
                run,
                action,
                password.unwrap_or_default(),
                secret.unwrap_or_default(),
            )
            .await?;
        leptos_axum::redirect(&format!("/runs/{next}"));
        Ok(())
    })
    .await
}

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

fn store_href(v: &crate::stores::TargetRef, id: &str) -> String {
    format!("/stores/{}/{}/{}", v.account, v.region, id)
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
    let target = crate::stores::TargetRef {
        account: row.account.clone(),
        region: row.region.clone(),
    };
    let failed_preflight = draft.preflight.as_ref().is_some_and(|p| p.blocks());
    let error = move || {
        start
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="banner error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <p><a href=store_href(&target, &row.id)>{format!("← {}", row.name)}</a></p>
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
                    <dt>"Credential accepted"</dt><dd>{match p.credential_accepted { Some(true) => "yes", Some(false) => "no", None => "not checked" }}</dd>
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

fn duration(step: &crate::change::run::StepView) -> String {
    match (step.started_ms, step.finished_ms) {
        (Some(s), Some(f)) => format!("{:.1} s", (f - s) as f64 / 1000.0),
        (Some(_), None) => "running…".into(),
        _ => String::new(),
    }
}

#[component]
pub fn RunPage() -> impl IntoView {
    let params = use_params_map();
    let act = ServerAction::<ActOnRun>::new();
    let run = Resource::new(
        move || {
            (
                params
                    .read()
                    .get("id")
                    .and_then(|i| i.parse::<i64>().ok())
                    .unwrap_or_default(),
                act.version().get(),
            )
        },
        |(id, _)| get_run(id),
    );
    let error = move || {
        act.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="banner error" role="alert">{e.to_string()}</p> })
    };
    view! {
        {error}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match run.await {
                    Ok(r) => view! { <RunView run=r act /> }.into_any(),
                    Err(e) => view! { <h1>"Run"</h1><p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn action_label(a: RunAction) -> &'static str {
    match a {
        RunAction::Resume => "Retry from the failed step",
        RunAction::RollBack => "Roll back the non-secret fields",
        RunAction::ReconnectWithOldSettings => "Reconnect with the old settings",
        RunAction::LeaveAsIs => "Leave the store as it is",
    }
}

#[component]
fn RunView(run: RunView, act: ServerAction<ActOnRun>) -> impl IntoView {
    let active = run.is_active();
    let status = run.status.as_str();
    let fields: Vec<&str> = run.fields.iter().map(|f| f.member()).collect();
    let now = run.store_now.clone();
    view! {
        {active.then(|| view! { <Meta http_equiv="refresh" content="1" /> })}
        <p><a href=store_href(&run.target, &run.store_id)>{format!("← {}", run.store_name)}</a></p>
        <h1>
            {format!("Run {} on {} ", run.id, run.store_name)}
            <span class=format!("badge run-{status}") data-testid="run-status">{status}</span>
        </h1>
        <p class="note">
            {format!("Started by {} at {}. Changes: {}.", run.user, created(run.created_ms / 1000), if fields.is_empty() { "none".to_string() } else { fields.join(", ") })}
            {run.rollback_of.map(|r| format!(" Rolls back run {r}."))}
        </p>
        {run.preflight.clone().map(|p| view! { <p class="note" data-testid="run-preflight">"Preflight " {p}</p> })}
        <table class="steps" data-testid="steps">
            <thead><tr><th>"Step"</th><th>"Status"</th><th>"Time"</th><th>"Detail"</th></tr></thead>
            <tbody>
                {run.steps.iter().map(|s| view! {
                    <tr class=format!("step-{}", s.status.as_str()) data-testid=format!("step-{}", s.kind.as_str())>
                        <td>{s.kind.label()}</td>
                        <td>{s.status.as_str()}</td>
                        <td>{duration(s)}</td>
                        <td>{s.message.clone().unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {run.error.clone().filter(|_| run.status != RunStatus::Succeeded).map(|e| view! { <p class="banner error" role="alert" data-testid="run-error">{e}</p> })}
        {now.map(|d| view! {
            <p data-testid="store-now">
                "The store now: "
                <span class=format!("badge state-{}", d.row.state.to_lowercase())>{d.row.state.clone()}</span>
                {d.row.error_code.clone().map(|c| format!(" {c}"))}
            </p>
        })}
        {(!run.actions.is_empty()).then(|| view! {
            <section class="card actions" data-testid="next-steps">
                <h2>"Next steps"</h2>
                {run.actions.iter().map(|a| {
                    let a = *a;
                    let needs = if a == RunAction::Resume { run.needs_secrets.clone() } else { Vec::new() };
                    view! {
                        <ActionForm action=act>
                            <input type="hidden" name="run" value=run.id.to_string() />
                            <input type="hidden" name="action" value=a.as_str() />
                            {needs.contains(&Field::KeyStorePassword).then(|| view! {
                                <label for="resume-password">"kmsuser password (not kept across a restart)"</label>
                                <input id="resume-password" name="password" type="password" required />
                            })}
                            {needs.contains(&Field::Credential).then(|| view! {
                                <label for="resume-secret">"Secret access key (not kept across a restart)"</label>
                                <input id="resume-secret" name="secret" type="password" required />
                            })}
                            <button type="submit">{action_label(a)}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </section>
        })}
        <p><a href=format!("/audit?store={}", run.store_id)>"Audit log of this store"</a></p>
    }
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
                                        <td>{crate::fleet::created_time(e.at_ms)}</td>
                                        <td>{e.user}</td>
                                        <td>{e.action}{e.run_id.map(|r| view! { " " <a href=format!("/runs/{r}")>{format!("run {r}")}</a> })}</td>
                                        <td><a href=store_href(&e.target, &e.store_id)>{e.store_name}</a></td>
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
