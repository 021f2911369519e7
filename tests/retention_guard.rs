//! The example's retention guard, on the full stack: it counts 0 under a
//! soak of every route and request shape, counts each request a leaking
//! layer keeps (in a global, or in tasks that never end), and its count
//! falls back to 0 when the holder lets go. `GET /context` answers the count
//! as `retained_requests`.

mod common;

use axum::Router;
use common::leaky::{
    LeakyLayer, holding_task_layer, keep_extensions_layer, let_go_of_kept, stop_holding_tasks,
};
use common::stack::{SHAPES, probe_app, request, send};
use crocodile_leak_check::RetentionHandle;
use serde_json::Value;
use tower::ServiceBuilder;

/// Counted as soon as its response finished, so nothing kept can hide.
const AT_ONCE: (&str, &str) = ("CROCODILE_RETENTION_AGE", "0s");

/// `GET /context`'s `retained_requests` from `router`.
async fn retained_requests(router: &Router) -> u64 {
    let (status, body) = common::json(
        router.clone(),
        "127.0.0.1:5000",
        common::get("/context", &[]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    match body["retained_requests"] {
        Value::Number(ref count) => count.as_u64().unwrap(),
        ref other => panic!("retained_requests is not a count: {other} in {body}"),
    }
}

#[tokio::test]
async fn the_full_stack_retains_nothing_under_a_soak() {
    let config = common::config(&[AT_ONCE]);
    let router = common::app::app(&config);
    let paths = ["/", "/context", "/messages/greeting?ip=1", "/no-such-page"];
    for i in 0..5_000 {
        let shape = &SHAPES[i % SHAPES.len()];
        let path = paths[(i / SHAPES.len()) % paths.len()];
        let status = send_any(&router, request(shape, path)).await;
        assert!(status < 500, "{path} {shape:?}: {status}");
        if i % 1_000 == 999 {
            assert_eq!(
                retained_requests(&router).await,
                0,
                "after {} requests",
                i + 1
            );
        }
    }
    assert_eq!(retained_requests(&router).await, 0);
}

/// Like `send`, for routes that answer 404 with an empty body too.
async fn send_any(router: &Router, req: http::Request<axum::body::Body>) -> u16 {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    res.into_body().collect().await.unwrap();
    status
}

/// The probe stack with the example's guard (age 0) in front of `leaky`.
fn guarded(leaky: LeakyLayer) -> (Router, RetentionHandle) {
    let config = common::config(&[AT_ONCE]);
    let guard = common::retention::guard(&config.retention);
    let handle = guard.handle();
    let extra = ServiceBuilder::new().layer(guard).layer(leaky).into_inner();
    (probe_app(&config, extra), handle)
}

/// Sends `count` requests of every shape to `/probe`; returns how many
/// passed the host check (and so reached the leaking layer).
async fn run(router: &Router, count: usize) -> usize {
    let mut reached = 0;
    for i in 0..count {
        let shape = &SHAPES[i % SHAPES.len()];
        let status = send(router, request(shape, "/probe")).await;
        assert_eq!(status.as_u16(), shape.status, "{shape:?}");
        reached += usize::from(shape.status == 200);
    }
    reached
}

#[tokio::test]
async fn the_guard_counts_requests_kept_in_a_global_until_they_are_let_go() {
    let (router, handle) = guarded(keep_extensions_layer());
    let reached = run(&router, 700).await;
    assert_eq!(reached, 600);
    assert_eq!(handle.retained(), reached);
    assert_eq!(handle.retained_by_route(), [("/probe".to_owned(), reached)]);
    assert_eq!(let_go_of_kept(), reached);
    assert_eq!(
        handle.retained(),
        0,
        "the holder let go: the count falls back"
    );
    assert!(handle.retained_by_route().is_empty());
}

#[tokio::test]
async fn the_guard_counts_requests_held_by_tasks_until_they_end() {
    let (router, handle) = guarded(holding_task_layer());
    let reached = run(&router, 350).await;
    assert_eq!(handle.retained(), reached);
    stop_holding_tasks().await;
    assert_eq!(
        handle.retained(),
        0,
        "the tasks ended: the count falls back"
    );
}

#[tokio::test]
async fn a_bad_retention_age_stops_the_example_naming_it() {
    for bad in ["30", "1d", "fast", "-5s"] {
        let error = common::try_config(&[("CROCODILE_RETENTION_AGE", bad)]).unwrap_err();
        assert!(
            error.contains(&format!("CROCODILE_RETENTION_AGE={bad:?}"))
                && error.contains("`500ms`"),
            "{bad}: {error}"
        );
    }
    let config = common::config(&[("CROCODILE_RETENTION_AGE", "250ms")]);
    assert_eq!(config.retention.age, std::time::Duration::from_millis(250));
    let config = common::config(&[]);
    assert_eq!(config.retention.age, std::time::Duration::from_secs(30));
}
