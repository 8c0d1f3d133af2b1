//! Sign-in, sessions, roles and CSRF, through the real router.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn pages_send_signed_out_visitors_to_the_sign_in_page() {
    let router = console().await;
    let reply = send(&router, get("/users?x=1", None)).await;
    assert!(reply.status.is_redirection(), "{}", reply.status);
    assert_eq!(reply.header("location"), "/login?next=%2Fusers%3Fx%3D1");
}

#[tokio::test]
async fn sign_in_page_is_a_plain_form_that_needs_no_javascript() {
    let router = console().await;
    let reply = send(&router, get("/login", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains(r#"method="post""#), "{}", reply.body);
    assert!(reply.body.contains(r#"action="/api/login""#));
    assert!(reply.body.contains(r#"name="username""#));
    assert!(reply.body.contains(r#"name="password""#));
}

#[tokio::test]
async fn signing_in_without_javascript_redirects_home_with_a_strict_httponly_cookie() {
    let router = console().await;
    let reply = send(
        &router,
        form_post(
            "/api/login",
            &[
                ("username", "admin"),
                ("password", ADMIN_PASSWORD),
                ("next", "/users"),
            ],
            None,
            "http://127.0.0.1:3000/login?next=%2Fusers",
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    assert_eq!(reply.header("location"), "/users");
    let set_cookie = reply.header("set-cookie");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Secure"),
        "plain http must not set Secure: {set_cookie}"
    );
    let cookie = reply.session_cookie().unwrap();
    let page = send(&router, get("/users", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<td>admin</td>"),
        "the users table lists admin"
    );
    // Signed in, the sign-in page sends you on.
    let again = send(&router, get("/login", Some(&cookie))).await;
    assert!(again.status.is_redirection());
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let router = console_with(&["--secure-cookies"]).await;
    let reply = send(
        &router,
        call(
            "/api/login",
            &[("username", "admin"), ("password", ADMIN_PASSWORD)],
            None,
            ORIGIN,
        ),
    )
    .await;
    assert!(reply.header("set-cookie").contains("Secure"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_the_form_shows_why() {
    let router = console().await;
    let json = send(
        &router,
        call(
            "/api/login",
            &[("username", "admin"), ("password", "nope-nope-nope")],
            None,
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(json.status, StatusCode::UNAUTHORIZED);
    assert!(json.body.contains("BadCredentials"), "{}", json.body);
    assert!(json.session_cookie().is_none());
    // Without JavaScript the browser goes back to the form, which carries the error.
    let form = send(
        &router,
        form_post(
            "/api/login",
            &[("username", "admin"), ("password", "nope")],
            None,
            "http://127.0.0.1:3000/login",
        ),
    )
    .await;
    assert_eq!(form.status, StatusCode::FOUND);
    let back = form.header("location").to_string();
    assert!(back.starts_with("http://127.0.0.1:3000/login"), "{back}");
    let page = send(
        &router,
        get(back.trim_start_matches("http://127.0.0.1:3000"), None),
    )
    .await;
    assert!(
        page.body.contains("Wrong user name or password."),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_are_slowed_down_even_for_the_right_one() {
    let router = console().await;
    for _ in 0..3 {
        let r = send(
            &router,
            call(
                "/api/login",
                &[("username", "admin"), ("password", "guess-guess")],
                None,
                ORIGIN,
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = send(
        &router,
        call(
            "/api/login",
            &[("username", "admin"), ("password", ADMIN_PASSWORD)],
            None,
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("Throttled"), "{}", r.body);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let router = console().await;
    let cookie = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let out = send(
        &router,
        form_post("/api/logout", &[], Some(&cookie), "http://127.0.0.1:3000/"),
    )
    .await;
    assert_eq!(out.status, StatusCode::FOUND);
    assert_eq!(out.header("location"), "/login");
    let page = send(&router, get("/", Some(&cookie))).await;
    assert!(
        page.status.is_redirection(),
        "old cookie still works: {}",
        page.status
    );
}

#[tokio::test]
async fn adding_a_user_needs_a_session() {
    let router = console().await;
    let r = send(
        &router,
        call(
            "/api/users/add",
            &[
                ("username", "bob"),
                ("password", "bob-password-1"),
                ("role", "viewer"),
            ],
            None,
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(r.body.contains("Unauthenticated"));
}

#[tokio::test]
async fn adding_a_user_needs_the_operator_role() {
    let router = console().await;
    let admin = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let vera = add_user(&router, &admin, "vera", "vera-password-1", "viewer").await;
    let r = send(
        &router,
        call(
            "/api/users/add",
            &[
                ("username", "mallory"),
                ("password", "mallory-pass-1"),
                ("role", "operator"),
            ],
            Some(&vera),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("Forbidden"));
    // Viewers still read.
    let list = send(&router, call("/api/users/list", &[], Some(&vera), ORIGIN)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("vera") && !list.body.contains("mallory"),
        "{}",
        list.body
    );
}

#[tokio::test]
async fn changes_from_another_origin_are_refused_even_with_a_valid_session() {
    let router = console().await;
    let admin = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let form = [
        ("username", "eve"),
        ("password", "eve-password-1"),
        ("role", "operator"),
    ];
    let r = send(
        &router,
        call("/api/users/add", &form, Some(&admin), "http://evil.example"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("CrossOrigin"));
    let mut req = call("/api/users/add", &form, Some(&admin), ORIGIN);
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&router, req).await.status, StatusCode::FORBIDDEN);
    let list = send(&router, call("/api/users/list", &[], Some(&admin), ORIGIN)).await;
    assert!(!list.body.contains("eve"), "{}", list.body);
}

#[tokio::test]
async fn bad_new_users_get_a_message_naming_the_field() {
    let router = console().await;
    let admin = sign_in(&router, "admin", ADMIN_PASSWORD).await;
    let short = send(
        &router,
        call(
            "/api/users/add",
            &[
                ("username", "bob"),
                ("password", "short"),
                ("role", "viewer"),
            ],
            Some(&admin),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("Password") && short.body.contains("12"),
        "{}",
        short.body
    );
    let dup = send(
        &router,
        call(
            "/api/users/add",
            &[
                ("username", "admin"),
                ("password", "long-enough-pw"),
                ("role", "viewer"),
            ],
            Some(&admin),
            ORIGIN,
        ),
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
    let role = send(
        &router,
        call(
            "/api/users/add",
            &[
                ("username", "bob"),
                ("password", "long-enough-pw"),
                ("role", "root"),
            ],
            Some(&admin),
            ORIGIN,
        ),
    )
    .await;
    assert!(role.body.contains("Role"), "{}", role.body);
}

#[tokio::test]
async fn a_restart_keeps_users_and_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let cfg = config(&["--data-dir", data]);
    let first = server::build(&cfg, Some(app::domain::user::Secret::new(ADMIN_PASSWORD)))
        .await
        .unwrap();
    assert_eq!(
        first.bootstrap,
        server::users::AdminBootstrap::CreatedWithGivenPassword
    );
    let cookie = sign_in(&first.router, "admin", ADMIN_PASSWORD).await;
    drop(first);
    let second = server::build(&cfg, None).await.unwrap();
    assert_eq!(
        second.bootstrap,
        server::users::AdminBootstrap::AlreadyHasUsers
    );
    let page = send(&second.router, get("/", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "signed out by a restart");
}

#[tokio::test]
async fn a_generated_admin_password_is_handed_out_once_and_works() {
    let cfg = config(&["--ephemeral"]);
    let console = server::build(&cfg, None).await.unwrap();
    let server::users::AdminBootstrap::CreatedWithGeneratedPassword(password) = &console.bootstrap
    else {
        panic!("expected a generated password, got {:?}", console.bootstrap);
    };
    assert!(password.expose().len() >= 20);
    sign_in(&console.router, "admin", password.expose()).await;
}

/// Forty wrong passwords for one account, sent at once from one address: the throttle counts
/// each attempt before its password is checked, so only the free attempts reach argon2.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_passwords_is_throttled_before_argon2_and_spares_other_addresses() {
    use app::domain::user::{Role, Secret};
    use app::error::AppError;
    use app::ssr::UserDirectory;
    use server::throttle::{Policy, SignInThrottle};
    use server::users::SqliteUsers;
    use std::sync::Arc;
    let (pool, _scratch) = server::db::scratch().await.unwrap();
    let policy = Policy::default();
    let users = Arc::new(
        SqliteUsers::new(pool, Arc::new(SignInThrottle::new(policy)))
            .await
            .unwrap(),
    );
    users
        .add("admin", &Secret::new(ADMIN_PASSWORD), Role::Operator)
        .await
        .unwrap();
    let attempts: Vec<_> = (0..40)
        .map(|i| {
            let users = users.clone();
            tokio::spawn(async move {
                users
                    .authenticate(
                        "admin",
                        &Secret::new(format!("wrong-guess-{i}")),
                        "203.0.113.66",
                    )
                    .await
            })
        })
        .collect();
    let mut refused = 0;
    let mut throttled = 0;
    for a in attempts {
        match a.await.unwrap() {
            Err(AppError::BadCredentials) => refused += 1,
            Err(AppError::Throttled { retry_after_secs }) => {
                assert!(retry_after_secs >= 1);
                throttled += 1;
            }
            other => panic!("a wrong password got {other:?}"),
        }
    }
    let free = policy.free_failures as usize;
    assert_eq!((refused, throttled), (free, 40 - free));
    assert_eq!(
        users.password_checks(),
        free as u64,
        "argon2 ran only for the free attempts"
    );
    // The account's owner, at another address, signs in at once.
    let owner = users
        .authenticate("admin", &Secret::new(ADMIN_PASSWORD), "198.51.100.7")
        .await
        .unwrap();
    assert_eq!(owner.username, "admin");
}

/// A throttled sign-in tells a client when to come back.
#[tokio::test]
async fn a_throttled_sign_in_says_when_to_try_again() {
    let router = console().await;
    let mut last = None;
    for _ in 0..5 {
        last = Some(
            send(
                &router,
                call(
                    "/api/login",
                    &[("username", "admin"), ("password", "not-the-password")],
                    None,
                    ORIGIN,
                ),
            )
            .await,
        );
    }
    let r = last.unwrap();
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let after: u64 = r
        .header("retry-after")
        .parse()
        .expect("a Retry-After in seconds");
    assert!(after >= 1, "{after}");
}
