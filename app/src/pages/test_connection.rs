//! `/stores/{account}/{region}/{id}/test`: the preflight's probe against the store's settings,
//! layer by layer, and again with the secret access key when the operator gives it.

use crate::domain::change::run::PreflightReport;
use crate::domain::store::StoreRef;
use crate::domain::user::Secret;
use crate::error::AppError;
use crate::pages::use_store_ref;
use crate::widgets::probe_report::ProbeReport;
use crate::widgets::StoreInputs;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[server(endpoint = "stores/test-connection")]
pub async fn test_connection(
    #[server(flatten)] store: StoreRef,
    secret: Option<Secret>,
) -> Result<PreflightReport, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        guard::require_user().await?;
        services()?
            .workflows
            .test_connection(&store.target(), &store.id, secret)
            .await
    })
    .await
}

#[component]
pub fn TestConnectionPage() -> impl IntoView {
    let store_ref = use_store_ref();
    let first = Resource::new(move || store_ref.get(), |s| test_connection(s, None));
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
                <StoreInputs store=store_ref.get_untracked() />
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
