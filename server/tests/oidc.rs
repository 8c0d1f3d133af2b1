//! Sign-in through an OpenID provider (README "Sign in with your identity provider"), against a
//! real one: `oidc-provider` from npm, started per test with three users (an operator, a viewer,
//! and one in no allowed group). The console is driven in-process; the provider over HTTP.

mod common;

use axum::http::StatusCode;
use common::idp::{AtTheProvider, Browser, IdP};
use common::*;

async fn console_for(idp: &IdP, extra: &[&str]) -> axum::Router {
    let flags = idp.flags();
    let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    console_with(&all).await
}

/// A server function called as the signed-in page calls it.
async fn api(router: &axum::Router, cookie: &str, path: &str, form: &[(&str, &str)]) -> Reply {
    send(router, call(path, form, Some(cookie), ORIGIN)).await
}

/// The signed-in user as every page sees it (the session server function).
async fn who(router: &axum::Router, cookie: Option<&str>) -> serde_json::Value {
    let reply = send(router, call("/api/session", &[], cookie, ORIGIN)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let info: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    info["user"].clone()
}

/// README: a refused sign-in goes to `/login?oidc_error=CODE`.
fn refused_with(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let to = reply.header("location");
    assert!(to.starts_with("/login?oidc_error="), "sent to {to}");
    to.trim_start_matches("/login?oidc_error=").to_string()
}

/// README: the callback answers with a page that moves on to the console (the session cookie is
/// SameSite=Strict), and the session is new.
fn signed_in(reply: &Reply, browser: &Browser) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.body.contains("url=/users"),
        "moves on to where the sign-in began: {}",
        reply.body
    );
    browser.session().expect("a session cookie")
}

/// A browser that signed in through the provider as `user`, and its session cookie.
async fn signed_in_as(router: &axum::Router, user: &str) -> (Browser, String) {
    let mut browser = Browser::default();
    let reply = browser.sign_in(router, user, AtTheProvider::Allow).await;
    let cookie = signed_in(&reply, &browser);
    (browser, cookie)
}

#[tokio::test]
async fn each_user_gets_the_role_of_their_group_or_a_reason() {
    let idp = IdP::start();
    let router = console_for(&idp, &[]).await;

    let (_, cookie) = signed_in_as(&router, "olivia").await;
    let user = who(&router, Some(&cookie)).await;
    assert_eq!(user["username"], "olivia");
    assert_eq!(user["role"], "operator");
    assert_eq!(user["source"], "federated");

    let (_, cookie) = signed_in_as(&router, "victor").await;
    let user = who(&router, Some(&cookie)).await;
    assert_eq!(user["role"], "viewer");
    // A viewer cannot change anything: an operator's server function refuses.
    let add = api(
        &router,
        &cookie,
        "/api/users/add",
        &[
            ("username", "x1"),
            ("password", "long-enough-pw"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(add.status, StatusCode::FORBIDDEN);

    let mut nadia = Browser::default();
    let reply = nadia.sign_in(&router, "nadia", AtTheProvider::Allow).await;
    assert_eq!(refused_with(&reply), "no-group");
    assert!(nadia.session().is_none(), "no session for a refused user");
    // The page says why and whom to ask (README).
    let page = nadia
        .console_get(&router, "/login?oidc_error=no-group")
        .await;
    assert!(
        page.body.contains("none of the groups")
            && page.body.contains("operator or the viewer group"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_role_is_read_again_at_each_sign_in_and_sessions_end_when_asked() {
    let idp = IdP::start();
    let router = console_for(&idp, &["--oidc-session-hours", "2"]).await;
    let mut olivia = Browser::default();
    let reply = olivia
        .sign_in(&router, "olivia", AtTheProvider::Allow)
        .await;
    let cookie = signed_in(&reply, &olivia);
    // The session cookie lasts --oidc-session-hours from now, not the 8 hours of inactivity.
    let set = reply
        .headers
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("cks_session="))
        .unwrap()
        .to_string();
    let max_age: i64 = set
        .split(';')
        .find_map(|p| p.trim().strip_prefix("Max-Age="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("the session cookie has a Max-Age: {set}"));
    assert!(
        (2 * 3600 - 60..=2 * 3600).contains(&max_age),
        "Max-Age {max_age}"
    );

    // The identity team moves olivia to the viewers: her next sign-in makes her a viewer, and
    // the session she had as an operator ends.
    idp.control("groups/olivia/cks-viewers").await;
    let (_, viewer) = signed_in_as(&router, "olivia").await;
    assert_eq!(who(&router, Some(&viewer)).await["role"], "viewer");
    assert!(
        who(&router, Some(&cookie)).await.is_null(),
        "the operator session ended"
    );
    let cookie = viewer;

    // Sign-out ends the console session and sends the browser to the provider's sign-out, which
    // sends it back to the sign-in page.
    let out = common::idp::sign_out(&router, &cookie).await;
    // A page that moves on by itself (a form's redirect to another site would meet the page's
    // form-action policy).
    assert_eq!(out.status, StatusCode::OK);
    let to = out
        .body
        .split("url=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let to = to.as_str();
    assert!(
        to.starts_with(&format!("{}/session/end?", idp.issuer)),
        "{to}"
    );
    assert_eq!(
        common::idp::query_value(to, "post_logout_redirect_uri").as_deref(),
        Some(format!("{ORIGIN}/login?signed_out=1").as_str())
    );
    assert_eq!(
        common::idp::query_value(to, "client_id").as_deref(),
        Some("cks-console")
    );
    assert!(who(&router, Some(&cookie)).await.is_null());
}

#[tokio::test]
async fn federated_users_are_listed_with_their_source_and_have_no_local_password() {
    let idp = IdP::start();
    let router = console_for(&idp, &[]).await;
    signed_in_as(&router, "olivia").await;

    let admin = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let list = api(&router, &admin, "/api/users/list", &[]).await;
    let users: Vec<serde_json::Value> = serde_json::from_str(&list.body).unwrap();
    let row = users.iter().find(|u| u["username"] == "olivia").unwrap();
    assert_eq!(row["source"], "federated");
    assert!(row["last_sign_in_ms"].as_i64().unwrap() > 0);
    // Local users' last sign-in is kept too.
    let admin_row = users.iter().find(|u| u["username"] == "admin").unwrap();
    assert_eq!(admin_row["source"], "local");
    assert!(admin_row["last_sign_in_ms"].as_i64().unwrap() > 0);
    let page = send(&router, get("/users", Some(&admin))).await;
    assert!(
        page.body.contains("identity provider"),
        "the Users page names the source"
    );

    // No local password: an operator cannot give one, nor change the role by hand.
    let reset = api(
        &router,
        &admin,
        "/api/users/reset-password",
        &[("username", "olivia"), ("password", "a-local-password")],
    )
    .await;
    assert_eq!(reset.status, StatusCode::CONFLICT, "{}", reset.body);
    let role = api(
        &router,
        &admin,
        "/api/users/role",
        &[("username", "olivia"), ("role", "viewer")],
    )
    .await;
    assert_eq!(role.status, StatusCode::CONFLICT, "{}", role.body);
    // And no password signs in as that user locally.
    assert_eq!(
        sign_in_status(&router, "olivia", "a-local-password").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_replayed_or_foreign_state_is_refused() {
    let idp = IdP::start();
    let router = console_for(&idp, &[]).await;
    let (first, _) = signed_in_as(&router, "olivia").await;
    // The same answer again: the state was used.
    let again = first.last_callback.clone().unwrap();
    let mut replay = Browser {
        cookies: first.cookies.clone(),
        ..Browser::default()
    };
    replay.cookies.remove("cks_session");
    let reply = replay.callback(&router, &format!("{ORIGIN}{again}")).await;
    assert_eq!(refused_with(&reply), "state");
    assert!(replay.session().is_none());

    // An answer carried to another browser (login CSRF): it lacks the starting browser's cookie.
    let mut victim = Browser::default();
    let start = victim
        .console_get(&router, "/auth/oidc/start")
        .await
        .header("location")
        .to_string();
    let callback = victim.walk(start, "nadia", AtTheProvider::Allow).await;
    let mut other = Browser::default();
    let reply = other.callback(&router, &callback).await;
    assert_eq!(refused_with(&reply), "state");
    assert!(other.session().is_none());
    assert_refusals_audited(&router, &["state"]).await;
}

/// The audit log has a refusal with each of these codes.
async fn assert_refusals_audited(router: &axum::Router, codes: &[&str]) {
    let admin = sign_in(router, "admin", ADMIN_PASSWORD).await;
    let audit = api(router, &admin, "/api/audit/list", &[]).await;
    let entries: Vec<serde_json::Value> = serde_json::from_str(&audit.body).unwrap();
    for code in codes {
        assert!(
            entries.iter().any(|e| e["action"] == "sign-in refused"
                && e["detail"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("({code})"))),
            "no audit entry for {code}: {entries:?}"
        );
    }
}

#[tokio::test]
async fn denied_consent_expired_tokens_and_other_audiences_are_refused() {
    let idp = IdP::start();
    let router = console_for(&idp, &[]).await;

    let mut b = Browser::default();
    let reply = b.sign_in(&router, "olivia", AtTheProvider::Cancel).await;
    assert_eq!(refused_with(&reply), "denied");

    // Tokens signed with the provider's own key, so only the claim is wrong.
    idp.control("mode/audience").await;
    let mut b = Browser::default();
    let reply = b.sign_in(&router, "olivia", AtTheProvider::Allow).await;
    assert_eq!(refused_with(&reply), "audience");
    assert!(b.session().is_none());

    idp.control("mode/expired").await;
    let mut b = Browser::default();
    let reply = b.sign_in(&router, "olivia", AtTheProvider::Allow).await;
    assert_eq!(refused_with(&reply), "expired");
    assert!(b.session().is_none());

    // Another issuer, another nonce, a key the provider does not publish: refused, with the
    // page for anything else the token got wrong.
    for mode in ["issuer", "nonce", "forged"] {
        idp.control(&format!("mode/{mode}")).await;
        let mut b = Browser::default();
        let reply = b.sign_in(&router, "olivia", AtTheProvider::Allow).await;
        assert_eq!(refused_with(&reply), "failed", "{mode}");
        assert!(b.session().is_none(), "{mode}");
    }

    idp.control("mode/normal").await;
    signed_in_as(&router, "olivia").await;

    // Each refusal is in the audit log, with its code.
    assert_refusals_audited(&router, &["denied", "audience", "expired", "failed"]).await;
}

#[tokio::test]
async fn the_session_id_is_new_at_each_sign_in_and_odd_answers_are_refused_calmly() {
    let idp = IdP::start();
    let router = console_for(&idp, &[]).await;
    let (mut b, first) = signed_in_as(&router, "olivia").await;
    // The same browser, still holding its session, signs in again: a new session id.
    let reply = b.sign_in(&router, "victor", AtTheProvider::Allow).await;
    let second = signed_in(&reply, &b);
    assert_ne!(first, second);
    assert!(
        who(&router, Some(&first)).await.is_null(),
        "the old id is worthless"
    );

    // Hostile or broken answers at the callback: a calm refusal, never a panic.
    for query in [
        "",
        "?state=",
        "?state=%00%FF%FE&code=%0A%0D",
        "?error=%0Aaccess_denied%00&state=x",
        &format!("?state={}&code=c", "A".repeat(4000)),
        "?code=abc",
    ] {
        let reply = b
            .console_get(&router, &format!("/auth/oidc/callback{query}"))
            .await;
        assert_eq!(refused_with(&reply), "state", "{query}");
    }
    // An answer that names another issuer (a mix-up between providers) is refused.
    let mut b = Browser::default();
    let start = b
        .console_get(&router, "/auth/oidc/start")
        .await
        .header("location")
        .to_string();
    let callback = b.walk(start, "olivia", AtTheProvider::Allow).await;
    assert!(
        callback.contains("iss="),
        "the provider names itself: {callback}"
    );
    let forged = callback
        .split('&')
        .map(|pair| match pair.split_once("iss=") {
            Some((before, _)) => format!("{before}iss=http%3A%2F%2Fother.example"),
            None => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&");
    assert_ne!(forged, callback);
    let reply = b.callback(&router, &forged).await;
    assert_eq!(refused_with(&reply), "failed");

    // A `next` that leaves the site comes back to the list page instead.
    let mut b = Browser::default();
    let start = b
        .console_get(&router, "/auth/oidc/start?next=%2F%2Fevil.example%2F")
        .await
        .header("location")
        .to_string();
    let callback = b.walk(start, "olivia", AtTheProvider::Allow).await;
    let reply = b.callback(&router, &callback).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("url=/\""), "{}", reply.body);
    assert!(!reply.body.contains("evil.example"));
}

#[tokio::test]
async fn a_provider_that_is_down_is_explained_and_rotated_keys_are_fetched() {
    let idp = IdP::start();
    let router = console_for(&idp, &[]).await;

    // Down before the console ever reached it: discovery fails.
    idp.control("down").await;
    let mut b = Browser::default();
    let reply = b.console_get(&router, "/auth/oidc/start").await;
    assert_eq!(refused_with(&reply), "unreachable");
    // The local break-glass account still signs in.
    sign_in(&router, "admin", ADMIN_PASSWORD).await;

    // Up again: it works.
    idp.control("up").await;
    signed_in_as(&router, "victor").await;

    // Down between the provider's pages and the code exchange.
    let mut b = Browser::default();
    let start = b
        .console_get(&router, "/auth/oidc/start")
        .await
        .header("location")
        .to_string();
    let callback = b.walk(start, "victor", AtTheProvider::Allow).await;
    idp.control("down").await;
    let reply = b.callback(&router, &callback).await;
    assert_eq!(refused_with(&reply), "unreachable");
    assert_refusals_audited(&router, &["unreachable"]).await;

    // The provider comes back with a new signing key: the console reads its keys again.
    let kid = idp.control("rotate").await;
    assert!(!kid.is_empty());
    signed_in_as(&router, "olivia").await;
}

#[tokio::test]
async fn the_groups_claim_is_the_one_the_flag_names() {
    let idp = IdP::start();
    // The test provider's `cks_roles` claim puts victor in the operator group, olivia in the
    // viewer group.
    let router = console_for(&idp, &["--oidc-groups-claim", "cks_roles"]).await;
    let (_, cookie) = signed_in_as(&router, "victor").await;
    assert_eq!(who(&router, Some(&cookie)).await["role"], "operator");
    let (_, cookie) = signed_in_as(&router, "olivia").await;
    assert_eq!(who(&router, Some(&cookie)).await["role"], "viewer");
}

#[tokio::test]
async fn the_scopes_asked_for_are_the_flags() {
    let idp = IdP::start();
    // By default: openid, profile and the groups claim's name.
    let router = console_for(&idp, &[]).await;
    let mut b = Browser::default();
    let to = b.console_get(&router, "/auth/oidc/start").await;
    let scope = common::idp::query_value(to.header("location"), "scope").unwrap();
    assert_eq!(scope, "openid profile groups");
    // Without the groups scope the provider does not say the groups, and nobody gets a role.
    let router = console_for(&idp, &["--oidc-scopes", "profile,email"]).await;
    let mut b = Browser::default();
    let to = b.console_get(&router, "/auth/oidc/start").await;
    let scope = common::idp::query_value(to.header("location"), "scope").unwrap();
    assert_eq!(scope, "openid profile email");
    let reply = b.sign_in(&router, "olivia", AtTheProvider::Allow).await;
    assert_eq!(refused_with(&reply), "no-group");
}

#[tokio::test]
async fn groups_only_at_the_userinfo_endpoint_are_read_there() {
    // OpenID Connect Core's default when an access token is issued: the ID token carries the
    // subject, and the profile and groups are at the userinfo endpoint.
    let idp = IdP::start_with(&[("OIDC_CLAIMS_IN", "userinfo")]);
    let router = console_for(&idp, &[]).await;
    let (_, cookie) = signed_in_as(&router, "olivia").await;
    let user = who(&router, Some(&cookie)).await;
    assert_eq!(user["role"], "operator");
    assert_eq!(user["username"], "olivia", "the name from userinfo");
    // The precondition: the ID token itself had neither.
    use base64::Engine;
    let token = idp.last_id_token().await;
    let payload = token.split('.').nth(1).expect("a JWT");
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(claims["sub"], "olivia");
    assert!(claims.get("groups").is_none() && claims.get("preferred_username").is_none());
    let mut nadia = Browser::default();
    let reply = nadia.sign_in(&router, "nadia", AtTheProvider::Allow).await;
    assert_eq!(refused_with(&reply), "no-group");
}

#[tokio::test]
async fn local_sign_in_can_be_turned_off() {
    let idp = IdP::start();
    let router = console_for(&idp, &["--local-sign-in=off"]).await;
    // The bootstrap admin exists, but a password signs no one in.
    let reply = send(&router, login("admin", ADMIN_PASSWORD)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert!(reply.session_cookie().is_none());
    let page = send(&router, get("/login", None)).await;
    assert!(page.body.contains("Sign in with Test IdP"));
    assert!(!page.body.contains("type=\"password\""), "no password form");
    // The provider still signs people in.
    signed_in_as(&router, "olivia").await;
}

#[tokio::test]
async fn without_a_provider_the_routes_say_so_and_the_page_offers_none() {
    let router = console().await;
    let reply = send(&router, get("/auth/oidc/start", None)).await;
    assert_eq!(reply.header("location"), "/login?oidc_error=not-configured");
    let page = send(&router, get("/login", None)).await;
    assert!(!page.body.contains("Sign in with"));
    assert!(page.body.contains("type=\"password\""));
}

#[tokio::test]
async fn a_sign_out_from_another_site_is_refused() {
    let idp = IdP::start();
    let router = console_for(&idp, &[]).await;
    let (_, cookie) = signed_in_as(&router, "olivia").await;
    let mut req = form_post(
        "/auth/oidc/logout",
        &[],
        Some(&cookie),
        "http://evil.example/",
    );
    req.headers_mut().insert(
        axum::http::header::ORIGIN,
        axum::http::HeaderValue::from_static("http://evil.example"),
    );
    assert_eq!(send(&router, req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(who(&router, Some(&cookie)).await["username"], "olivia");
}
