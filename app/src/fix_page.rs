//! Guided remediation: a FAILED store's error code, what it means, its causes and checks, and the
//! fix as console actions (the remediation catalogue), plus Test connection for XKS stores.

use crate::change::run::PreflightReport;
use crate::change::StoreKind;
use crate::error::AppError;
use crate::model::Secret;
use crate::remedy::{remedy, FixStep};
use crate::store_page::get_key_store;
use crate::stores::StoreDetail;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(endpoint = "stores/reconnect")]
pub async fn reconnect_store(account: String, region: String, id: String) -> Result<(), AppError> {
    use crate::ssr::{guard, services};
    use crate::stores::TargetRef;
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let run = services()?
            .workflows
            .reconnect(&user, TargetRef { account, region }, &id)
            .await?;
        leptos_axum::redirect(&format!("/runs/{run}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "stores/test-connection")]
pub async fn test_connection(
    account: String,
    region: String,
    id: String,
    secret: Option<Secret>,
) -> Result<PreflightReport, AppError> {
    use crate::ssr::{guard, services};
    use crate::stores::TargetRef;
    guard::respond(async move {
        guard::require_user().await?;
        services()?
            .workflows
            .test_connection(&TargetRef { account, region }, &id, secret)
            .await
    })
    .await
}

fn store_key() -> impl Fn() -> (String, String, String) + Copy {
    let params = use_params_map();
    move || {
        let p = params.read();
        (
            p.get("account").unwrap_or_default(),
            p.get("region").unwrap_or_default(),
            p.get("id").unwrap_or_default(),
        )
    }
}

#[component]
pub fn FixPage() -> impl IntoView {
    let key = store_key();
    let store = Resource::new(key, |(a, r, i)| get_key_store(a, r, i));
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match store.await {
                    Ok(d) => view! { <FixView detail=d /> }.into_any(),
                    Err(e) => view! { <h1>"Fix this store"</h1><p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn FixView(detail: StoreDetail) -> impl IntoView {
    let row = detail.row.clone();
    let kind = StoreKind::parse(&row.store_type).unwrap_or(StoreKind::External);
    let base = format!("/stores/{}/{}/{}", row.account, row.region, row.id);
    let reconnect = ServerAction::<ReconnectStore>::new();
    let error = move || {
        reconnect
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="banner error" role="alert">{e.to_string()}</p> })
    };
    let found = row.error_code.as_deref().and_then(|c| remedy(c, kind));
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
            let (account, region, id) = (row.account.clone(), row.region.clone(), row.id.clone());
            let steps = r.fix.iter().map(|step| {
                let action = match step {
                    FixStep::TestConnection => Some(view! { <a class="button" href=format!("{base}/test")>"Test connection"</a> }.into_any()),
                    FixStep::Edit(_) => Some(view! { <a class="button" href=format!("{base}/edit?fix=1")>"Edit the store"</a> }.into_any()),
                    FixStep::UploadConfigFile => Some(view! { <a href=format!("{base}/edit?fix=1")>"Upload the file on the edit page"</a> }.into_any()),
                    FixStep::Reconnect => {
                        let (account, region, id) = (account.clone(), region.clone(), id.clone());
                        Some(view! {
                            <ActionForm action=reconnect attr:class="inline">
                                <input type="hidden" name="account" value=account />
                                <input type="hidden" name="region" value=region />
                                <input type="hidden" name="id" value=id />
                                <button type="submit">"Reconnect"</button>
                            </ActionForm>
                        }.into_any())
                    }
                    FixStep::Outside(_) | FixStep::Wait(_) => None,
                };
                view! { <li><p>{step.describe()}</p>{action}</li> }
            }).collect_view();
            view! {
                <section class="card" data-testid="remedy">
                    <h2><code>{code}</code></h2>
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
        <h1>"Fix " {row.name.clone()} " " <span class=format!("badge state-{}", row.state.to_lowercase()) data-testid="state">{row.state.clone()}</span></h1>
        {error}
        {body}
    }
}

#[component]
pub fn TestConnectionPage() -> impl IntoView {
    let key = store_key();
    let first = Resource::new(key, |(a, r, i)| test_connection(a, r, i, None));
    let again = ServerAction::<TestConnection>::new();
    view! {
        <h1>"Test connection"</h1>
        <p class="note">"The same probe as the preflight: GetHealthStatus at the store's endpoint and path, signed with its access key (SigV4, kms-xks-proxy), layer by layer."</p>
        <Transition fallback=|| view! { <p>"Probing the proxy…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(report) => view! { <ProbeReport report /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>"With the secret access key"</h2>
            <p class="note">"KMS never returns the secret, so the console cannot check the credential on its own. Enter it to check it too; it is used for this probe only."</p>
            <ActionForm action=again>
                <input type="hidden" name="account" value=move || key().0 />
                <input type="hidden" name="region" value=move || key().1 />
                <input type="hidden" name="id" value=move || key().2 />
                <label for="probe-secret">"Secret access key"</label>
                <input id="probe-secret" name="secret" type="password" autocomplete="off" />
                <button type="submit">"Test with this secret"</button>
            </ActionForm>
            {move || again.value().get().map(|r| match r {
                Ok(report) => view! { <div data-testid="probe-with-secret"><ProbeReport report /></div> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}

/// What a probe saw: the verdict, then each layer with its latency, then the EKMs.
#[component]
pub fn ProbeReport(report: PreflightReport) -> impl IntoView {
    let class = if report.passed {
        "ok"
    } else if report.checked {
        "banner error"
    } else {
        "banner warning"
    };
    view! {
        <div class="probe" data-testid="probe">
            <p class=class data-testid="probe-verdict">{report.verdict.clone()}</p>
            <p><code>{report.url.clone()}</code></p>
            <table class="steps" data-testid="probe-layers">
                <thead><tr><th>"Layer"</th><th>"Result"</th><th>"Latency"</th><th>"Detail"</th></tr></thead>
                <tbody>
                    {report.layers.iter().map(|l| view! {
                        <tr class=if l.ok { "step-done" } else { "step-failed" } data-testid=format!("layer-{}", l.name.to_lowercase())>
                            <td>{l.name.clone()}</td>
                            <td>{if l.ok { "ok" } else { "failed" }}</td>
                            <td>{format!("{} ms", l.latency_ms)}</td>
                            <td>{l.detail.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p>
                {match report.credential_accepted {
                    Some(true) => "Credential: accepted.".to_string(),
                    Some(false) => "Credential: rejected.".to_string(),
                    None => "Credential: not checked.".to_string(),
                }}
                " "
                {if report.ekms.is_empty() { String::new() } else {
                    format!("External key managers: {}.", report.ekms.iter().map(|e| format!("{} {}", e.id, e.health)).collect::<Vec<_>>().join(", "))
                }}
            </p>
        </div>
    }
}
