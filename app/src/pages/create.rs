//! `/create`: a custom key store of either type (reference §1.2), with the proxy configuration
//! file upload for XKS as in the AWS console, the model's checks, and the preflight.

use crate::api::list_key_stores;
use crate::domain::change::create::CreateForm;

use crate::domain::change::form::checkbox;
use crate::domain::change::{Field, FieldError};
use crate::domain::kms::{CustomKeyStoreType, StoreKind, XksProxyConnectivity};
use crate::error::AppError;
use crate::session::{can_change, SessionResource};
use crate::widgets::config_file::{fill_form_from_file, FileNote};
use crate::widgets::field::{FieldInput, FormValues};
use crate::widgets::OPERATORS_ONLY;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// What the create form sends: the target (`account/region`), the form's inputs and whether
/// to create even when the preflight fails.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CreateInput {
    pub target: String,
    #[serde(flatten)]
    pub form: CreateForm,
    #[serde(default, deserialize_with = "checkbox")]
    pub override_preflight: bool,
}

#[server(endpoint = "stores/create")]
pub async fn create_key_store(#[server(flatten)] input: CreateInput) -> Result<(), AppError> {
    use crate::domain::change::create::build_create;
    use crate::domain::change::run::AuditEntry;
    use crate::domain::store::TargetRef;
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let target = TargetRef::from_key(&input.target)
            .ok_or_else(|| AppError::invalid("Account and Region", "choose one"))?;
        let request = build_create(&input.form).map_err(AppError::InvalidForm)?;
        let services = services()?;
        // reference §1.2: KMS probes a public proxy during Create; check it first.
        if let (Some(endpoint), Some(path), Some((akid, secret))) =
            (&request.endpoint, &request.path, &request.credential)
        {
            let report = services
                .workflows
                .probe(&target, endpoint, path, akid, secret)
                .await;
            if report.blocks() && !input.override_preflight {
                return Err(AppError::Conflict(format!(
                    "Preflight failed: {} Fix the settings, or tick \"Create anyway\".",
                    report.verdict
                )));
            }
        }
        let id = services.stores.create(&target, &request).await?;
        let store = target.store(&id);
        services
            .workflows
            .record(
                AuditEntry::new(&user.username, "create", store.clone(), &request.name).with(
                    "created",
                    "CreateCustomKeyStore accepted; new stores are DISCONNECTED.",
                ),
            )
            .await?;
        tracing::info!(actor = %user.username, store = %id, "store created");
        guard::redirect(&store.href(""));
        Ok(())
    })
    .await
}

#[component]
pub fn CreatePage() -> impl IntoView {
    let query = use_query_map();
    // The list's "Create key store" link names no type: an external key store, unless asked.
    let kind = move || match query
        .read()
        .get("type")
        .map(|t| CustomKeyStoreType::parse(&t))
    {
        Some(CustomKeyStoreType::AwsCloudHsm) => StoreKind::CloudHsm,
        _ => StoreKind::External,
    };
    let values = FormValues::new(|input| match input {
        "connectivity" => Field::Connectivity.choices().remove(0),
        _ => String::new(),
    });
    let vpc = move || {
        XksProxyConnectivity::parse(&values.get(Field::Connectivity.key()))
            == XksProxyConnectivity::VpcEndpointService
    };
    let fleet = Resource::new(|| (), |_| list_key_stores());
    let session = expect_context::<SessionResource>();
    let create = ServerAction::<CreateKeyStore>::new();
    let file_note: FileNote = RwSignal::new(None);
    let on_file = fill_form_from_file(values, file_note);
    // The server's messages, each shown at its field too.
    let errors = Signal::derive(move || match create.value().get() {
        Some(Err(AppError::InvalidForm(list))) => list,
        _ => Vec::<FieldError>::new(),
    });
    let error = move || {
        create.value().get().and_then(|r| r.err()).map(|e| match e {
            AppError::InvalidForm(list) => view! {
                <div class="banner error" role="alert"><ul>{list.into_iter().map(|e| view! { <li>{e.message}</li> }).collect_view()}</ul></div>
            }.into_any(),
            other => view! { <p class="banner error" role="alert">{other.to_string()}</p> }.into_any(),
        })
    };
    let fields = move |kind: StoreKind| {
        Field::fields_for(kind)
            .into_iter()
            .map(|field| {
                let disabled = Signal::derive(move || field.is_vpc_only() && !vpc());
                view! {
                    <FieldInput field member=field.create_member() values errors disabled />
                    {(field == Field::CloudHsmClusterId).then(|| view! {
                        <label for="trust_anchor_certificate">"Trust anchor certificate " <code>"TrustAnchorCertificate"</code> " (contents of customerCA.crt)"</label>
                        <textarea id="trust_anchor_certificate" name="trust_anchor_certificate" rows="6"></textarea>
                    })}
                }
            })
            .collect_view()
    };
    view! {
        <h1>"Create a key store"</h1>
        <p>
            <a href=format!("/create?type={}", StoreKind::External.store_type())>"External key store (XKS)"</a>
            " · "
            <a href=format!("/create?type={}", StoreKind::CloudHsm.store_type())>"CloudHSM key store"</a>
        </p>
        <p class="note">"New key stores are always DISCONNECTED; connect one from its page when you are ready."</p>
        {error}
        {move || (kind() == StoreKind::External).then(|| view! {
            <section class="card upload">
                <h2>"Proxy configuration file"</h2>
                <label for="config-file">"Upload configuration file"</label>
                <input id="config-file" type="file" accept=".json,application/json" on:change=on_file />
                {move || file_note.get().map(|n| match n {
                    Ok(_) => view! { <p class="ok" role="status" data-testid="file-status">"The file filled in the proxy URI path and credential."</p> }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert" data-testid="file-status">{e}</p> }.into_any(),
                })}
            </section>
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let can_change = can_change(session).await;
                view! {
                    {(!can_change).then(|| view! { <p class="banner warning" data-testid="viewer-note">{OPERATORS_ONLY}</p> })}
                    <ActionForm action=create>
                        <fieldset class="card edit" disabled=!can_change>
                            <input type="hidden" name="store_type" value=move || kind().store_type().to_string() />
                            <label for="target">"Account and Region"</label>
                            <Transition fallback=|| view! { <select id="target" name="target"></select> }>
                                {move || Suspend::new(async move {
                                    let targets = fleet.await.map(|f| f.targets).unwrap_or_default();
                                    view! {
                                        <select id="target" name="target">
                                            {targets.into_iter().map(|t| {
                                                let shown = format!("{} {}", t.account, t.region);
                                                view! { <option value=t.key()>{shown}</option> }
                                            }).collect_view()}
                                        </select>
                                    }
                                })}
                            </Transition>
                            {move || fields(kind())}
                            {move || (kind() == StoreKind::External).then(|| view! {
                                <label class="confirm">
                                    <input type="checkbox" name="override_preflight" value="yes" />
                                    " Create anyway if the preflight fails"
                                </label>
                            })}
                            <button type="submit">"Create key store"</button>
                        </fieldset>
                    </ActionForm>
                }
            })}
        </Transition>
    }
}
