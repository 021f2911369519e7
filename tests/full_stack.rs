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

#[tokio::test]
async fn locale_is_negotiated_and_reported() {
    let cases: &[(&[(&str, &str)], &str, &str)] = &[
        (&[], "/context", "en"),
        (&[("accept-language", "fr-CA, en;q=0.5")], "/context", "fr"),
        (&[("accept-language", "zh-TW, en;q=0.1")], "/context", "en"),
        (&[("accept-language", "zh-CN")], "/context", "zh-Hans"),
        (&[("accept-language", "de;q=0.5, ar")], "/context", "ar"),
        (
            &[("accept-language", "fr"), ("cookie", "lang=de")],
            "/context",
            "de",
        ),
        (&[("cookie", "lang=de")], "/context?lang=ar", "ar"),
        (&[("accept-language", "xx, *;q=0.1")], "/context", "en"),
    ];
    for (headers, uri, want) in cases {
        let (status, body) = json(app(), "127.0.0.1:1", get(uri, headers)).await;
        assert_eq!(status, 200);
        assert_eq!(body["locale"], *want, "{uri} {headers:?}");
    }
}

#[tokio::test]
async fn language_switch_sets_the_cookie_and_the_page_direction() {
    use axum::extract::connect_info::MockConnectInfo;
    let router = app().layer(MockConnectInfo(
        "127.0.0.1:1".parse::<std::net::SocketAddr>().unwrap(),
    ));
    let res = tower::ServiceExt::oneshot(router, get("/?lang=ar", &[]))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-language"], "ar");
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lang=ar;"), "{cookie}");
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let page = String::from_utf8_lossy(&body);
    assert!(page.contains(r#"<html lang="ar" dir="rtl">"#), "{page}");
    assert!(page.contains(r#"href="?lang=fr""#), "{page}");
}

#[test]
fn broken_catalog_names_every_error() {
    let dir = std::env::temp_dir().join(format!("crocodile-broken-{}", std::process::id()));
    for (locale, text) in [
        ("en", "ok = fine\nbroken = {\n"),
        ("fr", "ok = bien\n= nope\n"),
    ] {
        std::fs::create_dir_all(dir.join(locale)).unwrap();
        std::fs::write(dir.join(locale).join("main.ftl"), text).unwrap();
    }
    let error = try_config(&[("CROCODILE_LOCALES", dir.to_str().unwrap())]).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(error.starts_with("CROCODILE_LOCALES="), "{error}");
    let en = format!(
        "{}:3:1: Expected an inline expression",
        dir.join("en").join("main.ftl").display()
    );
    let fr = format!("{}:2:1:", dir.join("fr").join("main.ftl").display());
    assert!(error.contains(&en), "{error}");
    assert!(error.contains(&fr), "{error}");
}

/// Every key of the `/context` contract, in one place.
const CONTEXT_KEYS: [&str; 14] = [
    "client_ip",
    "client_ip_source",
    "client_ip_fallback",
    "peer",
    "request_id",
    "scheme",
    "host",
    "port",
    "origin",
    "home_url",
    "locale",
    "received_at",
    "trace_id",
    "traceparent",
];

#[tokio::test]
async fn context_has_every_contract_key() {
    let (status, body) = json(app(), "127.0.0.1:5000", get("/context", &[])).await;
    assert_eq!(status, 200);
    for key in CONTEXT_KEYS {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    assert_eq!(body["scheme"], "http");
    assert_eq!(body["host"], "localhost");
    assert_eq!(body["port"], 3000);
    assert_eq!(body["origin"], "http://localhost:3000");
    assert_eq!(body["home_url"], "http://localhost:3000/");
    let id = body["request_id"].as_str().unwrap();
    assert!(!id.is_empty() && id.len() <= 128, "{id}");
    let received = body["received_at"].as_str().unwrap();
    assert!(
        received.len() >= 20 && received.ends_with('Z') && received.as_bytes()[10] == b'T',
        "{received}"
    );
}

#[tokio::test]
async fn scheme_and_host_follow_trust() {
    let forged = [
        ("host", "localhost"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "127.0.0.1:8443"),
    ];
    // From a trusted loopback proxy: believed (the host is allowed).
    let (status, body) = json(app(), "127.0.0.1:1", get("/context", &forged[1..])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scheme"], "https");
    assert_eq!(body["host"], "127.0.0.1");
    assert_eq!(body["port"], 8443);
    assert_eq!(body["origin"], "https://127.0.0.1:8443");
    assert_eq!(body["home_url"], "https://127.0.0.1:8443/");
    // From an untrusted client: ignored, the Host header decides.
    let (status, body) = json(app(), "192.0.2.9:1", get("/context", &forged[1..])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scheme"], "http");
    assert_eq!(body["origin"], "http://localhost:3000");
}

#[tokio::test]
async fn disallowed_or_invalid_hosts_get_400() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("192.0.2.9:1", &[("host", "evil.example")]),
        ("192.0.2.9:1", &[("host", "localhost@evil.example")]),
        ("192.0.2.9:1", &[("host", "localhost:99999")]),
        // A trusted proxy relaying a forged host is still checked.
        ("127.0.0.1:1", &[("x-forwarded-host", "evil.example")]),
    ];
    for (peer, headers) in cases {
        let mut req = get("/context", &[]);
        for (name, value) in *headers {
            req.headers_mut().insert(*name, value.parse().unwrap());
        }
        let (status, body) = json(app(), peer, req).await;
        assert_eq!(status, 400, "{peer} {headers:?}: {body}");
    }
}

#[tokio::test]
async fn request_id_is_trusted_only_from_proxies() {
    let supplied = [("x-request-id", "edge-1234")];
    let (_, body) = json(app(), "127.0.0.1:1", get("/context", &supplied)).await;
    assert_eq!(body["request_id"], "edge-1234");
    let (_, body) = json(app(), "192.0.2.9:1", get("/context", &supplied)).await;
    assert_ne!(body["request_id"], "edge-1234");
    let (_, other) = json(app(), "192.0.2.9:1", get("/context", &supplied)).await;
    assert_ne!(
        body["request_id"], other["request_id"],
        "generated ids are unique"
    );
}

/// The W3C Trace Context spec's example (section 3.2.3).
const CALLER: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// `(trace id, span id, flags)` of a `traceparent` /context answered.
fn outgoing(body: &serde_json::Value) -> (String, String, String) {
    let value = body["traceparent"].as_str().unwrap();
    let parts: Vec<&str> = value.split('-').collect();
    assert_eq!(parts.len(), 4, "{value}");
    assert_eq!(parts[0], "00", "{value}");
    (
        parts[1].to_owned(),
        parts[2].to_owned(),
        parts[3].to_owned(),
    )
}

#[tokio::test]
async fn trace_context_is_believed_from_a_trusted_proxy_only() {
    let sent = [("traceparent", CALLER), ("x-forwarded-for", "198.51.100.7")];
    // From the trusted loopback proxy: the caller's trace continues, with a
    // span id of this request's own in the outgoing value.
    let (status, body) = json(app(), "127.0.0.1:1", get("/context", &sent)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["trace_id"], CALLER_TRACE);
    let (trace, span, flags) = outgoing(&body);
    assert_eq!(trace, CALLER_TRACE);
    assert_eq!(span.len(), 16);
    assert_ne!(span, "00f067aa0ba902b7");
    assert_eq!(flags, "01");
    // From an untrusted client: a new trace, sampled by default.
    let (status, body) = json(app(), "192.0.2.9:1", get("/context", &sent)).await;
    assert_eq!(status, 200, "{body}");
    let trace_id = body["trace_id"].as_str().unwrap();
    assert_ne!(trace_id, CALLER_TRACE);
    assert_eq!(trace_id.len(), 32);
    assert!(
        trace_id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    let (trace, _, flags) = outgoing(&body);
    assert_eq!(trace, trace_id);
    assert_eq!(flags, "01");
}

#[tokio::test]
async fn request_id_can_be_the_trace_id() {
    let app = || common::app::app(&config(&[("CROCODILE_REQUEST_ID", "trace-id")]));
    let sent = [("traceparent", CALLER), ("x-request-id", "edge-1234")];
    let (_, body) = json(app(), "127.0.0.1:1", get("/context", &sent)).await;
    assert_eq!(body["request_id"], CALLER_TRACE);
    assert_eq!(body["trace_id"], CALLER_TRACE);
    let (_, body) = json(app(), "192.0.2.9:1", get("/context", &sent)).await;
    assert_ne!(body["request_id"], CALLER_TRACE);
    assert_eq!(body["request_id"], body["trace_id"]);
    let error = try_config(&[("CROCODILE_REQUEST_ID", "uuid")]).unwrap_err();
    assert!(error.contains("CROCODILE_REQUEST_ID=\"uuid\""), "{error}");
}
