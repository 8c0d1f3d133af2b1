//! The backend page: who is signed in and which KMS the console manages.

use crate::domain::user::BackendInfo;
use crate::error::AppError;
use crate::session::SessionResource;
use leptos::prelude::*;

/// The backend in full, for a signed-in user: the simulator's endpoint, or every AWS target with
/// its account. The header's line comes with the session; this list only with this page.
#[server(endpoint = "backend")]
pub async fn get_backend() -> Result<BackendInfo, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async {
        guard::require_user().await?;
        Ok(BackendInfo::clone(&services()?.backend))
    })
    .await
}

#[component]
pub fn AboutPage() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    let backend = Resource::new(|| (), |_| get_backend());
    view! {
        <h1>"Backend"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (session.await, backend.await) {
                    (Ok(info), Ok(backend)) => {
                        view! {
                            <p>
                                "Signed in as "
                                <strong>
                                    {info.user.as_ref().map(|u| u.username.clone()).unwrap_or_default()}
                                </strong> "."
                            </p>
                            <BackendDetails backend />
                        }
                            .into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        view! { <p class="error">{e.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn BackendDetails(backend: BackendInfo) -> impl IntoView {
    match backend {
        BackendInfo::Simulator { endpoint } => view! {
            <section class="card">
                <h2>"Backend: embedded simulator"</h2>
                <p>
                    "The console talks to kms-sim, a local stand-in for AWS KMS custom key stores, "
                    "through aws-sdk-kms at " <code data-testid="sim-endpoint">{endpoint}</code> ". No AWS account is used."
                </p>
            </section>
        }
        .into_any(),
        BackendInfo::Aws { targets } => view! {
            <section class="card">
                <h2>"Backend: AWS KMS"</h2>
                <table>
                    <thead>
                        <tr>
                            <th>"Profile"</th>
                            <th>"Region"</th>
                            <th>"Account"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {targets
                            .into_iter()
                            .map(|t| {
                                let account = t
                                    .account
                                    .clone()
                                    .unwrap_or_else(|| {
                                        format!("unknown: {}", t.problem.clone().unwrap_or_default())
                                    });
                                view! {
                                    <tr>
                                        <td>{t.profile}</td>
                                        <td>{t.region}</td>
                                        <td>{account}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </section>
        }
        .into_any(),
    }
}
