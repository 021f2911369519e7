//! The main example's router, in process: the `/context` contract, spoofing
//! attempts, and configuration errors that name the variable.

mod common;

use common::{app, config, get, json, try_config};

#[tokio::test]
async fn context_reports_client_ip_and_peer() {
    let (status, body) = json(app(), "127.0.0.1:5000", get("/context", &[])).await;
    assert_eq!(status, 200);
    assert_eq!(body["client_ip"], "127.0.0.1");
    assert_eq!(body["peer"], "127.0.0.1");
}

#[tokio::test]
async fn trusted_loopback_proxy_is_believed_untrusted_client_is_not() {
    let forged = [("x-forwarded-for", "6.6.6.6, 198.51.100.7")];
    let (_, body) = json(app(), "127.0.0.2:5000", get("/context", &forged)).await;
    assert_eq!(body["client_ip"], "198.51.100.7");
    assert_eq!(body["peer"], "127.0.0.2");

    let (_, body) = json(app(), "192.0.2.9:5000", get("/context", &forged)).await;
    assert_eq!(body["client_ip"], "192.0.2.9");
}

#[tokio::test]
async fn strategy_and_trust_come_from_the_environment() {
    let cfg = config(&[
        ("CROCODILE_CLIENT_IP", "single:x-real-ip"),
        ("CROCODILE_TRUSTED_PROXIES", "10.0.0.0/8"),
    ]);
    let router = common::app::app(&cfg);
    let (_, body) = json(
        router.clone(),
        "10.1.1.1:1",
        get("/context", &[("x-real-ip", "198.51.100.8")]),
    )
    .await;
    assert_eq!(body["client_ip"], "198.51.100.8");
    let (_, body) = json(
        router,
        "127.0.0.1:1",
        get("/context", &[("x-real-ip", "198.51.100.8")]),
    )
    .await;
    assert_eq!(body["client_ip"], "127.0.0.1");
}

#[test]
fn bad_variables_are_named() {
    let cases = [
        (
            ("CROCODILE_TRUSTED_PROXIES", "loopback, 10.0.0.0/33"),
            r#"CROCODILE_TRUSTED_PROXIES="loopback, 10.0.0.0/33": invalid CIDR "10.0.0.0/33" in trusted proxies"#,
        ),
        (
            ("CROCODILE_CLIENT_IP", "leftmost:x-forwarded-for"),
            r#"CROCODILE_CLIENT_IP="leftmost:x-forwarded-for": invalid client-ip strategy"#,
        ),
        (
            ("CROCODILE_ADDR", "localhost"),
            r#"CROCODILE_ADDR="localhost": invalid socket address syntax"#,
        ),
    ];
    for (var, message) in cases {
        let error = try_config(&[var]).unwrap_err();
        assert!(error.starts_with(message), "{error}");
    }
}

#[tokio::test]
async fn home_page_shows_the_address() {
    let router = app();
    let res = tower::ServiceExt::oneshot(
        router.layer(axum::extract::connect_info::MockConnectInfo(
            "127.0.0.1:1".parse::<std::net::SocketAddr>().unwrap(),
        )),
        get("/", &[]),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("127.0.0.1"));
}
