//! `/notifications`: where the failure notifications went, for operators. A delivery that every
//! attempt failed shows its last error, so a broken webhook is found before the next failure.

use crate::domain::notification::{Delivery, DeliveryStatus};
use crate::error::AppError;
use crate::widgets::format::created_time;
use leptos::prelude::*;

#[server(endpoint = "notifications/list")]
pub async fn list_deliveries() -> Result<Vec<Delivery>, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        guard::require_operator().await?;
        services()?.workflows.deliveries().await
    })
    .await
}

fn subject(d: &Delivery) -> AnyView {
    let target = format!("{} {}", d.target.account, d.target.region);
    match (&d.store_id, &d.store_name) {
        (Some(id), Some(name)) => view! {
            <a href=d.target.store(id).href("")>{name.clone()}</a>
            <span class="note">{format!(" ({target})")}</span>
        }
        .into_any(),
        _ => view! { <span>{target}</span> }.into_any(),
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let deliveries = Resource::new(|| (), |_| list_deliveries());
    view! {
        <h1>"Notifications"</h1>
        <p class="note">
            "Each failure the console's watcher sees (a store entering or leaving FAILED, a target "
            "becoming unreadable) is POSTed to every " <code>"--notify-webhook"</code>
            ", with retries. Receivers are shown by host only."
        </p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match deliveries.await {
                    Ok(list) if list.is_empty() => view! { <p data-testid="no-deliveries">"No notifications sent yet."</p> }.into_any(),
                    Ok(list) => {
                        let failed = list.iter().filter(|d| d.status == DeliveryStatus::Failed).count();
                        view! {
                            {(failed > 0).then(|| view! {
                                <p class="banner error" role="alert" data-testid="failed-deliveries">
                                    {format!("{failed} {} could not be delivered.", if failed == 1 { "notification" } else { "notifications" })}
                                </p>
                            })}
                            <table data-testid="deliveries">
                                <thead><tr><th>"Seen (UTC)"</th><th>"Event"</th><th>"About"</th><th>"Receiver"</th><th>"Status"</th><th>"Attempts"</th><th>"Last error"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| view! {
                                        <tr data-testid="delivery" class=format!("delivery-{}", d.status.as_str())>
                                            <td>{created_time(d.at_ms)}</td>
                                            <td>{d.event.clone()}</td>
                                            <td>{subject(&d)}</td>
                                            <td>{d.receiver.clone()}</td>
                                            <td data-testid="delivery-status">{d.status.as_str()}</td>
                                            <td>{d.attempts}</td>
                                            <td>{d.last_error.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
