//! `/runs/{id}`: a run as it carries out a change, step by step, and what the operator can do
//! when it stops.

use crate::domain::change::run::{RunAction, RunStatus, RunView, StepView};
use crate::domain::change::Field;
use crate::domain::user::Secret;
use crate::error::AppError;
use crate::session::{can_change, SessionResource};
use crate::widgets::format::created;
use crate::widgets::{AutoRefresh, LiveUpdates, StateBadge, OPERATORS_ONLY};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

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
        guard::redirect(&format!("/runs/{next}"));
        Ok(())
    })
    .await
}

fn duration(step: &StepView) -> String {
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
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let run = Resource::new(move || (id(), act.version().get()), |(id, _)| get_run(id));
    let error = move || {
        act.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="banner error" role="alert">{e.to_string()}</p> })
    };
    view! {
        {error}
        {move || {
            let run_id = id();
            view! { <LiveUpdates reload=Callback::new(move |_| run.refetch()) run=run_id /> }
        }}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_change = can_change(expect_context::<SessionResource>()).await;
                match run.await {
                    Ok(r) => view! { <RunView run=r act can_change reload=Callback::new(move |_| run.refetch()) /> }.into_any(),
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
fn RunView(
    run: RunView,
    act: ServerAction<ActOnRun>,
    can_change: bool,
    reload: Callback<()>,
) -> impl IntoView {
    let active = run.is_active();
    let status = run.status.as_str();
    let fields: Vec<&str> = run.fields.iter().map(|f| f.member()).collect();
    let now = run.store_now.clone();
    view! {
        {active.then(|| view! { <AutoRefresh seconds=1 reload noscript_only=true /> })}
        <p><a href=run.target.store(&run.store_id).href("")>{format!("← {}", run.store_name)}</a></p>
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
                <StateBadge state=d.row.state.clone() />
                {d.row.error_code.clone().map(|c| format!(" {c}"))}
            </p>
        })}
        {(!run.actions.is_empty()).then(|| view! {
            <section class="card actions" data-testid="next-steps">
                <h2>"Next steps"</h2>
                {(!can_change).then(|| view! { <p class="note reason">{OPERATORS_ONLY}</p> })}
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
                            <button type="submit" disabled=!can_change>{action_label(a)}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </section>
        })}
        <p><a href=format!("/audit?store={}", run.store_id)>"Audit log of this store"</a></p>
    }
}
