//! `/stores/{account}/{region}/{id}/edit`: exactly the fields UpdateCustomKeyStore takes for the
//! store's type, each marked for the store's state (reference §1.4, §6), prefilled from a proxy
//! configuration file (reference §5), checked as the operator types and again on the server.

use crate::domain::change::fields::{CREDENTIAL_ACCESS_KEY_ID, CREDENTIAL_SECRET};
use crate::domain::change::{build_change, field_status, ChangeForm, Field, Settings};
use crate::domain::kms::{ConnectionState, StoreKind, XksProxyConnectivity};
use crate::domain::store::{StoreDetail, StoreRef};
use crate::error::AppError;
use crate::pages::use_store_ref;
use crate::session::{can_change, SessionResource};
use crate::widgets::config_file::{fill_form_from_file, FileNote};
use crate::widgets::field::{FieldInput, FormValues};
use crate::widgets::{StateBadge, StoreInputs, OPERATORS_ONLY};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use leptos_router::hooks::use_query_map;
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
    #[server(flatten)] store: StoreRef,
    upload: Option<String>,
) -> Result<EditForm, AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_user().await?;
        let services = services()?;
        let detail = services.stores.describe(&store.target(), &store.id).await?;
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

/// What the edit form sends for review: the store, the fingerprint of the settings it was
/// loaded with, a file uploaded without JavaScript, and the form's inputs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReviewRequest {
    #[serde(flatten)]
    pub store: StoreRef,
    pub fingerprint: String,
    #[serde(default)]
    pub upload: Option<String>,
    #[serde(flatten)]
    pub form: ChangeForm,
}

/// Checks the change, runs the preflight and opens the review page.
#[server(endpoint = "stores/review")]
pub async fn review_change(#[server(flatten)] request: ReviewRequest) -> Result<(), AppError> {
    use crate::ssr::{guard, services};
    guard::respond(async move {
        let user = guard::require_operator().await?;
        let ReviewRequest {
            store,
            fingerprint,
            upload,
            form,
        } = request;
        let draft = services()?
            .workflows
            .review(&user, store.target(), &store.id, &fingerprint, form, upload)
            .await?;
        guard::redirect(&format!("/review/{draft}"));
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
        guard::redirect(&format!(
            "/stores/{account}/{region}/{id}/edit?upload={upload}{fix}"
        ));
        Ok(())
    })
    .await
}

#[component]
pub fn EditPage() -> impl IntoView {
    let store_ref = use_store_ref();
    let query = use_query_map();
    let form = Resource::new(
        move || (store_ref.get(), query.read().get("upload")),
        |(store, upload)| get_edit_form(store, upload),
    );
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
                let can_change = can_change(expect_context::<SessionResource>()).await;
                match form.await {
                    Ok(f) => view! { <EditView form=f upload_error=upload_error() fix=query.read_untracked().get("fix").is_some() can_change /> }.into_any(),
                    Err(e) => view! { <h1>"Edit key store"</h1><p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EditView(
    form: EditForm,
    upload_error: Option<String>,
    fix: bool,
    can_change: bool,
) -> impl IntoView {
    let detail = form.detail.clone();
    let row = detail.row.clone();
    let kind = row.store_type.kind().unwrap_or(StoreKind::External);
    let uploaded = form.upload.clone();
    // The store's settings, with what an uploaded file filled in over them.
    let initial = ChangeForm::of(&Settings::of(&detail));
    let values = FormValues::new(|input| {
        let from_file = uploaded.as_ref().and_then(|u| match input {
            "path" => u.path.clone(),
            CREDENTIAL_ACCESS_KEY_ID => u.access_key_id.clone(),
            _ => None,
        });
        from_file.unwrap_or_else(|| initial.input(input))
    });
    // Fixing a failed store ends with it connected; so does any change of a connected one.
    let reconnect = RwSignal::new(row.state == ConnectionState::Connected || fix);
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    // What the file picked in the browser said: its warnings, or why it was refused.
    let file_note: FileNote = RwSignal::new(match (&uploaded, &upload_error) {
        (_, Some(e)) => Some(Err(e.clone())),
        (Some(u), None) => Some(Ok(u.warnings.clone())),
        _ => None,
    });
    let server_secret = uploaded.as_ref().is_some_and(|u| u.has_secret);

    let review = ServerAction::<ReviewChange>::new();
    let detail_for_check = detail.clone();
    let current = move || {
        ChangeForm::from_inputs(
            |input| match (input, values.get(input)) {
                // A secret uploaded without JavaScript waits on the server; count it as given.
                (CREDENTIAL_SECRET, typed) if server_secret && typed.is_empty() => "x".repeat(44),
                (_, typed) => typed,
            },
            reconnect.get(),
        )
    };
    // The same checks the server makes, as the operator types.
    let errors = Memo::new(move |_| match build_change(&detail_for_check, &current()) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    });
    let state = StoredValue::new(row.state.clone());
    let status = move |field: Field| {
        Signal::derive(move || {
            let connectivity = XksProxyConnectivity::parse(&values.get(Field::Connectivity.key()));
            state.with_value(|s| field_status(field, kind, s, Some(&connectivity)))
        })
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
    let on_file = fill_form_from_file(values, file_note);
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
        {(!can_change).then(|| view! { <p class="banner warning" data-testid="viewer-note">{OPERATORS_ONLY}</p> })}
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
                    <input id="config-file" name="file" type="file" accept=".json,application/json" disabled=!can_change on:change=on_file />
                    <button type="submit" disabled=!can_change hidden=move || hydrated.get()>"Load file"</button>
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
            <fieldset class="card edit" disabled=busy || !can_change>
                <legend>"Settings"</legend>
                {Field::fields_for(kind)
                    .into_iter()
                    .map(|field| {
                        let status = status(field);
                        let placeholder = match field {
                            Field::Credential if server_secret => "from the uploaded file (kept on the server)",
                            _ => "unchanged",
                        };
                        view! {
                            <FieldInput
                                field
                                member=field.member()
                                values
                                status
                                errors=errors
                                placeholder=placeholder
                                disabled=Signal::derive(move || !status.get().editability.accepts_input() && field.is_vpc_only())
                            />
                        }
                    })
                    .collect_view()}
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
