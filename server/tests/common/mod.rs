//! Drives the real console router in-process, the way a browser or a script would.
#![allow(dead_code)]

pub mod idp;

use app::domain::user::Secret;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use clap::Parser;
use server::config::Config;
use tower::ServiceExt;

pub const ADMIN_PASSWORD: &str = "correct-horse-battery";
pub const ORIGIN: &str = "http://127.0.0.1:3000";

pub fn config(extra: &[&str]) -> Config {
    let args = ["cks-console"].iter().chain(extra.iter()).copied();
    Config::try_parse_from(args).expect("test flags parse")
}

pub async fn console_with(extra: &[&str]) -> Router {
    let mut flags = vec!["--ephemeral"];
    flags.extend_from_slice(extra);
    server::build(&config(&flags), Some(Secret::new(ADMIN_PASSWORD)))
        .await
        .expect("console builds")
        .router
}

pub async fn console() -> Router {
    console_with(&[]).await
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// `name=value` of the session cookie this reply sets.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("cks_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Reply {
    // A request that never answers fails the test instead of hanging it.
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        router.clone().oneshot(req),
    )
    .await
    .expect("the console answered within 30 s")
    .expect("router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, "127.0.0.1:3000");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

/// A server function call as the hydrated page makes it (fetch, JSON reply, same origin).
pub fn call(
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
    origin: &str,
) -> Request<Body> {
    let body = serde_urlencoded(form);
    let mut b = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, origin)
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body)).unwrap()
}

/// The same call as a plain HTML form post without JavaScript.
pub fn form_post(
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
    referer: &str,
) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, ORIGIN)
        .header(header::REFERER, referer)
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(serde_urlencoded(form))).unwrap()
}

fn serde_urlencoded(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                percent_encoding::utf8_percent_encode(k, percent_encoding::NON_ALPHANUMERIC),
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A sign-in as the hydrated page sends it.
pub fn login(user: &str, password: &str) -> Request<Body> {
    call(
        "/api/login",
        &[("username", user), ("password", password)],
        None,
        ORIGIN,
    )
}

/// What signing in with this password answers.
pub async fn sign_in_status(router: &Router, user: &str, password: &str) -> StatusCode {
    send(router, login(user, password)).await.status
}

/// Signs in and returns the session cookie.
pub async fn sign_in(router: &Router, user: &str, password: &str) -> String {
    let reply = send(router, login(user, password)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "sign-in failed: {}",
        reply.body
    );
    reply.session_cookie().expect("a session cookie")
}

/// aws-sdk-kms against a simulator (or any endpoint), as access key `akid` with secret `test`, in
/// us-east-1, without retries so that a failure shows at once.
pub fn kms_client(endpoint: &str, akid: &str) -> aws_sdk_kms::Client {
    kms_client_with(endpoint, akid, "test")
}

/// A client of the console's embedded simulator, with the random access key it made for the
/// first demo account (the test runs in the console's process, so it may read it).
pub fn embedded_client(sim: &kms_sim::Running) -> aws_sdk_kms::Client {
    let key = &sim.credentials()[0];
    kms_client_with(&sim.kms_url(), &key.access_key_id, &key.secret_access_key)
}

pub fn kms_client_with(endpoint: &str, akid: &str, secret: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::Config::builder()
            .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
            .region(aws_sdk_kms::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_kms::config::Credentials::new(
                akid, secret, None, None, "test",
            ))
            .endpoint_url(endpoint)
            .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
            .timeout_config(server::fleet::kms_timeouts())
            .build(),
    )
}

/// A console on the embedded simulator, kept alive for the whole test, and an admin's cookie.
pub async fn console_and_admin_with(extra: &[&str]) -> (Router, String) {
    let mut flags = vec!["--ephemeral"];
    flags.extend_from_slice(extra);
    let console = server::build(&config(&flags), Some(Secret::new(ADMIN_PASSWORD)))
        .await
        .expect("console builds");
    let router = console.router.clone();
    // The simulator lives in the console; keep it for the rest of the test.
    std::mem::forget(console);
    let cookie = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    (router, cookie)
}

/// An operator adds a user with `role`; returns that user's session cookie.
pub async fn add_user(
    router: &Router,
    operator: &str,
    name: &str,
    password: &str,
    role: &str,
) -> String {
    let added = send(
        router,
        call(
            "/api/users/add",
            &[("username", name), ("password", password), ("role", role)],
            Some(operator),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    sign_in(router, name, password).await
}

/// The payments-xks store's edit page in the demo.
pub const PAYMENTS_EDIT: &str = "/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60001/edit";

/// A proxy configuration file upload for payments-xks, as the edit page posts it without
/// JavaScript: a multipart form with a file part named `file`.
pub fn upload(cookie: &str, file: &[u8]) -> Request<Body> {
    let boundary = "cks-test-boundary";
    let mut body = Vec::new();
    for (k, v) in [
        ("account", "000000000000"),
        ("region", "us-east-1"),
        ("id", "cks-0a1b2c3d4e5f60001"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"proxy.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post("/api/stores/upload-config")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, ORIGIN)
        .header(header::REFERER, format!("{ORIGIN}{PAYMENTS_EDIT}"))
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// The review of a change to payments-xks's path and credential, as the edit page posts it with
/// the secret taken from an upload (`upload`): the reply redirects to the review page.
pub fn review_payments(
    cookie: &str,
    fingerprint: &str,
    upload: &str,
    path: &str,
    access_key_id: &str,
) -> Request<Body> {
    call(
        "/api/stores/review",
        &[
            ("account", "000000000000"),
            ("region", "us-east-1"),
            ("id", "cks-0a1b2c3d4e5f60001"),
            ("fingerprint", fingerprint),
            ("upload", upload),
            ("name", "payments-xks"),
            ("connectivity", "PUBLIC_ENDPOINT"),
            ("endpoint", "https://proxy-a.xks.sim.internal"),
            ("path", path),
            ("access_key_id", access_key_id),
            ("secret", ""),
        ],
        Some(cookie),
        ORIGIN,
    )
}

/// The edit form's fingerprint of the store as the page showed it.
pub fn fingerprint_in(page: &str) -> String {
    let at = page
        .find("name=\"fingerprint\" value=\"")
        .expect("a fingerprint")
        + 26;
    page[at..at + 16].to_string()
}

/// A console on the embedded simulator (kept, for its simulator) and an admin's cookie.
pub async fn signed_in() -> (Router, String, server::Console) {
    signed_in_with(&[]).await
}

/// [`signed_in`] with more flags.
pub async fn signed_in_with(extra: &[&str]) -> (Router, String, server::Console) {
    let mut flags = vec!["--ephemeral"];
    flags.extend_from_slice(extra);
    let console = server::build(&config(&flags), Some(Secret::new(ADMIN_PASSWORD)))
        .await
        .unwrap();
    let router = console.router.clone();
    let cookie = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    (router, cookie, console)
}

/// Another tool connects store `id` of the first demo account, straight through KMS.
pub async fn connect_outside_the_console(console: &server::Console, id: &str) {
    embedded_client(console.backend.simulator.as_ref().unwrap())
        .connect_custom_key_store()
        .custom_key_store_id(id)
        .send()
        .await
        .unwrap();
}

/// Log output kept in memory, for tests that check what the console logs.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// Sends this process's logs, down to debug level, here from now on (once per test binary):
    /// as JSON lines, or as people read them.
    pub fn debug_logs(json: bool) -> Captured {
        let logs = Captured::default();
        let writer = logs.clone();
        let logger = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone());
        if json {
            logger.json().init();
        } else {
            logger.init();
        }
        logs
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
