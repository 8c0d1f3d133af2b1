//! `/stores/{account}/{region}/{id}/edit`: exactly the fields UpdateCustomKeyStore takes for the
//! store's type, each marked for the store's state (reference §1.4, §6), prefilled from a proxy
//! configuration file (reference §5), checked as the operator types and again on the server.

use crate::domain::change::{build_change, field_status, ChangeForm, Field, FieldError, Settings};
use crate::domain::kms::{ConnectionState, StoreKind, XksProxyConnectivity};
use crate::domain::store::StoreDetail;
use crate::domain::user::Secret;
use crate::error::AppError;
use crate::widgets::config_file::read_config_file;
use crate::widgets::secret_input::SecretInput;
use crate::widgets::{StateBadge, StoreInputs};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What the edit page needs: the store, the fingerprint of its settings, and a file uploaded
/// without JavaScript (its secret stays on the server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditForm {
    pub detail: StoreDetail,
    pub fingerprint: String,
    pub upload: Option<UploadedFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub id: String,
    pub path: Option<String>,
    pub access_key_id: Option<String>,
    pub has_secret: bool,
    pub warnings: Vec<String>,
}

#[server(endpoint = "stores/edit-form")]
pub async fn get_edit_form(
    account: String,
    region: String,
    id: String,
    upload: Option<String>,
) -> Result<EditForm, AppError> {
    use crate::domain::store::TargetRef;
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_user().await?;
        let services = services()?;
        let detail = services
            .stores
            .describe(&TargetRef { account, region }, &id)
            .await?;
        let mut uploaded = None;
        if let Some(u) = upload.filter(|u| !u.is_empty()) {
            let file = services.workflows.upload(&user, &u).await.ok_or_else(|| {
                AppError::NotFound("The uploaded file has expired; upload it again.".into())
            })?;
            uploaded = Some(UploadedFile {
                id: u,
                path: file.uri_path.clone(),
                access_key_id: file.credential.as_ref().map(|(a, _)| a.clone()),
                has_secret: file.credential.is_some(),
                warnings: file.warnings.clone(),
            });
        }
        Ok(EditForm {
            fingerprint: Settings::of(&detail).fingerprint(),
            detail,
            upload: uploaded,
        })
    })
    .await
}

/// Checks the change, runs the preflight and opens the review page.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "stores/review")]
pub async fn review_change(
    account: String,
    region: String,
    id: String,
    fingerprint: String,
    upload: Option<String>,
    name: String,
    password: Option<Secret>,
    cluster_id: Option<String>,
    connectivity: Option<String>,
    endpoint: Option<String>,
    path: Option<String>,
    vpc_name: Option<String>,
    vpc_owner: Option<String>,
    access_key_id: Option<String>,
    secret: Option<Secret>,
    reconnect: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::store::TargetRef;
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let form = ChangeForm {
            name,
            password: password.unwrap_or_default(),
            cluster_id: cluster_id.unwrap_or_default(),
            connectivity: connectivity.unwrap_or_default(),
            endpoint: endpoint.unwrap_or_default(),
            path: path.unwrap_or_default(),
            vpc_name: vpc_name.unwrap_or_default(),
            vpc_owner: vpc_owner.unwrap_or_default(),
            access_key_id: access_key_id.unwrap_or_default(),
            secret: secret.unwrap_or_default(),
            reconnect: reconnect.as_deref() == Some("yes"),
        };
        let draft = services()?
            .workflows
            .review(
                &user,
                TargetRef { account, region },
                &id,
                &fingerprint,
                form,
                upload,
            )
            .await?;
        leptos_axum::redirect(&format!("/review/{draft}"));
        Ok(())
    })
    .await
}

/// The upload without JavaScript: a multipart form with the store and the file. The file is
/// parsed on the server and kept in memory; the edit page shows what it filled in.
#[server(endpoint = "stores/upload-config", input = MultipartFormData)]
pub async fn upload_proxy_config(data: MultipartData) -> Result<(), AppError> {
    use crate::domain::change::{parse_proxy_config, MAX_CONFIG_BYTES};
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let mut data = data
            .into_inner()
            .ok_or_else(|| AppError::invalid("file", "expected a multipart upload"))?;
        let mut fields: std::collections::HashMap<String, String> = Default::default();
        let mut file: Option<Vec<u8>> = None;
        let bad = |e: multer::Error| {
            AppError::invalid("file", format!("the upload could not be read ({e})"))
        };
        while let Some(mut field) = data.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                bytes.extend_from_slice(&chunk);
                // Stop reading past the limit; the parser reports the size.
                if bytes.len() > MAX_CONFIG_BYTES {
                    break;
                }
            }
            if name == "file" {
                file = Some(bytes);
            } else if bytes.len() <= 1024 {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let (account, region, id) = (get("account"), get("region"), get("id"));
        let file = file
            .filter(|f| !f.is_empty())
            .ok_or_else(|| AppError::invalid("Proxy configuration file", "choose a file first"))?;
        let parsed = parse_proxy_config(&file)
            .map_err(|e| AppError::invalid("Proxy configuration file", e.to_string()))?;
        let upload = services()?.workflows.keep_upload(&user, parsed).await;
        let safe = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !(safe(&account) && safe(&region) && safe(&id)) {
            return Err(AppError::invalid("store", "unknown store"));
        }
        let fix = if get("fix") == "1" { "&fix=1" } else { "" };
        leptos_axum::redirect(&format!(
            "/stores/{account}/{region}/{id}/edit?upload={upload}{fix}"
        ));
        Ok(())
    })
    .await
}

#[component]
pub fn EditPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.read();
        (
            p.get("account").unwrap_or_default(),
            p.get("region").unwrap_or_default(),
            p.get("id").unwrap_or_default(),
            query.read().get("upload"),
        )
    };
    let form = Resource::new(key, |(a, r, i, u)| get_edit_form(a, r, i, u));
    // An upload refused without JavaScript comes back in the URL (server_fn's error redirect).
    let upload_error = move || {
        let q = query.read();
        let path = q.get("__path")?;
        if !path.ends_with("stores/upload-config") {
            return None;
        }
        let err = q.get("__err")?;
        Some(leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&err).to_string())
    };
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(f) => view! { <EditView form=f upload_error=upload_error() fix=query.read_untracked().get("fix").is_some() /> }.into_any(),
                    Err(e) => view! { <h1>"Edit key store"</h1><p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EditView(form: EditForm, upload_error: Option<String>, fix: bool) -> impl IntoView {
    let detail = form.detail.clone();
    let row = detail.row.clone();
    let kind = row.store_type.kind().unwrap_or(StoreKind::External);
    let now = Settings::of(&detail);
    let uploaded = form.upload.clone();
    // The store's settings, with what an uploaded file filled in over them.
    let initial = ChangeForm::of(&now);
    let from_file = |f: fn(&UploadedFile) -> Option<String>, current: &String| {
        uploaded
            .as_ref()
            .and_then(f)
            .unwrap_or_else(|| current.clone())
    };
    let name = RwSignal::new(initial.name.clone());
    let password = RwSignal::new(String::new());
    let cluster_id = RwSignal::new(initial.cluster_id.clone());
    let connectivity = RwSignal::new(initial.connectivity.clone());
    let endpoint = RwSignal::new(initial.endpoint.clone());
    let path = RwSignal::new(from_file(|u| u.path.clone(), &initial.path));
    let vpc_name = RwSignal::new(initial.vpc_name.clone());
    let vpc_owner = RwSignal::new(initial.vpc_owner.clone());
    let access_key_id = RwSignal::new(from_file(
        |u| u.access_key_id.clone(),
        &initial.access_key_id,
    ));
    let secret = RwSignal::new(String::new());
    // Fixing a failed store ends with it connected; so does any change of a connected one.
    let reconnect = RwSignal::new(row.state == ConnectionState::Connected || fix);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    // What the file picked in the browser said: its warnings, or why it was refused.
    let file_note: RwSignal<Option<Result<Vec<String>, String>>> =
        RwSignal::new(match (&uploaded, &upload_error) {
            (_, Some(e)) => Some(Err(e.clone())),
            (Some(u), None) => Some(Ok(u.warnings.clone())),
            _ => None,
        });
    let server_secret = uploaded.as_ref().is_some_and(|u| u.has_secret);

    let review = ServerAction::<ReviewChange>::new();
    let detail_for_check = detail.clone();
    let current = move || ChangeForm {
        name: name.get(),
        password: Secret::new(password.get()),
        cluster_id: cluster_id.get(),
        connectivity: connectivity.get(),
        endpoint: endpoint.get(),
        path: path.get(),
        vpc_name: vpc_name.get(),
        vpc_owner: vpc_owner.get(),
        access_key_id: access_key_id.get(),
        // A secret uploaded without JavaScript waits on the server; count it as given.
        secret: Secret::new(if server_secret && secret.get().is_empty() {
            "x".repeat(44)
        } else {
            secret.get()
        }),
        reconnect: reconnect.get(),
    };
    // The same checks the server makes, as the operator types.
    let errors = Memo::new(move |_| match build_change(&detail_for_check, &current()) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    });
    let error_for = move |input: &'static str| {
        move || {
            errors
                .get()
                .into_iter()
                .filter(|e: &FieldError| e.input == input)
                .map(|e| view! { <p class="field-error" role="alert">{e.message}</p> })
                .collect_view()
        }
    };
    let state = StoredValue::new(row.state.clone());
    let status = move |field: Field| {
        move || {
            let connectivity = XksProxyConnectivity::parse(&connectivity.get());
            state.with_value(|s| field_status(field, kind, s, Some(&connectivity)))
        }
    };
    let marker = move |field: Field| {
        let st = status(field);
        move || {
            let s = st();
            view! {
                <span class=format!("edit-badge {}", s.editability.css()) data-testid=format!("badge-{}", field.key())>
                    {s.editability.badge()}
                </span>
                <span class="edit-reason">{s.reason}</span>
            }
        }
    };
    let usable = move |field: Field| {
        let st = status(field);
        move || st().editability.accepts_input()
    };
    let outcome = move || {
        review.value().get().and_then(|r| r.err()).map(|e| match e {
            AppError::InvalidForm(list) => view! {
                <div class="banner error" role="alert">
                    <p>"The change was not accepted:"</p>
                    <ul>{list.into_iter().map(|e| view! { <li>{e.message}</li> }).collect_view()}</ul>
                </div>
            }
            .into_any(),
            other => view! { <p class="banner error" role="alert">{other.to_string()}</p> }.into_any(),
        })
    };
    let on_file = move |ev: leptos::ev::Event| {
        read_config_file(ev, move |parsed| match parsed {
            Ok(f) => {
                if let Some(p) = f.uri_path {
                    path.set(p);
                }
                if let Some((a, s)) = f.credential {
                    access_key_id.set(a);
                    secret.set(s.expose().to_string());
                }
                file_note.set(Some(Ok(f.warnings)));
            }
            Err(e) => file_note.set(Some(Err(e))),
        })
    };
    let is_xks = kind == StoreKind::External;
    let busy = row.state.is_transitioning();
    let store_href = row.href("");
    view! {
        <p><a href=store_href.clone()>{format!("← {}", row.name)}</a></p>
        <h1>"Edit " {row.name.clone()} " " <StateBadge state=row.state.clone() testid="state" /></h1>
        <p class="note">
            "Each field says whether KMS accepts it in the store's current state. Fields marked "
            <strong>"needs DISCONNECTED"</strong>
            " make the console disconnect the store first; the review shows the plan before anything runs."
        </p>
        {busy.then(|| view! { <p class="banner error" role="alert">{format!("The store is {}; wait until it settles before editing it.", row.state)}</p> })}
        {fix.then(|| view! {
            <p class="banner warning" data-testid="fixing">"Fixing this store: change what the remedy names, then review. The run disconnects the store, updates it, connects it and checks that it is CONNECTED."</p>
        })}
        {is_xks.then(|| view! {
            <section class="card upload">
                <h2>"Proxy configuration file"</h2>
                <p class="note">"A JSON file from your XKS proxy with XksProxyUriPath and XksProxyAuthenticationCredential (as in the AWS console). It fills in the path and the credential; nothing is sent until you review the change."</p>
                <form method="post" action="/api/stores/upload-config" enctype="multipart/form-data" on:submit=move |ev| { if hydrated.get_untracked() { ev.prevent_default(); } }>
                    <StoreInputs store=row.store_ref() />
                    <input type="hidden" name="fix" value=if fix { "1" } else { "0" } />
                    <label for="config-file">"Upload configuration file"</label>
                    <input id="config-file" name="file" type="file" accept=".json,application/json" on:change=on_file />
                    <button type="submit" hidden=move || hydrated.get()>"Load file"</button>
                </form>
                {move || file_note.get().map(|n| match n {
                    Ok(warnings) => view! {
                        <div class="ok" role="status" data-testid="file-status">
                            <p>"The file filled in the proxy URI path and credential."</p>
                            <ul>{warnings.into_iter().map(|w| view! { <li class="warning">{w}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="banner error" role="alert" data-testid="file-status">{e}</p> }.into_any(),
                })}
            </section>
        })}
        {outcome}
        <ActionForm action=review>
            <StoreInputs store=row.store_ref() />
            <input type="hidden" name="fingerprint" value=form.fingerprint.clone() />
            <input type="hidden" name="upload" value=uploaded.as_ref().map(|u| u.id.clone()).unwrap_or_default() />
            <fieldset class="card edit" disabled=busy>
                <legend>"Settings"</legend>
                <div class="edit-field" data-field="name">
                    <label for="name">{Field::Name.label()} <code>{Field::Name.member()}</code></label>
                    <input id="name" name="name" type="text" value=name.get_untracked() prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                    <div class="edit-status">{marker(Field::Name)}</div>
                    {error_for("name")}
                </div>
                {(!is_xks).then(|| view! {
                    <div class="edit-field" data-field="password">
                        <label for="password">{Field::KeyStorePassword.label()} <code>"KeyStorePassword"</code></label>
                        <input id="password" name="password" type="password" autocomplete="new-password" placeholder="unchanged" value=password.get_untracked() prop:value=password on:input=move |ev| password.set(event_target_value(&ev)) />
                        <div class="edit-status">{marker(Field::KeyStorePassword)}</div>
                        <p class="note">"Set the new password of the kmsuser crypto user in the cluster first; KMS logs in with what you enter here."</p>
                        {error_for("password")}
                    </div>
                    <div class="edit-field" data-field="cluster_id">
                        <label for="cluster_id">{Field::CloudHsmClusterId.label()} <code>"CloudHsmClusterId"</code></label>
                        <input id="cluster_id" name="cluster_id" type="text" value=cluster_id.get_untracked() prop:value=cluster_id on:input=move |ev| cluster_id.set(event_target_value(&ev)) />
                        <div class="edit-status">{marker(Field::CloudHsmClusterId)}</div>
                        <p class="note">"Only a cluster related to the current one (same certificate or backup history)."</p>
                        {error_for("cluster_id")}
                    </div>
                })}
                {is_xks.then(|| view! {
                    <div class="edit-field" data-field="connectivity">
                        <label for="connectivity">{Field::Connectivity.label()} <code>"XksProxyConnectivity"</code></label>
                        <select id="connectivity" name="connectivity" on:change=move |ev| connectivity.set(event_target_value(&ev))>
                            {XksProxyConnectivity::KNOWN.iter().map(|c| {
                                let c = c.to_string();
                                let value = c.clone();
                                view! {
                                    <option value=value.clone() selected=move || connectivity.get() == value>{c}</option>
                                }
                            }).collect_view()}
                        </select>
                        <div class="edit-status">{marker(Field::Connectivity)}</div>
                        {error_for("connectivity")}
                    </div>
                    <div class="edit-field" data-field="endpoint">
                        <label for="endpoint">{Field::UriEndpoint.label()} <code>"XksProxyUriEndpoint"</code></label>
                        <input id="endpoint" name="endpoint" type="text" value=endpoint.get_untracked() prop:value=endpoint on:input=move |ev| endpoint.set(event_target_value(&ev)) />
                        <div class="edit-status">{marker(Field::UriEndpoint)}</div>
                        {error_for("endpoint")}
                    </div>
                    <div class="edit-field" data-field="path">
                        <label for="path">{Field::UriPath.label()} <code>"XksProxyUriPath"</code></label>
                        <input id="path" name="path" type="text" value=path.get_untracked() prop:value=path on:input=move |ev| path.set(event_target_value(&ev)) />
                        <div class="edit-status">{marker(Field::UriPath)}</div>
                        {error_for("path")}
                    </div>
                    <div class="edit-field" data-field="vpc_name">
                        <label for="vpc_name">{Field::VpcEndpointServiceName.label()} <code>"XksProxyVpcEndpointServiceName"</code></label>
                        <input id="vpc_name" name="vpc_name" type="text" value=vpc_name.get_untracked() prop:value=vpc_name disabled=move || !usable(Field::VpcEndpointServiceName)() on:input=move |ev| vpc_name.set(event_target_value(&ev)) />
                        <div class="edit-status">{marker(Field::VpcEndpointServiceName)}</div>
                        {error_for("vpc_name")}
                    </div>
                    <div class="edit-field" data-field="vpc_owner">
                        <label for="vpc_owner">{Field::VpcEndpointServiceOwner.label()} <code>"XksProxyVpcEndpointServiceOwner"</code></label>
                        <input id="vpc_owner" name="vpc_owner" type="text" value=vpc_owner.get_untracked() prop:value=vpc_owner disabled=move || !usable(Field::VpcEndpointServiceOwner)() on:input=move |ev| vpc_owner.set(event_target_value(&ev)) />
                        <div class="edit-status">{marker(Field::VpcEndpointServiceOwner)}</div>
                        {error_for("vpc_owner")}
                    </div>
                    <div class="edit-field" data-field="credential">
                        <span class="label">{Field::Credential.label()} <code>"XksProxyAuthenticationCredential"</code></span>
                        <label for="access_key_id">"Access key ID"</label>
                        <input id="access_key_id" name="access_key_id" type="text" value=access_key_id.get_untracked() prop:value=access_key_id on:input=move |ev| access_key_id.set(event_target_value(&ev)) />
                        {error_for("access_key_id")}
                        <label for="secret">"Secret access key"</label>
                        <SecretInput
                            id="secret"
                            name="secret"
                            autocomplete="off"
                            show="Show secret"
                            hide="Hide secret"
                            value=secret
                            placeholder=if server_secret { "from the uploaded file (kept on the server)" } else { "unchanged" }
                        />
                        <div class="edit-status">{marker(Field::Credential)}</div>
                        <p class="note">"KMS never returns the secret, so leave both as they are to keep the credential, or give both parts to replace it."</p>
                        {error_for("secret")}
                    </div>
                })}
                <label class="confirm">
                    <input type="checkbox" name="reconnect" value="yes" checked=reconnect.get_untracked() prop:checked=reconnect on:change=move |ev| reconnect.set(event_target_checked(&ev)) />
                    " Connect the store when the change is done"
                </label>
                <p class="note">"Checked when the store is CONNECTED now: the console reconnects it after a disconnect."</p>
                <button type="submit">"Review the change"</button>
            </fieldset>
        </ActionForm>
    }
}
