//! README "Behind a reverse proxy": the sign-in throttle counts the client's address, which comes
//! from `X-Forwarded-For` (or `Forwarded`, with `--forwarded-header`) only when the request
//! arrives from a `--trusted-proxy`. Real HTTP, so that the console sees a real peer address
//! (127.0.0.1, the "proxy" here).
//!
//! One test here installs the process's log subscriber.

mod common;

use common::*;
use reqwest::StatusCode;

/// A console on a real listener, as `cks-console` serves it; its base URL.
async fn listening(extra: &[&str]) -> String {
    let router = console_with(extra).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    url
}

/// A sign-in as the sign-in page sends it, through a proxy that says it came from `forwarded`.
async fn sign_in_via(url: &str, forwarded: &[u8], password: &str) -> StatusCode {
    sign_in_with(url, "x-forwarded-for", forwarded, password).await
}

/// The same, through a proxy that writes `header: forwarded`.
async fn sign_in_with(url: &str, header: &str, forwarded: &[u8], password: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{url}/api/login"))
        .header("origin", url)
        .header("accept", "application/json")
        .header(
            header,
            reqwest::header::HeaderValue::from_bytes(forwarded).unwrap(),
        )
        .form(&[("username", "admin"), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

const WRONG: &str = "not-the-password";

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_on_its_own() {
    let logs = Captured::debug_logs(false);
    let url = listening(&["--trusted-proxy", "127.0.0.1"]).await;
    // README "Security": three free failures, then each attempt waits.
    for _ in 0..3 {
        assert_eq!(
            sign_in_via(&url, b"203.0.113.9", WRONG).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_via(&url, b"203.0.113.9", ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser's address is slowed down"
    );
    // Naming another address in its own header does not help the guesser: the proxy appends the
    // address it saw, and that is the one counted.
    assert_eq!(
        sign_in_via(&url, b"198.51.100.7, 203.0.113.9", ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The account's owner, at another address behind the same proxy, signs in at once.
    assert_eq!(
        sign_in_via(&url, b"198.51.100.7", ADMIN_PASSWORD).await,
        StatusCode::OK
    );
    // The log names each client, not the proxy.
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        logged
            .lines()
            .any(|l| l.contains("failed sign-in") && l.contains("203.0.113.9")),
        "{logged}"
    );
    assert!(
        logged
            .lines()
            .any(|l| l.contains("signed in") && l.contains("198.51.100.7")),
        "{logged}"
    );
}

/// README "Behind a reverse proxy": a proxy that writes RFC 7239's `Forwarded` header.
#[tokio::test]
async fn a_proxy_that_writes_forwarded_is_read_with_forwarded_header_forwarded() {
    let url = listening(&[
        "--trusted-proxy",
        "127.0.0.1",
        "--forwarded-header",
        "forwarded",
    ])
    .await;
    let guesser = b"for=203.0.113.9;proto=https";
    for _ in 0..3 {
        assert_eq!(
            sign_in_with(&url, "forwarded", guesser, WRONG).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_with(&url, "forwarded", guesser, ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // An X-Forwarded-For that this proxy passed on untouched names nobody: still the guesser.
    let both = reqwest::Client::new()
        .post(format!("{url}/api/login"))
        .header("origin", &url)
        .header("accept", "application/json")
        .header("forwarded", "for=203.0.113.9")
        .header("x-forwarded-for", "198.51.100.7")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(both, StatusCode::TOO_MANY_REQUESTS);
    // The owner, at an IPv6 address behind the same proxy, signs in at once.
    assert_eq!(
        sign_in_with(
            &url,
            "forwarded",
            br#"for="[2001:db8:cafe::17]:4711";proto=https"#,
            ADMIN_PASSWORD
        )
        .await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_a_forwarded_address_changes_nothing() {
    let url = listening(&[]).await;
    // A guesser that names a new address at each attempt is still one address to the console.
    for i in 1..=3 {
        let forged = format!("203.0.113.{i}");
        assert_eq!(
            sign_in_via(&url, forged.as_bytes(), WRONG).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_via(&url, b"198.51.100.7", ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn odd_forwarded_headers_are_answered_calmly() {
    let url = listening(&["--trusted-proxy", "127.0.0.0/8"]).await;
    for odd in [
        &b"unknown"[..],
        b"\t, ,,",
        b"203.0.113.9\xff\xfe",
        b"[::1]:99999",
        b"2001:db8::1%eth0",
        &b"1.1.1.1,".repeat(2000),
    ] {
        // Refused as a wrong password (or, after three, throttled: every one of these counts
        // against the proxy's own address), never a server error.
        let status = sign_in_via(&url, odd, WRONG).await;
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&status),
            "{status}: {}",
            String::from_utf8_lossy(odd)
        );
    }
    // None of them was charged to a client behind the proxy.
    assert_eq!(
        sign_in_via(&url, b"203.0.113.9", ADMIN_PASSWORD).await,
        StatusCode::OK
    );
}
