//! `BaseContextLayer` next to other layers: tower-http's request ids and
//! tracing, crocodile-client-ip, and axum's `ConnectInfo`.
#![cfg(feature = "axum")]

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use crocodile_base_context::{BaseContext, BaseContextLayer, ProxyTrust, TrustedProxies};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::{ServiceBuilder, ServiceExt};

/// `rightmost:x-forwarded-for` trusting 10.0.0.0/8.
fn trust() -> ProxyTrust {
    ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        "10.0.0.0/8".parse().unwrap(),
    )
}

fn layer() -> BaseContextLayer {
    BaseContextLayer::new(trust(), "*".parse().unwrap())
}

/// `GET /` for `host`.
fn get(host: &str) -> Request<Body> {
    Request::get("/")
        .header("host", host)
        .body(Body::empty())
        .unwrap()
}

/// Sends `GET /` for `host` and checks the status, the request id and the body.
async fn assert_answers<S, B>(service: S, host: &str, status: StatusCode, body: &str, case: &str)
where
    S: tower::Service<Request<Body>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let res = service.oneshot(get(host)).await.unwrap();
    let got = (res.status(), res.headers().contains_key("x-request-id"));
    assert_eq!(got, (status, true), "{case}, {host}");
    assert_eq!(body_text(res).await, body, "{case}, {host}");
}

async fn body_text<B>(res: Response<B>) -> String
where
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn axum_connect_info_is_the_peer() {
    let app = |peer: &str| {
        Router::new()
            .route(
                "/",
                axum::routing::get(|ctx: BaseContext| async move {
                    format!("{} {:?}", ctx.origin(), ctx.peer().map(|p| p.to_string()))
                }),
            )
            .layer(layer())
            .layer(MockConnectInfo(peer.parse::<SocketAddr>().unwrap()))
    };
    let req = || {
        Request::get("/")
            .header("host", "backend")
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-host", "example.com")
            .body(Body::empty())
            .unwrap()
    };
    let res = app("10.0.0.1:4000").oneshot(req()).await.unwrap();
    assert_eq!(
        body_text(res).await,
        r#"https://example.com Some("10.0.0.1:4000")"#
    );
    let res = app("203.0.113.9:4000").oneshot(req()).await.unwrap();
    assert_eq!(
        body_text(res).await,
        r#"http://backend Some("203.0.113.9:4000")"#
    );
}

#[tokio::test]
async fn axum_400_has_a_plain_text_reason() {
    let app = Router::new()
        .route("/", axum::routing::get(|| async { "handler ran" }))
        .layer(BaseContextLayer::new(
            ProxyTrust::default(),
            "example.com".parse().unwrap(),
        ));
    let res = app.oneshot(get("evil.tld")).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(body_text(res).await, "host not allowed");
}

/// tower-http's `SetRequestIdLayer` ran first: with the `tower-http`
/// feature its id is the context's; without it, its extension is not looked at.
#[tokio::test]
async fn tower_http_request_id_is_reused_with_the_feature_only() {
    use tower_http::request_id::{MakeRequestUuid, RequestId, SetRequestIdLayer};

    let reused = cfg!(feature = "tower-http");
    let service = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(layer())
        .service_fn(move |req: Request<Body>| async move {
            let ctx = req.extensions().get::<BaseContext>().unwrap();
            let theirs = req.extensions().get::<RequestId>().unwrap();
            assert_eq!(ctx.request_id().as_str() == theirs.header_value(), reused);
            assert_eq!(ctx.request_id().is_generated(), !reused);
            Ok::<_, Infallible>(Response::new(Body::from(ctx.request_id().to_string())))
        });
    let res = service.oneshot(get("example.com")).await.unwrap();
    // Ours is echoed: theirs (a UUID) with the feature, a ULID without.
    let echoed = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(echoed.len(), if reused { 36 } else { 26 }, "{echoed}");
    assert_eq!(body_text(res).await, echoed);
}

/// The request id in a `TraceLayer` span, as the crate docs show: no
/// `map_response` between the two layers.
#[tokio::test]
async fn request_id_in_a_trace_span() {
    use std::sync::{Arc, Mutex};
    use tower_http::trace::TraceLayer;

    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&seen);
    let service = ServiceBuilder::new()
        .layer(layer())
        .layer(
            TraceLayer::new_for_http().make_span_with(move |req: &Request<Body>| {
                let id = req
                    .extensions()
                    .get::<BaseContext>()
                    .map(|ctx| ctx.request_id().to_string());
                recorded.lock().unwrap().push(id.clone());
                tracing::info_span!("request", id = id.as_deref().unwrap_or("-"))
            }),
        )
        .service_fn(|_req: Request<Body>| async {
            Ok::<_, Infallible>(Response::new(Body::empty()))
        });
    let res = service.oneshot(get("example.com")).await.unwrap();
    let echoed = res.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(*seen.lock().unwrap(), [Some(echoed.to_owned())]);
}

/// `TraceLayer` composes with `BaseContextLayer` in both orders, in a tower
/// `ServiceBuilder` and in an axum `Router`, on the handler's answer and on
/// the layer's own 400 (which keeps the request id).
#[tokio::test]
async fn trace_layer_composes_in_either_order() {
    use tower_http::trace::TraceLayer;

    let strict = || BaseContextLayer::new(trust(), "example.com".parse().unwrap());
    let handler =
        |_req: Request<Body>| async { Ok::<_, Infallible>(Response::new(Body::from("hi"))) };
    // (host, status, body)
    let cases = [
        ("example.com", StatusCode::OK, "hi"),
        ("evil.tld", StatusCode::BAD_REQUEST, "host not allowed"),
    ];
    for (host, status, body) in cases {
        // ServiceBuilder: BaseContextLayer outside TraceLayer ...
        let outside = ServiceBuilder::new()
            .layer(strict())
            .layer(TraceLayer::new_for_http())
            .service_fn(handler);
        // ... and inside it.
        let inside = ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(strict())
            .service_fn(handler);
        // axum runs the last `.layer()` first.
        let route = || axum::routing::get(|| async { "hi" });
        let router_outside = Router::new()
            .route("/", route())
            .layer(TraceLayer::new_for_http())
            .layer(strict());
        let router_inside = Router::new()
            .route("/", route())
            .layer(strict())
            .layer(TraceLayer::new_for_http());

        assert_answers(outside, host, status, body, "outside").await;
        assert_answers(inside, host, status, body, "inside").await;
        assert_answers(router_outside, host, status, body, "router outside").await;
        assert_answers(router_inside, host, status, body, "router inside").await;
    }
}

/// What a handler saw: `BaseContext::client_ip()`, `ClientIp`, and the hop's
/// client and index.
fn seen(req: &Request<Body>) -> String {
    use crocodile_client_ip::{ClientIp, Hop};

    let ctx = req.extensions().get::<BaseContext>().unwrap();
    let client_ip = ClientIp::from_extensions(req.extensions()).map(|ip| ip.0);
    let hop = req.extensions().get::<Hop>().unwrap();
    format!(
        "{:?} {:?} {:?} {:?}",
        ctx.client_ip(),
        client_ip,
        hop.client(),
        hop.index()
    )
}

fn proxied_request(xff: &'static str) -> Request<Body> {
    use crocodile_base_context::PeerAddr;

    let mut req = Request::get("/")
        .header("host", "example.com")
        .header("x-forwarded-for", xff)
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(PeerAddr("10.0.0.1:4000".parse().unwrap()));
    req
}

/// What the handler behind `service` saw of a request from the trusted
/// 10.0.0.1 with this `X-Forwarded-For`.
async fn seen_through<S, B>(service: S, xff: &'static str) -> String
where
    S: tower::Service<Request<Body>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    body_text(service.oneshot(proxied_request(xff)).await.unwrap()).await
}

async fn handled(req: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(Response::new(Body::from(seen(&req))))
}

#[tokio::test]
async fn client_ip_agrees_with_the_client_ip_layer_in_either_order() {
    use crocodile_client_ip::ClientIpLayer;

    // One model, handed to both layers.
    let trust = trust();
    let want = "Some(198.51.100.7) Some(198.51.100.7) Some(198.51.100.7) Some(1)";
    let xff = "6.6.6.6, 198.51.100.7, 10.0.0.2";
    let client_ip_first = ServiceBuilder::new()
        .layer(ClientIpLayer::new(trust.clone()))
        .layer(BaseContextLayer::new(trust.clone(), "*".parse().unwrap()))
        .service_fn(handled);
    assert_eq!(seen_through(client_ip_first, xff).await, want);
    let base_context_first = ServiceBuilder::new()
        .layer(BaseContextLayer::new(trust.clone(), "*".parse().unwrap()))
        .layer(ClientIpLayer::new(trust))
        .service_fn(handled);
    assert_eq!(seen_through(base_context_first, xff).await, want);

    // Without `ClientIpLayer`, `client_ip()` is there too (it comes from the
    // hop), and so is `ClientIp`, which reads the same hop.
    let alone = ServiceBuilder::new().layer(layer()).service_fn(handled);
    assert_eq!(seen_through(alone, xff).await, want);
}

#[tokio::test]
async fn the_hop_is_computed_once_per_model() {
    use crocodile_client_ip::ClientIpLayer;

    // A layer between the two rewrites X-Forwarded-For: the second layer
    // reuses the hop the first computed when they share the model, and
    // computes its own when they do not, for its own use: the request's hop
    // (and so `ClientIp`) stays the first layer's.
    let rewrite = |mut req: Request<Body>| {
        req.headers_mut()
            .insert("x-forwarded-for", "192.0.2.99".parse().unwrap());
        req
    };
    let shared = trust();
    // (ClientIpLayer's model, BaseContextLayer's, what the handler saw)
    let cases = [
        (
            shared.clone(),
            shared,
            "Some(198.51.100.7) Some(198.51.100.7) Some(198.51.100.7) Some(0)",
        ),
        (
            trust(),
            trust(),
            "Some(192.0.2.99) Some(198.51.100.7) Some(198.51.100.7) Some(0)",
        ),
    ];
    for (first, second, want) in cases {
        let res = ServiceBuilder::new()
            .layer(ClientIpLayer::new(first))
            .map_request(rewrite)
            .layer(BaseContextLayer::new(second, "*".parse().unwrap()))
            .service_fn(handled)
            .oneshot(proxied_request("198.51.100.7"))
            .await
            .unwrap();
        assert_eq!(body_text(res).await, want);
    }
}

#[tokio::test]
async fn a_forwarded_trust_is_shared_the_same_way() {
    use crocodile_client_ip::ClientIpLayer;

    let trust = ProxyTrust::builder()
        .strategy("rightmost:forwarded".parse().unwrap())
        .trusted_proxies("10.0.0.0/8".parse::<TrustedProxies>().unwrap())
        .build()
        .unwrap();
    let mut req = proxied_request("6.6.6.6");
    req.headers_mut().insert(
        "forwarded",
        "for=198.51.100.7;proto=https;host=example.com, for=10.0.0.2"
            .parse()
            .unwrap(),
    );
    let res = ServiceBuilder::new()
        .layer(ClientIpLayer::new(trust.clone()))
        .layer(BaseContextLayer::new(trust, "example.com".parse().unwrap()))
        .service_fn(|req: Request<Body>| async move {
            let ctx = req.extensions().get::<BaseContext>().unwrap();
            let text = format!("{} {}", ctx.home_url(), seen(&req));
            Ok::<_, Infallible>(Response::new(Body::from(text)))
        })
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(
        body_text(res).await,
        "https://example.com/ Some(198.51.100.7) Some(198.51.100.7) Some(198.51.100.7) Some(1)"
    );
}
