//! A real OpenID provider for the tests (`end2end/oidc/provider.mjs`: the `oidc-provider` package
//! from npm, installed by `npm ci` in end2end), and a browser that walks its sign-in pages while
//! the console is driven in-process.

use super::{get, send, Reply, ORIGIN};
use axum::http::{header, StatusCode};
use axum::Router;
use std::collections::HashMap;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};

/// The client secret the test provider registers for `cks-console` (its default).
pub const CLIENT_SECRET: &str = "cks-e2e-client-secret";
pub const OPERATOR_GROUP: &str = "cks-operators";
pub const VIEWER_GROUP: &str = "cks-viewers";

pub struct IdP {
    child: Child,
    pub issuer: String,
    control: String,
}

impl IdP {
    /// Starts the provider on free ports, with the console at [`ORIGIN`] as its one client.
    pub fn start() -> IdP {
        IdP::start_with(&[])
    }

    /// The same, with more of the provider's environment (see `provider.mjs`).
    pub fn start_with(env: &[(&str, &str)]) -> IdP {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/oidc/provider.mjs");
        let modules = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../end2end/node_modules/oidc-provider"
        );
        assert!(
            std::path::Path::new(modules).exists(),
            "the test OpenID provider needs its npm packages: run `cd end2end && npm ci` (make test does)"
        );
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_PORT", "0")
            .env("OIDC_CONTROL_PORT", "0")
            .env(
                "OIDC_REDIRECT_URIS",
                format!("{ORIGIN}{}", app::domain::user::OIDC_CALLBACK_PATH),
            )
            .env("OIDC_LOGOUT_URIS", format!("{ORIGIN}/login?signed_out=1"))
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the test provider");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the provider says it is ready");
        let mut words = line.split_whitespace();
        assert_eq!(words.next(), Some("ready"), "provider said {line:?}");
        let issuer = words.next().expect("issuer").to_string();
        let control = words.next().expect("control URL").to_string();
        IdP {
            child,
            issuer,
            control,
        }
    }

    /// The console's flags for this provider (the secret is in the environment, as in production).
    pub fn flags(&self) -> Vec<String> {
        std::env::set_var("CKS_OIDC_CLIENT_SECRET", CLIENT_SECRET);
        [
            "--oidc-issuer",
            &self.issuer,
            "--oidc-client-id",
            "cks-console",
            "--oidc-operator-group",
            OPERATOR_GROUP,
            "--oidc-viewer-group",
            VIEWER_GROUP,
            "--oidc-provider-name",
            "Test IdP",
            "--public-url",
            ORIGIN,
        ]
        .map(str::to_string)
        .to_vec()
    }

    /// `down`, `up`, `rotate`, `mode/normal`, `mode/expired`, `mode/audience`.
    pub async fn control(&self, what: &str) -> String {
        let res = reqwest::Client::new()
            .post(format!("{}/{what}", self.control))
            .send()
            .await
            .expect("the control port answers");
        assert!(res.status().is_success(), "control {what}");
        res.text().await.unwrap()
    }

    /// The last ID token the provider issued (for the secret scans).
    pub async fn last_id_token(&self) -> String {
        reqwest::get(format!("{}/last-id-token", self.control))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

impl Drop for IdP {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signs out as the header's button does (a plain form post to `/auth/oidc/logout`).
pub async fn sign_out(router: &Router, cookie: &str) -> Reply {
    send(
        router,
        super::form_post(
            app::domain::user::OIDC_LOGOUT_PATH,
            &[],
            Some(cookie),
            &format!("{ORIGIN}/"),
        ),
    )
    .await
}

/// What the user does on the provider's pages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AtTheProvider {
    /// Signs in and allows the console.
    Allow,
    /// Cancels at the sign-in page.
    Cancel,
}

/// One browser: its cookies (every server here is 127.0.0.1, and cookies ignore ports), the
/// console in-process, the provider over HTTP.
pub struct Browser {
    pub cookies: HashMap<String, String>,
    pub http: reqwest::Client,
    /// Every authorization code the provider sent back (for the secret scans).
    pub codes: Vec<String>,
    /// The last URL of the console's callback this browser was sent to.
    pub last_callback: Option<String>,
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            cookies: HashMap::new(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            codes: Vec::new(),
            last_callback: None,
        }
    }
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The console's session cookie, as `name=value`.
    pub fn session(&self) -> Option<String> {
        self.cookies
            .get("cks_session")
            .map(|v| format!("cks_session={v}"))
    }

    /// The cookies an answer sets (or clears).
    fn keep(&mut self, headers: &axum::http::HeaderMap) {
        let set = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        for c in set {
            let Some((name, rest)) = c.split(';').next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let gone = c.to_ascii_lowercase().contains("max-age=0") || rest.is_empty();
            if gone {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_string(), rest.trim().to_string());
            }
        }
    }

    /// A GET to the console, with this browser's cookies.
    pub async fn console_get(&mut self, router: &Router, path: &str) -> Reply {
        let cookie = self.cookie_header();
        let reply = send(router, get(path, Some(&cookie))).await;
        self.keep(&reply.headers);
        reply
    }

    /// A request to the provider; follows nothing.
    async fn provider(&mut self, url: &str, form: Option<&[(&str, &str)]>) -> reqwest::Response {
        let req = match form {
            Some(form) => self.http.post(url).form(form),
            None => self.http.get(url),
        };
        let res = req
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .expect("the provider answers");
        self.keep(res.headers());
        res
    }

    /// Follows the provider's redirects until a page, or until it sends the browser back to the
    /// console (whose URL is returned as Err).
    async fn at_provider(
        &mut self,
        mut url: String,
        mut form: Option<Vec<(&str, &str)>>,
    ) -> Result<(String, String), String> {
        loop {
            if url.starts_with(ORIGIN) {
                return Err(url);
            }
            let res = self.provider(&url, form.as_deref()).await;
            form = None;
            if res.status().is_redirection() {
                let to = res.headers()[header::LOCATION]
                    .to_str()
                    .unwrap()
                    .to_string();
                url = absolute(&url, &to);
                continue;
            }
            assert_eq!(res.status(), StatusCode::OK, "provider page {url}");
            let page = res.text().await.unwrap();
            return Ok((url, page));
        }
    }

    /// Starts a sign-in at the console and walks the provider's pages as `user`; returns the
    /// console's answer to the callback.
    pub async fn sign_in(&mut self, router: &Router, user: &str, act: AtTheProvider) -> Reply {
        let start = self
            .console_get(router, "/auth/oidc/start?next=%2Fusers")
            .await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "start: {}", start.body);
        let to = start.header("location").to_string();
        let callback = self.walk(to, user, act).await;
        self.callback(router, &callback).await
    }

    /// The provider's pages from the authorization URL to the console's callback URL.
    pub async fn walk(&mut self, authorize: String, user: &str, act: AtTheProvider) -> String {
        let (url, page) = match self.at_provider(authorize, None).await {
            Ok(p) => p,
            Err(back) => return back,
        };
        if act == AtTheProvider::Cancel {
            let abort = attr(&page, "href=\"", "/abort").expect("a cancel link");
            return self
                .at_provider(absolute(&url, &abort), None)
                .await
                .expect_err("cancel goes back to the console");
        }
        let action = attr(&page, "action=\"", "").expect("the login form");
        let (url, page) = match self
            .at_provider(
                absolute(&url, &action),
                Some(vec![
                    ("prompt", "login"),
                    ("login", user),
                    ("password", "any"),
                ]),
            )
            .await
        {
            Ok(p) => p,
            Err(back) => return back,
        };
        let action = attr(&page, "action=\"", "").expect("the consent form");
        self.at_provider(absolute(&url, &action), Some(vec![("prompt", "consent")]))
            .await
            .expect_err("consent goes back to the console")
    }

    /// The browser arrives at the console's callback.
    pub async fn callback(&mut self, router: &Router, url: &str) -> Reply {
        let path = url
            .strip_prefix(ORIGIN)
            .expect("the console's URL")
            .to_string();
        if let Some(code) = query_value(&path, "code") {
            self.codes.push(code);
        }
        self.last_callback = Some(path.clone());
        self.console_get(router, &path).await
    }
}

fn absolute(base: &str, to: &str) -> String {
    reqwest::Url::parse(base)
        .and_then(|b| b.join(to))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| to.to_string())
}

/// The first `prefix…"` value in the page that contains `containing`.
fn attr(page: &str, prefix: &str, containing: &str) -> Option<String> {
    page.match_indices(prefix)
        .map(|(i, _)| &page[i + prefix.len()..])
        .filter_map(|rest| rest.split('"').next())
        .find(|v| v.contains(containing))
        .map(|v| v.replace("&amp;", "&"))
}

pub fn query_value(path: &str, name: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            // A query is form-encoded: `+` is a space.
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}
