//! The demo control panel (simulator only): break and mend the world behind KMS on purpose, and
//! watch the stores react at their next connect, as they would with AWS.

use crate::domain::demo::{DemoAction, DemoWorld};
use crate::error::AppError;
use crate::session::{can_change, SessionResource};
use crate::widgets::OPERATORS_ONLY;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[server(endpoint = "demo/world")]
pub async fn get_demo_world() -> Result<DemoWorld, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async {
        guard::require_user().await?;
        services()?.demo()?.world().await
    })
    .await
}

/// `target` names a proxy (`host path-prefix`) or a cluster ID; Reset needs none.
#[server(endpoint = "demo/act")]
pub async fn demo_act(action: String, target: Option<String>) -> Result<String, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let action = DemoAction::parse(&action)
            .ok_or_else(|| AppError::invalid("Action", "unknown demo action"))?;
        let services = services()?;
        let message = services
            .demo()?
            .act(action, target.unwrap_or_default().trim())
            .await?;
        tracing::info!(actor = %user.username, ?action, "demo fault");
        // The world behind KMS changed: the console reads its targets again before answering.
        services.stores.refresh().await;
        Ok(message)
    })
    .await
}

#[component]
pub fn DemoPage() -> impl IntoView {
    let act = ServerAction::<DemoAct>::new();
    let world = Resource::new(move || act.version().get(), |_| get_demo_world());
    let outcome = move || {
        act.value().get().map(|r| match r {
            Ok(m) => {
                view! { <p class="ok" role="status" data-testid="demo-outcome">{m}</p> }.into_any()
            }
            Err(e) => view! { <p class="banner error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let session = expect_context::<SessionResource>();
    let button = move |action: DemoAction, target: String, enabled: bool| {
        view! {
            <ActionForm action=act attr:class="inline">
                <input type="hidden" name="action" value=action.key() />
                <input type="hidden" name="target" value=target />
                <button type="submit" disabled=!enabled>{action.label()}</button>
            </ActionForm>
        }
    };
    view! {
        <h1>"Demo control panel"</h1>
        <p class="note">
            "Break and mend what stands behind KMS in the simulator. As with AWS, a store notices at its next connect (or an update's health check): disconnect and connect it to see the effect."
        </p>
        {outcome}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let enabled = can_change(session).await;
                let button = move |action, target| button(action, target, enabled);
                match world.await {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(w) => view! {
                        {(!enabled).then(|| view! { <p class="note reason" data-testid="viewer-note">{OPERATORS_ONLY}</p> })}
                        <section class="card">
                            <h2>"XKS proxies"</h2>
                            <table data-testid="demo-proxies">
                                <thead><tr><th>"Proxy"</th><th>"Access key IDs"</th><th>"State"</th><th>"Break or mend"</th></tr></thead>
                                <tbody>
                                    {w.proxies.into_iter().map(|p| {
                                        let target = format!("{} {}", p.host, p.path_prefix);
                                        let mut state = Vec::new();
                                        if p.down { state.push("down"); }
                                        if p.slow { state.push("slow"); }
                                        if p.ekms_unavailable { state.push("EKMs unavailable"); }
                                        if p.wrong_certificate { state.push("wrong certificate"); }
                                        if p.denies_kms { state.push("authorization denies KMS"); }
                                        let state = if state.is_empty() { "healthy".to_string() } else { state.join(", ") };
                                        let href = format!("/api/demo/proxy-config?host={}&prefix={}", p.host, p.path_prefix);
                                        view! {
                                            <tr data-testid="demo-proxy" data-proxy=target.clone()>
                                                <td><code>{format!("https://{}{}", p.host, p.uri_path)}</code></td>
                                                <td>{p.access_key_ids.join(", ")}</td>
                                                <td>{state}</td>
                                                <td class="demo-actions">
                                                    {button(if p.down { DemoAction::ProxyUp } else { DemoAction::ProxyDown }, target.clone())}
                                                    {button(if p.slow { DemoAction::ProxyFast } else { DemoAction::ProxySlow }, target.clone())}
                                                    {button(if p.ekms_unavailable { DemoAction::EkmsAvailable } else { DemoAction::EkmsUnavailable }, target.clone())}
                                                    {button(if p.wrong_certificate { DemoAction::RightCertificate } else { DemoAction::WrongCertificate }, target.clone())}
                                                    {button(if p.denies_kms { DemoAction::AllowKms } else { DemoAction::DenyKms }, target.clone())}
                                                    {button(DemoAction::RotateCredential, target.clone())}
                                                    // It holds the secret: operators only.
                                                    {enabled.then(|| view! { <a href=href download="proxy-configuration.json">"Download configuration file"</a> })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                        <section class="card">
                            <h2>"CloudHSM clusters"</h2>
                            <table data-testid="demo-clusters">
                                <thead><tr><th>"Cluster"</th><th>"Account and Region"</th><th>"HSMs"</th><th>"kmsuser"</th><th>"Break or mend"</th></tr></thead>
                                <tbody>
                                    {w.clusters.into_iter().map(|c| view! {
                                        <tr data-testid="demo-cluster" data-cluster=c.id.clone()>
                                            <td><code>{c.id.clone()}</code></td>
                                            <td>{format!("{} {}", c.account, c.region)}</td>
                                            <td>{format!("{} of {} active", c.active_hsms, c.hsms)}</td>
                                            <td>{if c.kmsuser_locked_out { "locked out" } else { "ok" }}</td>
                                            <td class="demo-actions">
                                                {button(if c.active_hsms == 0 { DemoAction::RestoreHsms } else { DemoAction::LoseHsms }, c.id.clone())}
                                                {button(if c.kmsuser_locked_out { DemoAction::UnlockKmsuser } else { DemoAction::LockOutKmsuser }, c.id.clone())}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                        <section class="card">
                            <h2>"KMS by account and Region"</h2>
                            <table data-testid="demo-regions">
                                <thead><tr><th>"Account and Region"</th><th>"KMS"</th><th>"Break or mend"</th></tr></thead>
                                <tbody>
                                    {w.regions.into_iter().map(|r| view! {
                                        <tr data-testid="demo-region" data-region=r.target()>
                                            <td>{format!("{} {}", r.account, r.region)}</td>
                                            <td>{if r.unavailable { "unavailable" } else { "available" }}</td>
                                            <td class="demo-actions">
                                                {button(if r.unavailable { DemoAction::KmsUp } else { DemoAction::KmsDown }, r.target())}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                        <section class="card">
                            <h2>"Everything"</h2>
                            <p class="note">"Forget every change to the simulator and load the demo stores again."</p>
                            {button(DemoAction::Reset, String::new())}
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
