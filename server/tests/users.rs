//! The account lifecycle on the Users and account pages, through the real router: roles, resets,
//! removals and one's own password; each ends the user's other sessions at once, is audited, and
//! the last operator is never lost.

mod common;

use axum::http::StatusCode;
use common::*;
use server::users::AdminBootstrap;

const BOB_PASSWORD: &str = "bob-password-1";

/// Whether `cookie` is still a signed-in session: a page is served, not a redirect to sign-in.
async fn signed_in(router: &axum::Router, cookie: &str) -> bool {
    let page = send(router, get("/audit", Some(cookie))).await;
    page.status == StatusCode::OK
}

/// Each of `expected` (`actor action user NAME`) is in the audit log.
async fn assert_audited(router: &axum::Router, cookie: &str, expected: &[&str]) {
    let log = audit_actions(router, cookie).await;
    for entry in expected {
        assert!(log.iter().any(|e| e == entry), "{entry} in {log:?}");
    }
}

async fn audit_actions(router: &axum::Router, cookie: &str) -> Vec<String> {
    let reply = send(router, call("/api/audit/list", &[], Some(cookie), ORIGIN)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let entries: Vec<serde_json::Value> = serde_json::from_str(&reply.body).unwrap();
    entries
        .iter()
        .map(|e| format!("{} {} {}", e["user"], e["action"], e["store_name"]).replace('"', ""))
        .collect()
}

#[tokio::test]
async fn a_role_change_ends_the_users_sessions_and_is_audited() {
    let (router, admin) = console_and_admin_with(&[]).await;
    let bob = add_user(&router, &admin, "bob", BOB_PASSWORD, "viewer").await;
    let bob_elsewhere = sign_in(&router, "bob", BOB_PASSWORD).await;
    assert!(signed_in(&router, &bob).await && signed_in(&router, &bob_elsewhere).await);

    let r = send(
        &router,
        call(
            "/api/users/role",
            &[("username", "bob"), ("role", "operator")],
            Some(&admin),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Both of bob's sessions are over at once; the admin's goes on.
    assert!(!signed_in(&router, &bob).await);
    assert!(!signed_in(&router, &bob_elsewhere).await);
    assert!(signed_in(&router, &admin).await);
    // Signed in again, bob has the new role.
    let bob = sign_in(&router, "bob", BOB_PASSWORD).await;
    let session = send(&router, call("/api/session", &[], Some(&bob), ORIGIN)).await;
    assert!(
        session.body.contains(r#""role":"operator""#),
        "{}",
        session.body
    );
    assert_audited(
        &router,
        &admin,
        &["admin role changed user bob", "admin user added user bob"],
    )
    .await;
}

#[tokio::test]
async fn the_last_operator_can_be_neither_demoted_nor_removed() {
    let (router, admin) = console_and_admin_with(&[]).await;
    for (path, form) in [
        (
            "/api/users/role",
            vec![("username", "admin"), ("role", "viewer")],
        ),
        ("/api/users/remove", vec![("username", "admin")]),
    ] {
        let r = send(&router, call(path, &form, Some(&admin), ORIGIN)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", r.body);
        assert!(r.body.contains("last operator"), "{path}: {}", r.body);
    }
    assert!(signed_in(&router, &admin).await);
    // With a second operator, the first may step down: its own session goes on, as a viewer.
    add_user(&router, &admin, "olga", "olga-password-1", "operator").await;
    let r = send(
        &router,
        call(
            "/api/users/role",
            &[("username", "admin"), ("role", "viewer")],
            Some(&admin),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let admin = r
        .session_cookie()
        .expect("the session goes on under a new id");
    let session = send(&router, call("/api/session", &[], Some(&admin), ORIGIN)).await;
    assert!(
        session.body.contains(r#""role":"viewer""#),
        "{}",
        session.body
    );
    // And now olga is the last operator.
    let olga = sign_in(&router, "olga", "olga-password-1").await;
    let r = send(
        &router,
        call(
            "/api/users/remove",
            &[("username", "olga")],
            Some(&olga),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

#[tokio::test]
async fn a_removed_user_is_signed_out_at_once_and_cannot_sign_in() {
    let (router, admin) = console_and_admin_with(&[]).await;
    let bob = add_user(&router, &admin, "bob", BOB_PASSWORD, "operator").await;
    let r = send(
        &router,
        call(
            "/api/users/remove",
            &[("username", "bob")],
            Some(&admin),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!signed_in(&router, &bob).await);
    assert_eq!(
        sign_in_status(&router, "bob", BOB_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let users = send(&router, call("/api/users/list", &[], Some(&admin), ORIGIN)).await;
    assert!(!users.body.contains(r#""bob""#), "{}", users.body);
    assert_audited(&router, &admin, &["admin user removed user bob"]).await;
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_anything_else() {
    let (router, admin) = console_and_admin_with(&[]).await;
    let bob = add_user(&router, &admin, "bob", BOB_PASSWORD, "operator").await;
    let r = send(
        &router,
        call(
            "/api/users/reset-password",
            &[("username", "bob"), ("password", "temporary-pass-1")],
            Some(&admin),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        !signed_in(&router, &bob).await,
        "the reset ends bob's session"
    );
    assert_eq!(
        sign_in_status(&router, "bob", BOB_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let bob = sign_in(&router, "bob", "temporary-pass-1").await;
    // Every page leads to the account page, and every other server function refuses.
    for page in ["/", "/users", "/audit"] {
        let r = send(&router, get(page, Some(&bob))).await;
        assert!(r.status.is_redirection(), "{page}: {}", r.status);
        assert_eq!(r.header("location"), "/account", "{page}");
    }
    let r = send(&router, get("/account", Some(&bob))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Choose your own"), "{}", r.body);
    let r = send(&router, call("/api/stores/list", &[], Some(&bob), ORIGIN)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("PasswordChangeRequired"), "{}", r.body);
    // Changed, bob goes on.
    let r = send(
        &router,
        call(
            "/api/account/password",
            &[
                ("current", "temporary-pass-1"),
                ("password", "bobs-own-password"),
                ("confirm", "bobs-own-password"),
            ],
            Some(&bob),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bob = r.session_cookie().unwrap_or(bob);
    let page = send(&router, get("/", Some(&bob))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_audited(
        &router,
        &admin,
        &[
            "admin password reset user bob",
            "bob password changed user bob",
        ],
    )
    .await;
}

#[tokio::test]
async fn the_first_admins_generated_password_is_changed_at_first_sign_in() {
    let console = server::build(&config(&["--ephemeral"]), None)
        .await
        .unwrap();
    let AdminBootstrap::CreatedWithGeneratedPassword(password) = &console.bootstrap else {
        panic!("a first start without CKS_ADMIN_PASSWORD generates one");
    };
    let router = console.router.clone();
    let admin = sign_in(&router, "admin", password.expose()).await;
    let r = send(&router, get("/", Some(&admin))).await;
    assert_eq!(r.header("location"), "/account");
    // Without JavaScript: the form posts, and the console goes on to the list.
    let r = send(
        &router,
        form_post(
            "/api/account/password",
            &[
                ("current", password.expose()),
                ("password", "admins-own-password"),
                ("confirm", "admins-own-password"),
            ],
            Some(&admin),
            "http://127.0.0.1:3000/account",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(r.header("location"), "/");
    let admin = r.session_cookie().unwrap_or(admin);
    assert_eq!(
        send(&router, get("/", Some(&admin))).await.status,
        StatusCode::OK
    );
    // The one-time password is gone.
    assert_eq!(
        sign_in_status(&router, "admin", password.expose()).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn changing_ones_own_password_checks_it_and_ends_only_the_other_sessions() {
    let (router, admin) = console_and_admin_with(&[]).await;
    let here = add_user(&router, &admin, "vera", "vera-password-1", "viewer").await;
    let there = sign_in(&router, "vera", "vera-password-1").await;
    let change = |current: &str, new: &str, confirm: &str| {
        call(
            "/api/account/password",
            &[
                ("current", current),
                ("password", new),
                ("confirm", confirm),
            ],
            Some(&here),
            ORIGIN,
        )
    };
    // The README's rule: 12 to 256 characters; the current password must be right.
    let long = "x".repeat(257);
    let cases = [
        (
            "wrong-password-1",
            "veras-new-password",
            "veras-new-password",
            "Current password",
        ),
        (
            "vera-password-1",
            "eleven-char",
            "eleven-char",
            "at least 12",
        ),
        (
            "vera-password-1",
            long.as_str(),
            long.as_str(),
            "at most 256",
        ),
        (
            "vera-password-1",
            "veras-new-password",
            "veras-new-passwort",
            "does not match",
        ),
        (
            "vera-password-1",
            "vera-password-1",
            "vera-password-1",
            "must differ",
        ),
    ];
    for (current, new, confirm, says) in cases {
        let r = send(&router, change(current, new, confirm)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{says}: {}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    let exactly_256 = "y".repeat(256);
    let r = send(
        &router,
        change("vera-password-1", &exactly_256, &exactly_256),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // This session goes on (with its new id); the other one is over.
    let here = r.session_cookie().unwrap_or(here);
    assert!(signed_in(&router, &here).await);
    assert!(!signed_in(&router, &there).await);
    let r = send(&router, call("/api/session", &[], Some(&here), ORIGIN)).await;
    assert!(r.body.contains(r#""username":"vera""#), "{}", r.body);
    sign_in(&router, "vera", &exactly_256).await;
}

#[tokio::test]
async fn the_users_page_offers_operators_the_actions_and_viewers_none() {
    let (router, admin) = console_and_admin_with(&[]).await;
    let vera = add_user(&router, &admin, "vera", "vera-password-1", "viewer").await;
    let page = send(&router, get("/users", Some(&admin))).await;
    for control in [
        "Reset password",
        "Make operator",
        "Yes, remove vera",
        r#"action="/api/users/role""#,
        r#"action="/api/users/remove""#,
        "Add user",
    ] {
        assert!(page.body.contains(control), "{control}: {}", page.body);
    }
    let page = send(&router, get("/users", Some(&vera))).await;
    assert_eq!(page.status, StatusCode::OK);
    for control in [
        "Reset password",
        "Make operator",
        "Remove",
        "Add user",
        "/api/users/",
    ] {
        assert!(!page.body.contains(control), "a viewer sees {control}");
    }
    assert!(page.body.contains("Change your own password"));
    // Without JavaScript the forms post and come back to the page.
    let r = send(
        &router,
        form_post(
            "/api/users/role",
            &[("username", "vera"), ("role", "operator")],
            Some(&admin),
            "http://127.0.0.1:3000/users",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let page = send(&router, get("/users", Some(&admin))).await;
    assert!(page.body.contains("Make viewer"), "{}", page.body);
}
