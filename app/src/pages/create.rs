//! Create a custom key store of either type (reference §1.2), with the proxy configuration file
//! upload for XKS as in the AWS console, the model's checks, and the preflight.

use crate::api::list_key_stores;
use crate::domain::kms::{CustomKeyStoreType, StoreKind, XksProxyConnectivity};
use crate::domain::user::Secret;
use crate::error::AppError;
use crate::widgets::config_file::read_config_file;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "stores/create")]
pub async fn create_key_store(
    target: String,
    store_type: String,
    name: String,
    cluster_id: Option<String>,
    trust_anchor_certificate: Option<String>,
    password: Option<Secret>,
    connectivity: Option<String>,
    endpoint: Option<String>,
    path: Option<String>,
    vpc_name: Option<String>,
    vpc_owner: Option<String>,
    access_key_id: Option<String>,
    secret: Option<Secret>,
    override_preflight: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::change::create::{build_create, CreateForm};
    use crate::domain::store::TargetRef;
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let (account, region) = target
            .split_once('/')
            .ok_or_else(|| AppError::invalid("Account and Region", "choose one"))?;
        let target = TargetRef {
            account: account.to_string(),
            region: region.to_string(),
        };
        let form = CreateForm {
            name,
            store_type,
            cluster_id: cluster_id.unwrap_or_default(),
            trust_anchor_certificate: trust_anchor_certificate.unwrap_or_default(),
            password: password.unwrap_or_default(),
            connectivity: connectivity.unwrap_or_default(),
            endpoint: endpoint.unwrap_or_default(),
            path: path.unwrap_or_default(),
            vpc_name: vpc_name.unwrap_or_default(),
            vpc_owner: vpc_owner.unwrap_or_default(),
            access_key_id: access_key_id.unwrap_or_default(),
            secret: secret.unwrap_or_default(),
        };
        let request = build_create(&form).map_err(AppError::InvalidForm)?;
        let services = services()?;
        // reference §1.2: KMS probes a public proxy during Create; check it first.
        if let (Some(endpoint), Some(path), Some((akid, secret))) =
            (&request.endpoint, &request.path, &request.credential)
        {
            let report = services
                .workflows
                .probe(&target, endpoint, path, akid, secret)
                .await;
            if report.blocks() && override_preflight.as_deref() != Some("yes") {
                return Err(AppError::Conflict(format!(
                    "Preflight failed: {} Fix the settings, or tick \"Create anyway\".",
                    report.verdict
                )));
            }
        }
        let id = services.stores.create(&target, &request).await?;
        services
            .workflows
            .record(crate::domain::change::run::AuditEntry {
                at_ms: crate::domain::change::run::now_ms(),
                user: user.username.clone(),
                action: "create".into(),
                target: target.clone(),
                store_id: id.clone(),
                store_name: request.name.clone(),
                run_id: None,
                fields: Vec::new(),
                outcome: "created".into(),
                detail: "CreateCustomKeyStore accepted; new stores are DISCONNECTED.".into(),
            })
            .await?;
        tracing::info!(actor = %user.username, store = %id, "store created");
        leptos_axum::redirect(&format!(
            "/stores/{}/{}/{id}",
            target.account, target.region
        ));
        Ok(())
    })
    .await
}

#[component]
pub fn CreatePage() -> impl IntoView {
    let query = use_query_map();
    let connectivity = RwSignal::new(XksProxyConnectivity::PublicEndpoint.to_string());
    // The list's "Create key store" link names no type: an external key store, unless asked.
    let xks = move || {
        query
            .read()
            .get("type")
            .map(|t| CustomKeyStoreType::parse(&t))
            != Some(CustomKeyStoreType::AwsCloudHsm)
    };
    let vpc = move || {
        XksProxyConnectivity::parse(&connectivity.get()) == XksProxyConnectivity::VpcEndpointService
    };
    let fleet = Resource::new(|| (), |_| list_key_stores());
    let create = ServerAction::<CreateKeyStore>::new();
    let path = RwSignal::new(String::new());
    let akid = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let file_note: RwSignal<Option<Result<Vec<String>, String>>> = RwSignal::new(None);
    let on_file = move |ev: leptos::ev::Event| {
        read_config_file(ev, move |parsed| match parsed {
            Ok(f) => {
                if let Some(p) = f.uri_path {
                    path.set(p);
                }
                if let Some((a, s)) = f.credential {
                    akid.set(a);
                    secret.set(s.expose().to_string());
                }
                file_note.set(Some(Ok(f.warnings)));
            }
            Err(e) => file_note.set(Some(Err(e))),
        })
    };
    let error = move || {
        create.value().get().and_then(|r| r.err()).map(|e| match e {
            AppError::InvalidForm(list) => view! {
                <div class="banner error" role="alert"><ul>{list.into_iter().map(|e| view! { <li>{e.message}</li> }).collect_view()}</ul></div>
            }.into_any(),
            other => view! { <p class="banner error" role="alert">{other.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <h1>"Create a key store"</h1>
        <p>
            <a href="/create?type=EXTERNAL_KEY_STORE">"External key store (XKS)"</a>
            " · "
            <a href="/create?type=AWS_CLOUDHSM">"CloudHSM key store"</a>
        </p>
        <p class="note">"New key stores are always DISCONNECTED; connect one from its page when you are ready."</p>
        {error}
        {move || xks().then(|| view! {
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
        <ActionForm action=create>
            <fieldset class="card edit">
                <input type="hidden" name="store_type" value=move || if xks() { StoreKind::External } else { StoreKind::CloudHsm }.store_type().to_string() />
                <label for="target">"Account and Region"</label>
                <Transition fallback=|| view! { <select id="target" name="target"></select> }>
                    {move || Suspend::new(async move {
                        let targets = fleet.await.map(|f| f.targets).unwrap_or_default();
                        view! {
                            <select id="target" name="target">
                                {targets.into_iter().map(|t| {
                                    let v = format!("{}/{}", t.account, t.region);
                                    view! { <option value=v.clone()>{v.replace('/', " ")}</option> }
                                }).collect_view()}
                            </select>
                        }
                    })}
                </Transition>
                <label for="name">"Key store name"</label>
                <input id="name" name="name" type="text" required />
                {move || if xks() {
                    view! {
                        <label for="connectivity">"Proxy connectivity"</label>
                        <select id="connectivity" name="connectivity" on:change=move |ev| connectivity.set(event_target_value(&ev))>
                            {XksProxyConnectivity::KNOWN.iter().map(|c| view! { <option value=c.to_string()>{c.to_string()}</option> }).collect_view()}
                        </select>
                        <label for="endpoint">"Proxy URI endpoint"</label>
                        <input id="endpoint" name="endpoint" type="text" placeholder="https://proxy.example.com" />
                        <label for="path">"Proxy URI path"</label>
                        <input id="path" name="path" type="text" placeholder="/example-prefix/kms/xks/v1" value=path.get_untracked() prop:value=path on:input=move |ev| path.set(event_target_value(&ev)) />
                        <label for="vpc_name">"VPC endpoint service name (VPC_ENDPOINT_SERVICE only)"</label>
                        <input id="vpc_name" name="vpc_name" type="text" disabled=move || !vpc() />
                        <label for="vpc_owner">"VPC endpoint service owner (optional)"</label>
                        <input id="vpc_owner" name="vpc_owner" type="text" disabled=move || !vpc() />
                        <label for="access_key_id">"Access key ID"</label>
                        <input id="access_key_id" name="access_key_id" type="text" value=akid.get_untracked() prop:value=akid on:input=move |ev| akid.set(event_target_value(&ev)) />
                        <label for="secret">"Secret access key"</label>
                        <input id="secret" name="secret" type="password" autocomplete="off" prop:value=secret on:input=move |ev| secret.set(event_target_value(&ev)) />
                        <label class="confirm">
                            <input type="checkbox" name="override_preflight" value="yes" />
                            " Create anyway if the preflight fails"
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <label for="cluster_id">"CloudHSM cluster ID"</label>
                        <input id="cluster_id" name="cluster_id" type="text" placeholder="cluster-1234567abcd" />
                        <label for="trust_anchor_certificate">"Trust anchor certificate (contents of customerCA.crt)"</label>
                        <textarea id="trust_anchor_certificate" name="trust_anchor_certificate" rows="6"></textarea>
                        <label for="password">"kmsuser password"</label>
                        <input id="password" name="password" type="password" autocomplete="new-password" />
                    }.into_any()
                }}
                <button type="submit">"Create key store"</button>
            </fieldset>
        </ActionForm>
    }
}
