//! Sign-in through the company's identity provider: OpenID Connect's authorization code flow with
//! PKCE, `state` and `nonce`, done by the `openidconnect` crate (discovery, the provider's keys,
//! the code exchange and every check of the ID token). The role comes from the groups claim at
//! each sign-in.
//!
//! - `GET /auth/oidc/start` remembers a pending sign-in (in memory, ten minutes, once) and sends
//!   the browser to the provider. A cookie of its own ties the pending sign-in to this browser:
//!   the session cookie is `SameSite=Strict`, so it does not come back from the provider.
//! - `GET /auth/oidc/callback` takes the pending sign-in back by its `state`, exchanges the code,
//!   verifies the ID token and starts a session (a new id) that lasts `--oidc-session-hours`.
//! - `POST /auth/oidc/logout` ends the console session and sends the browser to the provider's
//!   own sign-out when the provider offers RP-initiated logout.
//!
//! Every failure goes to the sign-in page with a code ([`OidcFailure`]) that it explains, and to
//! the audit log. No token, code, verifier or secret is logged, stored or shown.

use crate::config::Config;
use app::domain::change::run::{now_ms, AuditEntry};
use app::domain::navigation::safe_next;
use app::domain::user::{OidcFailure, Role, SignInOptions, UserInfo};
use app::ssr::guard::ClientAddress;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AuthorizationCode, ClaimsVerificationError,
    Client, ClientId, ClientSecret, CsrfToken, EndSessionUrl, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IdTokenFields, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadata, RedirectUrl, RequestTokenError,
    Scope, SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse,
    UserInfoClaims, UserInfoError,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_sessions::Session;

/// What the sign-in routes need: the provider (when one is configured) and the console's
/// services (users and the audit log). The router gives it from its own state.
#[derive(Clone)]
pub struct OidcRoutes {
    pub oidc: Option<Arc<Oidc>>,
    pub services: app::ssr::Services,
}

/// What the flags say about the identity provider.
#[derive(Clone, Debug)]
pub struct OidcSettings {
    pub issuer: IssuerUrl,
    pub client_id: ClientId,
    pub client_secret: Option<ClientSecret>,
    /// The console's `/auth/oidc/callback`, as registered at the provider.
    pub redirect: RedirectUrl,
    /// Where the provider sends the browser after its own sign-out.
    pub after_logout: String,
    pub provider_name: String,
    pub groups_claim: String,
    /// Asked for besides `openid`.
    pub scopes: Vec<String>,
    pub operator_group: Option<String>,
    pub viewer_group: Option<String>,
    pub session: Duration,
    pub secure_cookies: bool,
}

impl OidcSettings {
    /// None without `--oidc-issuer`; a message for settings with which nobody could sign in.
    pub fn from_config(config: &Config) -> Result<Option<OidcSettings>, String> {
        let (Some(issuer), Some(client_id)) = (&config.oidc_issuer, &config.oidc_client_id) else {
            if !config.local_sign_in {
                return Err(
                    "--local-sign-in=off needs --oidc-issuer and --oidc-client-id: \
                            otherwise nobody could sign in"
                        .into(),
                );
            }
            return Ok(None);
        };
        if config.oidc_operator_group.is_none() && config.oidc_viewer_group.is_none() {
            return Err(
                "--oidc-issuer needs --oidc-operator-group or --oidc-viewer-group (CKS_OIDC_OPERATOR_GROUP, CKS_OIDC_VIEWER_GROUP): \
                 without them nobody could sign in through the provider"
                    .into(),
            );
        }
        let issuer_text = issuer.as_str().trim_end_matches('/').to_string();
        let public = config.public_url();
        let redirect =
            RedirectUrl::new(format!("{public}{}", app::domain::user::OIDC_CALLBACK_PATH))
                .map_err(|e| format!("--public-url: {e}"))?;
        let client_secret = std::env::var("CKS_OIDC_CLIENT_SECRET")
            .ok()
            .filter(|s| !s.is_empty())
            .map(ClientSecret::new);
        Ok(Some(OidcSettings {
            issuer: IssuerUrl::new(issuer_text).map_err(|e| format!("--oidc-issuer: {e}"))?,
            client_id: ClientId::new(client_id.clone()),
            client_secret,
            redirect,
            after_logout: format!("{public}/login?signed_out=1"),
            provider_name: config
                .oidc_provider_name
                .clone()
                .or_else(|| issuer.host_str().map(str::to_string))
                .unwrap_or_else(|| "your identity provider".into()),
            groups_claim: config.oidc_groups_claim.clone(),
            scopes: if config.oidc_scopes.is_empty() {
                vec!["profile".into(), config.oidc_groups_claim.clone()]
            } else {
                config
                    .oidc_scopes
                    .iter()
                    .filter(|s| s.as_str() != "openid")
                    .cloned()
                    .collect()
            },
            operator_group: config.oidc_operator_group.clone(),
            viewer_group: config.oidc_viewer_group.clone(),
            session: Duration::from_secs(u64::from(config.oidc_session_hours) * 3600),
            secure_cookies: config.secure_cookies,
        }))
    }
}

/// The sign-in page's choices for this configuration.
pub fn sign_in_options(config: &Config, oidc: Option<&OidcSettings>) -> SignInOptions {
    SignInOptions {
        provider: oidc.map(|o| o.provider_name.clone()),
        local: config.local_sign_in,
    }
}

/// Every claim of the ID token besides the standard ones: the groups claim is named by a flag.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

/// The discovery document's `end_session_endpoint` (RP-initiated logout), when there is one.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LogoutMetadata {
    pub end_session_endpoint: Option<EndSessionUrl>,
}

impl AdditionalProviderMetadata for LogoutMetadata {}

type Metadata = ProviderMetadata<
    LogoutMetadata,
    CoreAuthDisplay,
    openidconnect::core::CoreClientAuthMethod,
    openidconnect::core::CoreClaimName,
    openidconnect::core::CoreClaimType,
    openidconnect::core::CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    openidconnect::core::CoreResponseMode,
    openidconnect::core::CoreResponseType,
    openidconnect::core::CoreSubjectIdentifierType,
>;

type IdFields = IdTokenFields<
    OtherClaims,
    openidconnect::EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type Tokens = StandardTokenResponse<IdFields, CoreTokenType>;

type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider as discovery found it: its endpoints and its signing keys.
#[derive(Clone)]
struct Discovered {
    client: Arc<OidcClient>,
    end_session: Option<EndSessionUrl>,
    at: Instant,
}

/// How new the provider's metadata and keys must be.
#[derive(Clone, Copy)]
enum Freshness {
    /// Up to an hour old: finishing a sign-in, signing out.
    Kept,
    /// Read again at a sign-in's start (at most once a second).
    Recent,
    /// Read again now: the provider signed a token with a key the console does not have.
    Now,
}

/// A sign-in started here and not yet back from the provider.
struct Pending {
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    /// The value of this browser's binding cookie.
    browser: String,
    next: String,
    started: Instant,
    /// The address the sign-in came from: one address cannot push out everyone else's.
    client: String,
}

/// How long a started sign-in waits for the provider's answer.
const PENDING_FOR: Duration = Duration::from_secs(600);
/// Started sign-ins kept at most (the oldest go first): anyone may start one.
const PENDING_AT_MOST: usize = 10_000;
/// Discovery is read again at each sign-in's start, after this long, and at once when a token
/// names an unknown key.
const METADATA_FOR: Duration = Duration::from_secs(3600);
/// Started sign-ins kept at most per address (a person has a few tabs; a script has thousands).
const PENDING_PER_CLIENT: usize = 20;
/// However often sign-ins start, discovery is read at most this often.
const DISCOVERY_AT_MOST_EVERY: Duration = Duration::from_secs(1);
/// The cookie that ties a pending sign-in to the browser that started it.
const BROWSER_COOKIE: &str = "cks_oidc";

/// The identity provider, as the console's routes use it.
pub struct Oidc {
    settings: OidcSettings,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<Discovered>>,
    pending: std::sync::Mutex<HashMap<String, Pending>>,
}

/// What went wrong, for the audit log and the console's log (never a token or a code).
struct Refusal {
    failure: OidcFailure,
    /// The provider's subject, when the token was good enough to say it.
    subject: Option<String>,
    detail: String,
}

impl Refusal {
    fn new(failure: OidcFailure, detail: impl Into<String>) -> Refusal {
        Refusal {
            failure,
            subject: None,
            detail: detail.into(),
        }
    }
}

impl Oidc {
    pub fn new(settings: OidcSettings) -> Result<Oidc, String> {
        // No redirects: every request goes exactly where discovery said, and nowhere else.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| format!("the identity provider's HTTP client: {e}"))?;
        Ok(Oidc {
            settings,
            http,
            discovered: tokio::sync::Mutex::new(None),
            pending: Default::default(),
        })
    }

    /// The provider's metadata and keys: from memory, or from discovery when they are older than
    /// `fresh` allows.
    ///
    /// Callers that wait while another reads it take that reading, so a burst of sign-ins costs
    /// one discovery; and it is read at most once a second however often it is asked for.
    async fn provider(&self, fresh: Freshness) -> Result<Discovered, Refusal> {
        let asked = Instant::now();
        let mut slot = self.discovered.lock().await;
        if let Some(d) = slot.as_ref() {
            let young_enough = match fresh {
                Freshness::Kept => d.at.elapsed() < METADATA_FOR,
                Freshness::Recent => d.at.elapsed() < DISCOVERY_AT_MOST_EVERY,
                Freshness::Now => false,
            };
            if d.at >= asked || young_enough {
                return Ok(d.clone());
            }
        }
        let metadata = Metadata::discover_async(self.settings.issuer.clone(), &self.http)
            .await
            .map_err(|e| {
                Refusal::new(
                    OidcFailure::Unreachable,
                    format!("discovery at {} failed: {e}", self.settings.issuer.as_str()),
                )
            })?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let client = OidcClient::from_provider_metadata(
            metadata,
            self.settings.client_id.clone(),
            self.settings.client_secret.clone(),
        )
        .set_redirect_uri(self.settings.redirect.clone());
        let found = Discovered {
            client: Arc::new(client),
            end_session,
            at: Instant::now(),
        };
        *slot = Some(found.clone());
        Ok(found)
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn remember(&self, state: String, pending: Pending) {
        let mut map = self.pending();
        map.retain(|_, p| p.started.elapsed() < PENDING_FOR);
        // The oldest of this address's own when it has its share; the oldest of all when the
        // map is full.
        let own = map.values().filter(|p| p.client == pending.client).count();
        let full = map.len() >= PENDING_AT_MOST;
        if own >= PENDING_PER_CLIENT || full {
            let oldest = map
                .iter()
                .filter(|(_, p)| full || p.client == pending.client)
                .min_by_key(|(_, p)| p.started)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                map.remove(&oldest);
            }
        }
        map.insert(state, pending);
    }

    /// The pending sign-in `state` names, once: a second use of the same `state` finds nothing.
    fn take(&self, state: &str) -> Option<Pending> {
        self.pending()
            .remove(state)
            .filter(|p| p.started.elapsed() < PENDING_FOR)
    }

    /// The role the groups claim gives: operator first, then viewer.
    fn role(&self, groups: &[String]) -> Option<(Role, String)> {
        let member = |g: &Option<String>| g.as_ref().filter(|g| groups.contains(g)).cloned();
        member(&self.settings.operator_group)
            .map(|g| (Role::Operator, g))
            .or_else(|| member(&self.settings.viewer_group).map(|g| (Role::Viewer, g)))
    }

    /// The groups in `claims` (of the ID token or the userinfo answer); none when the claim is
    /// not there at all.
    fn groups_in(&self, claims: &OtherClaims) -> Option<Vec<String>> {
        claims
            .claims
            .get(&self.settings.groups_claim)
            .map(groups_of)
    }

    /// Exchanges the code and verifies the ID token: the user the provider vouches for.
    async fn finish(&self, code: String, pending: Pending) -> Result<Verified, Refusal> {
        let provider = self.provider(Freshness::Kept).await?;
        let request = provider
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Refusal::new(OidcFailure::Failed, format!("no token endpoint: {e}")))?
            .set_pkce_verifier(pending.verifier);
        let tokens = request
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::Request(e) => Refusal::new(
                    OidcFailure::Unreachable,
                    format!("the token endpoint could not be reached: {e}"),
                ),
                RequestTokenError::ServerResponse(e) => Refusal::new(
                    OidcFailure::Failed,
                    format!("the token endpoint refused the code: {}", e.error()),
                ),
                // The body may hold tokens: only what kind of failure it was.
                RequestTokenError::Parse(..) => Refusal::new(
                    OidcFailure::Failed,
                    "the token endpoint's answer could not be read",
                ),
                RequestTokenError::Other(_) => Refusal::new(
                    OidcFailure::Failed,
                    "the token endpoint's answer was not what OpenID Connect expects",
                ),
            })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| Refusal::new(OidcFailure::Failed, "the provider sent no ID token"))?;
        let verify = |client: &OidcClient| {
            id_token
                .claims(&client.id_token_verifier(), &pending.nonce)
                .cloned()
        };
        let claims = match verify(&provider.client) {
            // Keys rotate: a token signed with a key the console does not know yet sends it to
            // the provider's key set once more before it gives up.
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                tracing::info!(
                    "ID token signed with an unknown key; reading the provider's keys again"
                );
                verify(&self.provider(Freshness::Now).await?.client)
            }
            other => other,
        }
        .map_err(|e| {
            let failure = match e {
                ClaimsVerificationError::Expired(_) => OidcFailure::Expired,
                ClaimsVerificationError::InvalidAudience(_) => OidcFailure::Audience,
                _ => OidcFailure::Failed,
            };
            Refusal::new(
                failure,
                format!("the ID token was refused: {}", claims_error(&e)),
            )
        })?;
        let subject = claims.subject().as_str().to_string();
        let mut name = claims.preferred_username().map(|n| n.as_str().to_string());
        let mut groups = self.groups_in(claims.additional_claims());
        // Many providers (or their defaults) put the groups in the userinfo answer, not in the ID
        // token: ask it, with the access token, for the same subject.
        if groups.is_none() {
            if let Ok(request) = provider.client.user_info(
                tokens.access_token().clone(),
                Some(claims.subject().clone()),
            ) {
                let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = request
                    .request_async(&self.http)
                    .await
                    .map_err(|e| match e {
                        UserInfoError::Request(e) => Refusal::new(
                            OidcFailure::Unreachable,
                            format!("the userinfo endpoint could not be reached: {e}"),
                        ),
                        // Its body is not logged: only what kind of failure it was.
                        UserInfoError::ClaimsVerification(_) => Refusal::new(
                            OidcFailure::Failed,
                            "the userinfo answer is for another subject",
                        ),
                        _ => Refusal::new(
                            OidcFailure::Failed,
                            "the userinfo answer could not be read",
                        ),
                    })?;
                groups = self.groups_in(info.additional_claims());
                name = name.or_else(|| info.preferred_username().map(|n| n.as_str().to_string()));
            }
        }
        let name = name.unwrap_or_else(|| subject.clone());
        let groups = groups.unwrap_or_default();
        Ok(Verified {
            subject,
            name,
            groups,
            next: pending.next,
        })
    }
}

/// What a verified ID token says about the user.
struct Verified {
    subject: String,
    name: String,
    groups: Vec<String>,
    next: String,
}

/// The groups claim as a list: an array of strings, or one string.
fn groups_of(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        serde_json::Value::String(one) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// The kind of check that failed, without the values the crate's message may quote.
fn claims_error(e: &ClaimsVerificationError) -> &'static str {
    match e {
        ClaimsVerificationError::Expired(_) => "it has expired",
        ClaimsVerificationError::InvalidAudience(_) => "it is for another audience",
        ClaimsVerificationError::InvalidIssuer(_) => "it is from another issuer",
        ClaimsVerificationError::InvalidNonce(_) => "its nonce does not match",
        ClaimsVerificationError::InvalidSubject(_) => "its subject is not valid",
        ClaimsVerificationError::SignatureVerification(_) => "its signature does not verify",
        ClaimsVerificationError::InvalidAuthContext(_)
        | ClaimsVerificationError::InvalidAuthTime(_) => "its authentication context is not valid",
        ClaimsVerificationError::Unsupported(_) => "it uses something unsupported",
        _ => "it is not valid",
    }
}

/// The browser-binding cookie, set (for `max_age`) or cleared (zero).
fn browser_cookie(value: &str, max_age: Duration, secure: bool) -> HeaderValue {
    use tower_sessions::cookie::{time, Cookie, SameSite};
    let cookie = Cookie::build((BROWSER_COOKIE, value))
        .path("/auth/oidc")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::seconds(max_age.as_secs() as i64))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the request's cookie `name`.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    use tower_sessions::cookie::Cookie;
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

fn to_sign_in_page(failure: OidcFailure) -> Response {
    Redirect::to(&format!("/login?oidc_error={}", failure.code())).into_response()
}

async fn audit(state: &OidcRoutes, user: &str, action: &str, subject: &str, detail: String) {
    let entry = AuditEntry::about_user(user, action, subject, detail);
    if let Err(e) = state.services.workflows.record(entry).await {
        tracing::error!(error = %e, action, "could not write the audit entry");
    }
}

/// A failed sign-in: logged, audited, and explained on the sign-in page.
async fn refuse(state: &OidcRoutes, oidc: &Oidc, refusal: Refusal) -> Response {
    // Parentheses are in no user name, so this is never mistaken for one.
    let subject = refusal.subject.as_deref().unwrap_or("(unknown)");
    tracing::warn!(
        code = refusal.failure.code(),
        subject,
        detail = %refusal.detail,
        "sign-in through the identity provider refused"
    );
    let detail = format!(
        "through {}: {} ({})",
        oidc.settings.issuer.as_str(),
        refusal.detail,
        refusal.failure.code()
    );
    audit(state, subject, "sign-in refused", subject, detail).await;
    let mut res = to_sign_in_page(refusal.failure);
    res.headers_mut().append(
        header::SET_COOKIE,
        browser_cookie("", Duration::ZERO, oidc.settings.secure_cookies),
    );
    res
}

#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// `GET /auth/oidc/start`: off to the provider, with a new `state`, `nonce` and PKCE challenge.
pub async fn start(
    State(state): State<OidcRoutes>,
    Query(q): Query<StartQuery>,
    client: Option<Extension<ClientAddress>>,
) -> Response {
    let client = ClientAddress::key(client.map(|Extension(c)| c));
    let Some(oidc) = state.oidc.clone() else {
        return to_sign_in_page(OidcFailure::NotConfigured);
    };
    // Discovery again at each sign-in (a rare event; at most once a second): fresh metadata and
    // keys, and a page that says so when the provider is down, instead of the browser's own
    // error at the provider's address.
    let provider = match oidc.provider(Freshness::Recent).await {
        Ok(p) => p,
        Err(refusal) => return refuse(&state, &oidc, refusal).await,
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = provider
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scopes(oidc.settings.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .url();
    let browser = kms_sim::config::random_token();
    oidc.remember(
        csrf.secret().clone(),
        Pending {
            nonce,
            verifier,
            browser: browser.clone(),
            next: safe_next(q.next.as_deref()).to_string(),
            started: Instant::now(),
            client,
        },
    );
    let mut res = Redirect::to(url.as_str()).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        browser_cookie(&browser, PENDING_FOR, oidc.settings.secure_cookies),
    );
    res
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    /// RFC 9207: the issuer that answers, so an answer from another provider is not mistaken for
    /// this one's.
    iss: Option<String>,
}

/// `GET /auth/oidc/callback`: the provider's answer, checked; a session for a user in a group.
pub async fn callback(
    State(state): State<OidcRoutes>,
    session: Session,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return to_sign_in_page(OidcFailure::NotConfigured);
    };
    // The pending sign-in is used up here, whatever follows: a replayed answer finds nothing.
    let pending = q.state.as_deref().and_then(|s| oidc.take(s));
    let Some(pending) = pending else {
        return refuse(
            &state,
            &oidc,
            Refusal::new(
                OidcFailure::State,
                "the state is unknown, expired or already used",
            ),
        )
        .await;
    };
    if cookie_value(&headers, BROWSER_COOKIE).as_deref() != Some(pending.browser.as_str()) {
        return refuse(
            &state,
            &oidc,
            Refusal::new(
                OidcFailure::State,
                "the answer came to another browser than the one that started the sign-in",
            ),
        )
        .await;
    }
    let issuer = oidc.settings.issuer.as_str().trim_end_matches('/');
    if q.iss
        .as_deref()
        .is_some_and(|iss| iss.trim_end_matches('/') != issuer)
    {
        return refuse(
            &state,
            &oidc,
            Refusal::new(OidcFailure::Failed, "the answer names another issuer"),
        )
        .await;
    }
    if let Some(error) = q.error.as_deref() {
        let refusal = if error == "access_denied" {
            Refusal::new(OidcFailure::Denied, "the user did not allow the sign-in")
        } else {
            let shown: String = error
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(64)
                .collect();
            Refusal::new(
                OidcFailure::Failed,
                format!("the provider answered with error {shown}"),
            )
        };
        return refuse(&state, &oidc, refusal).await;
    }
    let Some(code) = q.code else {
        return refuse(
            &state,
            &oidc,
            Refusal::new(OidcFailure::Failed, "the provider sent no code"),
        )
        .await;
    };
    let verified = match oidc.finish(code, pending).await {
        Ok(v) => v,
        Err(refusal) => return refuse(&state, &oidc, refusal).await,
    };
    let groups = verified.groups.join(", ");
    let Some((role, group)) = oidc.role(&verified.groups) else {
        return refuse(
            &state,
            &oidc,
            Refusal {
                failure: OidcFailure::NoGroup,
                subject: Some(verified.subject.clone()),
                detail: format!(
                    "subject {} is in none of the allowed groups (groups: [{groups}])",
                    verified.subject
                ),
            },
        )
        .await;
    };
    let user = match state
        .services
        .users
        .federated_sign_in(&verified.subject, &verified.name, role)
        .await
    {
        Ok(user) => user,
        Err(e) => {
            let refusal = Refusal {
                failure: OidcFailure::Failed,
                subject: Some(verified.subject.clone()),
                detail: e.to_string(),
            };
            return refuse(&state, &oidc, refusal).await;
        }
    };
    let until = now_ms() + oidc.settings.session.as_millis() as i64;
    if let Err(e) = app::ssr::guard::begin_session(&session, &user, Some(until)).await {
        tracing::error!(error = %e, "could not start a session");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The session could not be started.",
        )
            .into_response();
    }
    tracing::info!(user = %user.username, subject = %verified.subject, role = %role, "signed in through the identity provider");
    audit(
        &state,
        &user.username,
        "signed in",
        &user.username,
        format!(
            "through {} as subject {}; groups [{groups}]; role {role} from group {group}",
            oidc.settings.issuer.as_str(),
            verified.subject
        ),
    )
    .await;
    let mut res = moving_on(
        "Signed in",
        "Signed in.",
        "Continue to the console",
        &verified.next,
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        browser_cookie("", Duration::ZERO, oidc.settings.secure_cookies),
    );
    res
}

/// A page of this site that moves on to `to` by itself (a meta refresh, no script), with a link.
///
/// - After sign-in: the session cookie is `SameSite=Strict`, so a redirect that continued the
///   provider's cross-site navigation would arrive without it; a navigation this page starts is
///   same-site and carries it.
/// - After sign-out: the page's `form-action 'self'` would stop a form's redirect to the
///   provider; a navigation the answer starts is no form's.
fn moving_on(title: &str, said: &str, link: &str, to: &str) -> Response {
    let to = html_escape::encode_double_quoted_attribute(to);
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\"><title>{title} · cks-console</title></head>\
         <body><p>{said} <a href=\"{to}\">{link}</a>.</p></body></html>"
    );
    Html(body).into_response()
}

/// `POST /auth/oidc/logout` (the router refuses it from another site, as it does server
/// functions): ends the console session, then the provider's when it offers
/// RP-initiated logout (with the client ID: the console keeps no ID token to hint with).
pub async fn logout(State(state): State<OidcRoutes>, session: Session) -> Response {
    let user: Option<UserInfo> =
        app::ssr::guard::session_user(&session, state.services.users.as_ref())
            .await
            .ok()
            .flatten();
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "could not end a session");
    }
    let Some(user) = user else {
        return Redirect::to("/login").into_response();
    };
    let provider = match &state.oidc {
        Some(oidc) if user.is_federated() => {
            oidc.provider(Freshness::Kept).await.ok().map(|p| (oidc, p))
        }
        _ => None,
    };
    let to_provider = provider.and_then(|(oidc, p)| {
        let end = p.end_session?;
        let back = PostLogoutRedirectUrl::new(oidc.settings.after_logout.clone()).ok()?;
        Some(
            openidconnect::LogoutRequest::from(end)
                .set_client_id(oidc.settings.client_id.clone())
                .set_post_logout_redirect_uri(back)
                .http_get_url(),
        )
    });
    let detail = match &to_provider {
        Some(_) => "console session ended; sent to the identity provider's sign-out",
        None => "console session ended",
    };
    audit(
        &state,
        &user.username,
        "signed out",
        &user.username,
        detail.into(),
    )
    .await;
    tracing::info!(user = %user.username, "signed out");
    match to_provider {
        Some(url) => moving_on(
            "Signing out",
            "You are signed out of the console.",
            "Continue to sign out at the identity provider",
            url.as_str(),
        ),
        None => Redirect::to("/login?signed_out=1").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> OidcSettings {
        OidcSettings {
            issuer: IssuerUrl::new("http://127.0.0.1:1".into()).unwrap(),
            client_id: ClientId::new("c".into()),
            client_secret: None,
            redirect: RedirectUrl::new("http://127.0.0.1:2/auth/oidc/callback".into()).unwrap(),
            after_logout: String::new(),
            provider_name: "p".into(),
            groups_claim: "groups".into(),
            scopes: vec!["profile".into()],
            operator_group: Some("ops".into()),
            viewer_group: None,
            session: Duration::from_secs(60),
            secure_cookies: false,
        }
    }

    fn pending(client: &str) -> Pending {
        Pending {
            nonce: Nonce::new_random(),
            verifier: PkceCodeVerifier::new("v".repeat(43)),
            browser: String::new(),
            next: "/".into(),
            started: Instant::now(),
            client: client.into(),
        }
    }

    #[test]
    fn one_address_cannot_push_out_the_others_pending_sign_ins() {
        let oidc = Oidc::new(settings()).unwrap();
        oidc.remember("victim".into(), pending("10.0.0.1"));
        for i in 0..(PENDING_PER_CLIENT * 50) {
            oidc.remember(format!("flood-{i}"), pending("10.0.0.66"));
        }
        assert_eq!(oidc.pending().len(), PENDING_PER_CLIENT + 1);
        assert!(
            oidc.take("victim").is_some(),
            "the other address's sign-in is still there"
        );
        assert!(oidc.take("victim").is_none(), "and it is used once");
        // The flood keeps its newest, up to its share.
        let last = format!("flood-{}", PENDING_PER_CLIENT * 50 - 1);
        assert!(oidc.take(&last).is_some());
        assert!(oidc.take("flood-0").is_none());
    }

    #[test]
    fn the_groups_claim_is_a_list_or_one_name() {
        let list = serde_json::json!(["a", 3, "b"]);
        assert_eq!(groups_of(&list), vec!["a", "b"]);
        assert_eq!(groups_of(&serde_json::json!("ops")), vec!["ops"]);
        assert!(groups_of(&serde_json::json!({"x": 1})).is_empty());
    }

    #[tokio::test]
    async fn the_moving_on_page_cannot_be_broken_out_of() {
        let res = moving_on(
            "Signed in",
            "Signed in.",
            "Continue",
            "/\"><script>x</script>",
        );
        let body = axum::body::to_bytes(res.into_body(), 64 * 1024)
            .await
            .unwrap();
        let page = String::from_utf8(body.to_vec()).unwrap();
        assert!(!page.contains("<script>"), "{page}");
        // The target stays inside its two attributes, the refresh's and the link's, escaped.
        assert_eq!(
            page.matches("/&quot;&gt;&lt;script&gt;").count(),
            2,
            "{page}"
        );
    }
}
