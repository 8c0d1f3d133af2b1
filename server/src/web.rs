//! The axum router: Leptos pages and server functions, and the layers around them
//! (sessions, sign-in gate, CSRF check, security and cache headers, compression, body limit).

use crate::config::Config;
use crate::error::StartError;
use app::domain::user::{OIDC_CALLBACK_PATH, OIDC_LOGOUT_PATH, OIDC_START_PATH};
use app::error::AppError;
use app::pages::account::ACCOUNT_PAGE;
use app::shell::SiteFiles;
use app::ssr::guard::session_user;
use app::ssr::Services;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// The name cargo-leptos gives the js, wasm and css files (`name` in the workspace metadata).
pub const OUTPUT_NAME: &str = "cks-console";
/// Larger request bodies are refused before any handler reads them.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler and middleware gets: shared, so that the several copies a request takes
/// (one per layer with state) cost a reference count each, not a deep copy.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;
    fn deref(&self) -> &AppParts {
        &self.0
    }
}

impl FromRef<AppState> for crate::oidc::OidcRoutes {
    fn from_ref(state: &AppState) -> crate::oidc::OidcRoutes {
        crate::oidc::OidcRoutes {
            oidc: state.oidc.clone(),
            services: state.services.clone(),
        }
    }
}

impl FromRef<AppState> for crate::forwarded::TrustedProxies {
    fn from_ref(state: &AppState) -> crate::forwarded::TrustedProxies {
        state.trusted_proxies.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

pub struct AppParts {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub pool: SqlitePool,
    pub hashed_assets: bool,
    pub asset_names: crate::assets::AssetNames,
    pub live: Option<Live>,
    /// The identity provider, when sign-in through one is configured.
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
    /// `--trusted-proxy`: whose X-Forwarded-For names the client.
    pub trusted_proxies: crate::forwarded::TrustedProxies,
}

/// What the live pages follow: the fleet watcher's change counter, and the ids of runs as their
/// steps change.
#[derive(Clone)]
pub struct Live {
    pub fleet: tokio::sync::watch::Receiver<u64>,
    pub runs: tokio::sync::broadcast::Sender<i64>,
    /// True once the console stops: every stream ends then.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

pub struct RouterParts<'a> {
    pub config: &'a Config,
    pub pool: SqlitePool,
    pub services: Services,
    /// What the live pages' events follow (none: no live updates).
    pub live: Option<Live>,
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
}

/// Where the built site is: --site-root, LEPTOS_SITE_ROOT, or cargo-leptos' target/site.
fn site_root(config: &Config) -> PathBuf {
    config
        .site_root
        .clone()
        .or_else(|| std::env::var_os("LEPTOS_SITE_ROOT").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target/site"))
}

/// cargo-leptos writes `hash.txt` next to the server binary when file hashing is on.
fn read_hashes() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    std::fs::read_to_string(exe.parent()?.join("hash.txt")).ok()
}

/// The hash the hash file gives files of `kind` (`js`, `wasm`, `css`, `manifest`, `split`).
fn hash_of<'a>(hashes: Option<&'a str>, kind: &str) -> Option<&'a str> {
    hashes?
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim() == kind)
        .map(|(_, hash)| hash.trim())
}

/// The name of a file the build writes as `stem.ext`, or `stem.HASH.ext` with hashing on.
fn hashed(stem: &str, ext: &str, hash: Option<&str>) -> String {
    match hash {
        Some(hash) => format!("{stem}.{hash}.{ext}"),
        None => format!("{stem}.{ext}"),
    }
}

/// The site's files as every page links them, named once at start.
fn site_files(hashes: Option<&str>) -> SiteFiles {
    let link = |ext| format!("/pkg/{}", hashed(OUTPUT_NAME, ext, hash_of(hashes, ext)));
    SiteFiles {
        css: link("css"),
        js: link("js"),
        wasm: link("wasm"),
    }
}

/// Which wasm chunks each lazy page needs, as `cargo leptos build --split` wrote them: Leptos
/// adds preload links for a lazy page's chunks when the page is rendered. Read once at start.
/// None for a build without split chunks.
fn split_manifest(pkg: &Path, hashes: Option<&str>) -> Option<leptos::WasmSplitManifest> {
    let name = hashed("__wasm_split_manifest", "json", hash_of(hashes, "manifest"));
    let file = std::fs::read_to_string(pkg.join(name)).ok()?;
    let chunks: std::collections::HashMap<String, Vec<String>> = match serde_json::from_str(&file) {
        Ok(chunks) => chunks,
        Err(e) => {
            tracing::warn!(error = %e, "the split manifest cannot be read; lazy pages load without preloads");
            return None;
        }
    };
    // Without a hash, the loader keeps the placeholder cargo-leptos writes in its name.
    let loader_hash = hash_of(hashes, "split").unwrap_or("______________________");
    let loader = hashed("__wasm_split", "js", Some(loader_hash));
    Some(leptos::WasmSplitManifest(
        leptos::prelude::ArcStoredValue::new(("/pkg".to_string(), chunks, loader)),
    ))
}

pub async fn router(parts: RouterParts<'_>) -> Result<Router, StartError> {
    let hashes = read_hashes();
    let site_root = site_root(parts.config);
    let leptos_options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .hash_files(hashes.is_some())
        .build();
    let state = AppState(Arc::new(AppParts {
        leptos_options,
        services: parts.services,
        pool: parts.pool.clone(),
        hashed_assets: hashes.is_some(),
        asset_names: crate::assets::AssetNames::new(site_root.join("pkg")),
        live: parts.live,
        oidc: parts.oidc,
        trusted_proxies: crate::forwarded::TrustedProxies::new(
            &parts.config.trusted_proxies,
            parts.config.forwarded_header,
        ),
    }));

    let session_store = SqliteStore::new(parts.pool);
    session_store
        .migrate()
        .await
        .map_err(|e| StartError::Sessions(e.to_string()))?;
    spawn_expired_session_cleanup(session_store.clone());
    // A hot session is read from memory; SQLite keeps every session across restarts. Writes and
    // deletions (sign-in, sign-out) go to both at once.
    let session_store = tower_sessions::CachingSessionStore::new(
        tower_sessions_moka_store::MokaStore::new(Some(SESSIONS_IN_MEMORY)),
        session_store,
    );
    let sessions = SessionManagerLayer::new(session_store)
        .with_name("cks_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(parts.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(8),
        ));

    let context = {
        let services = Arc::new(state.services.clone());
        let files = site_files(hashes.as_deref());
        let split = split_manifest(&site_root.join("pkg"), hashes.as_deref());
        move || {
            provide_context(services.clone());
            provide_context(files.clone());
            if let Some(split) = &split {
                provide_context(split.clone());
            }
            app::ssr::security::provide_request_nonce();
        }
    };
    let routes = route_list();
    let router = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(middleware::from_fn_with_state(state.clone(), gate_pages))
        .route("/healthz", get(healthz))
        .route(OIDC_START_PATH, get(crate::oidc::start))
        .route(OIDC_CALLBACK_PATH, get(crate::oidc::callback))
        .route(OIDC_LOGOUT_PATH, axum::routing::post(crate::oidc::logout))
        .route("/api/demo/proxy-config", get(demo_proxy_config))
        .route(app::api::EVENTS_PATH, get(live_events))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn(page_csp))
        .layer(middleware::from_fn(require_multipart))
        .layer(middleware::from_fn(reject_cross_origin))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.clone(), cache_headers))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::forwarded::client_address,
        ));
    let router = with_security_headers(router)
        // A bug that panics on some input answers 500 and is logged; the console keeps serving.
        .layer(CatchPanicLayer::custom(answer_panic))
        .with_state(state);
    Ok(router)
}

/// Every request gets a fresh nonce, which the page renders with (through Leptos' context); an
/// HTML answer carries the policy with that nonce.
async fn page_csp(mut req: Request, next: Next) -> Response {
    use app::ssr::security::{content_security_policy, CspNonce};
    let nonce = CspNonce::fresh();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if html {
        if let Ok(value) = HeaderValue::from_str(&content_security_policy(&nonce.0)) {
            res.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    res
}

/// server_fn answers every error it makes itself (a request whose arguments cannot be read,
/// before any of our code runs) with 500; the error says what it is, so it gets its own status,
/// 400 for a bad request.
async fn error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key("serverfnerror")
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A panic in a handler: logged without the request, answered as a plain 500.
fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    tracing::error!(panic = what, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "The server failed on this request. Details are in its log.",
    )
        .into_response()
}

fn spawn_expired_session_cleanup(store: SqliteStore) {
    use tower_sessions::ExpiredDeletion;
    tokio::spawn(async move {
        if let Err(e) = store
            .continuously_delete_expired(tokio::time::Duration::from_secs(600))
            .await
        {
            tracing::warn!(error = %e, "expired session cleanup stopped");
        }
    });
}

/// Headers on every response. Pages replace the fallback CSP with one carrying their script nonce.
fn with_security_headers(router: Router<AppState>) -> Router<AppState> {
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let router = fixed.into_iter().fold(router, |r, (name, value)| {
        r.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ))
    });
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ))
}

async fn healthz(State(state): State<AppState>) -> Response {
    let db_ok = sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&state.pool)
        .await
        .is_ok();
    let body = serde_json::json!({
        "status": if db_ok { "ok" } else { "database unavailable" },
        "version": app::VERSION,
    });
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Sessions kept in memory at most (the least recently used go first; SQLite still has them).
const SESSIONS_IN_MEMORY: u64 = 10_000;

/// Pages need a signed-in user; everyone else is sent to the sign-in page and back afterwards.
/// Server functions check for themselves (they answer with an error, not a redirect).
async fn gate_pages(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") {
        return next.run(req).await;
    }
    let user = session_user(&session, state.services.users.as_ref())
        .await
        .ok()
        .flatten();
    match (path.as_str(), user) {
        ("/login", Some(_)) => Redirect::to("/").into_response(),
        // A one-time password is changed before anything else.
        (p, Some(u)) if u.must_change_password && p != ACCOUNT_PAGE => {
            Redirect::to(ACCOUNT_PAGE).into_response()
        }
        ("/login", None) | (_, Some(_)) => next.run(req).await,
        (_, None) => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            let next_param: String =
                percent_encoding::utf8_percent_encode(&target, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            Redirect::to(&format!("/login?next={next_param}")).into_response()
        }
    }
}

/// CSRF: a state-changing request (a server function, the identity provider's sign-out) must
/// come from a page of this site.
/// Browsers send `Sec-Fetch-Site` (or at least `Origin`) on such requests; clients that send
/// neither are not browsers and carry no ambient cookies from one.
pub fn is_same_origin(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = value("origin") {
        let origin_host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        return match (origin_host, value("host")) {
            (Some(o), Some(host)) => o.eq_ignore_ascii_case(host),
            _ => false,
        };
    }
    true
}

#[derive(serde::Deserialize)]
struct ProxyConfigQuery {
    host: String,
    #[serde(default)]
    prefix: String,
}

/// Server-sent events for the live pages (the list, store and run pages): an event each time the
/// fleet watcher reads something a page would show differently, or a run's steps or status
/// change, and the page reads its data again, in place. Signed-in users only, like the pages; a
/// user whose sessions were ended (password or role change, removal) loses the stream at the
/// next event.
async fn live_events(State(state): State<AppState>, session: Session) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures::StreamExt;
    let user = match session_user(&session, state.services.users.as_ref()).await {
        Ok(Some(u)) => u,
        _ => return (StatusCode::UNAUTHORIZED, "Sign in to continue.").into_response(),
    };
    if user.must_change_password {
        return (
            StatusCode::FORBIDDEN,
            "Change your one-time password first.",
        )
            .into_response();
    }
    let Some(live) = state.live.clone() else {
        return (StatusCode::NOT_FOUND, "No live updates here.").into_response();
    };
    let mut fleet = live.fleet;
    fleet.mark_unchanged();
    let fleet = futures::stream::unfold(fleet, |mut fleet| async move {
        fleet.changed().await.ok()?;
        let generation = *fleet.borrow_and_update();
        Some(((app::api::FLEET_EVENT, generation.to_string()), fleet))
    });
    let runs = futures::stream::unfold(live.runs.subscribe(), |mut runs| async move {
        use tokio::sync::broadcast::error::RecvError;
        let data = match runs.recv().await {
            Ok(run) => run.to_string(),
            // Fell behind: every run page reads again.
            Err(RecvError::Lagged(_)) => app::api::EVERY_RUN.to_string(),
            Err(RecvError::Closed) => return None,
        };
        Some(((app::api::RUN_EVENT, data), runs))
    });
    let users = state.services.users.clone();
    let stream = futures::stream::select(fleet, runs).then(move |(name, data)| {
        let (session, users) = (session.clone(), users.clone());
        async move {
            // Still the same user with the same sessions? If not, the stream ends.
            session_user(&session, users.as_ref())
                .await
                .ok()
                .flatten()?;
            Some(Ok::<_, std::convert::Infallible>(
                Event::default().event(name).data(data),
            ))
        }
    });
    // A stopping console ends the stream (the browser reconnects to the next one); a console
    // that will never stop (its sender gone, as in tests) keeps it open.
    let mut stopping = live.stopping;
    let stop = async move {
        if stopping.wait_for(|s| *s).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let stream = stream
        .take_while(|e| std::future::ready(e.is_some()))
        .filter_map(std::future::ready)
        .take_until(stop);
    // A reverse proxy that buffers answers would hold events back; nginx reads this header.
    let mut res = Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response();
    res.headers_mut().insert(
        header::HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    res
}

/// The demo panel plays the proxy's own UI: it offers the proxy's configuration file (path and
/// credential, as the AWS console takes it) for download, to operators only.
async fn demo_proxy_config(
    State(state): State<AppState>,
    session: Session,
    axum::extract::Query(q): axum::extract::Query<ProxyConfigQuery>,
) -> Response {
    let user = session_user(&session, state.services.users.as_ref()).await;
    let Ok(Some(user)) = user else {
        return (StatusCode::UNAUTHORIZED, "Sign in to continue.").into_response();
    };
    match user {
        u if u.role.can_change() && !u.must_change_password => {}
        _ => {
            return (
                StatusCode::FORBIDDEN,
                "Only an operator can download a proxy's configuration.",
            )
                .into_response()
        }
    }
    let file = match &state.services.demo {
        Some(demo) => demo.proxy_config(&q.host, &q.prefix).await,
        None => None,
    };
    match file {
        Some(json) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"proxy-configuration.json\"",
                ),
            ],
            json,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "There is no such simulated proxy.").into_response(),
    }
}

/// The multipart server function reads a boundary that server_fn assumes is there; a request
/// without one is refused here, before it can reach that assumption.
async fn require_multipart(req: Request, next: Next) -> Response {
    if req.uri().path() == "/api/stores/upload-config" {
        let ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| multer::parse_boundary(ct).ok())
            .is_some();
        if !ok {
            return (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Upload the proxy configuration file as multipart/form-data.",
            )
                .into_response();
        }
    }
    next.run(req).await
}

async fn reject_cross_origin(req: Request, next: Next) -> Response {
    let safe_method = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Server functions (`/api/*`) and the identity provider's sign-out: every request that
    // changes state.
    if !safe_method && !is_same_origin(req.headers()) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-origin request");
        let err = AppError::CrossOrigin;
        return (err.status(), Json(err)).into_response();
    }
    next.run(req).await
}

/// Assets named after their content never change, so browsers may keep them (`assets`); other
/// assets are revalidated; everything else is per user and fresh.
async fn cache_headers(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    if res.headers().contains_key(header::CACHE_CONTROL) {
        return res;
    }
    let value = if let Some(rel) = path
        .strip_prefix("/pkg/")
        .filter(|_| res.status().is_success())
    {
        if state.hashed_assets && state.asset_names.content_named(rel).await {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }
    } else if is_public_asset(Path::new(&path)) {
        "public, max-age=3600"
    } else {
        "no-store"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

fn is_public_asset(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("svg" | "ico" | "png" | "txt")
    )
}

/// The app's routes, generated once per process.
///
/// While Leptos generates the list it suppresses resource loading for the whole process, and a
/// resource first polled in that window never loads (leptos-rs/leptos#4773). A page rendering on
/// another thread then hangs for good. Consoles built later (tests build many in one process)
/// reuse the list, so no page can render while it is being generated.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_by_fetch_metadata_or_origin() {
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(is_same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(is_same_origin(&headers(&[])));
    }

    #[test]
    fn file_names_follow_the_hash_file() {
        let plain = site_files(None);
        assert_eq!(
            (plain.css.as_str(), plain.js.as_str(), plain.wasm.as_str()),
            (
                "/pkg/cks-console.css",
                "/pkg/cks-console.js",
                "/pkg/cks-console.wasm"
            )
        );
        // The format cargo-leptos writes (`kind: hash` per line).
        let hashed = site_files(Some("js: abc\nwasm: -def\ncss: 0123\nmanifest: m\n"));
        assert_eq!(
            (
                hashed.css.as_str(),
                hashed.js.as_str(),
                hashed.wasm.as_str()
            ),
            (
                "/pkg/cks-console.0123.css",
                "/pkg/cks-console.abc.js",
                "/pkg/cks-console.-def.wasm"
            )
        );
    }
}
