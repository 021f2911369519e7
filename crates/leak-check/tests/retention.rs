//! The retention guard counts what outlives its response, and only that:
//! requests kept in a global or by a task, until they are let go; the
//! response finished by its body's end, its drop, a failure or a dropped
//! future; the age; the warning and its route.

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::routing::get;
use crocodile_leak_check::{RetentionGuardLayer, RetentionHandle, RetentionToken};
use http::Extensions;
use http_body_util::BodyExt;
use tower::{ServiceBuilder, ServiceExt, service_fn};

/// Whatever a leaky handler keeps.
type Kept = Arc<Mutex<Vec<Extensions>>>;

/// `/` keeps nothing, `/keep/{id}` keeps a clone of its request's
/// extensions in `kept`, behind `guard`.
fn app(guard: RetentionGuardLayer, kept: &Kept) -> Router {
    let kept = Arc::clone(kept);
    Router::new()
        .route("/", get(|| async { "fine" }))
        .route(
            "/keep/{id}",
            get(move |req: Request| async move {
                kept.lock().unwrap().push(req.extensions().clone());
                "kept"
            }),
        )
        .layer(guard)
}

async fn send(app: &Router, uri: &str) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{uri}");
    res.into_body().collect().await.unwrap();
}

/// A service that keeps each request's extensions in `kept` and answers
/// with `respond`'s future.
fn keeping<F, T, E>(
    kept: &Kept,
    respond: impl Fn(&http::Request<()>) -> F + Clone,
) -> impl tower::Service<http::Request<()>, Response = T, Error = E, Future = F> + Clone
where
    F: Future<Output = Result<T, E>>,
{
    let kept = Arc::clone(kept);
    service_fn(move |req: http::Request<()>| {
        let response = respond(&req);
        kept.lock().unwrap().push(req.extensions().clone());
        response
    })
}

fn at_once() -> (RetentionGuardLayer, RetentionHandle) {
    let guard = RetentionGuardLayer::new().age(Duration::ZERO);
    let handle = guard.handle();
    (guard, handle)
}

#[tokio::test]
async fn requests_dropped_with_their_response_are_not_retained() {
    let (guard, retained) = at_once();
    let kept = Kept::default();
    let app = app(guard, &kept);
    for _ in 0..1_000 {
        send(&app, "/").await;
    }
    assert_eq!(retained.retained(), 0);
    assert!(retained.retained_by_route().is_empty());
}

#[tokio::test]
async fn kept_requests_count_on_their_route_until_the_holder_lets_go() {
    let (guard, retained) = at_once();
    let kept = Kept::default();
    let app = app(guard, &kept);
    for i in 0..300 {
        send(&app, "/").await;
        send(&app, &format!("/keep/{i}")).await;
    }
    assert_eq!(retained.retained(), 300);
    assert_eq!(
        retained.retained_by_route(),
        [("/keep/{id}".to_owned(), 300)]
    );
    kept.lock().unwrap().truncate(100);
    assert_eq!(retained.retained(), 100, "the count falls with the holder");
    kept.lock().unwrap().clear();
    assert_eq!(retained.retained(), 0);
}

#[tokio::test]
async fn a_task_holding_requests_counts_until_it_ends() {
    let (guard, retained) = at_once();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let app = Router::new()
        .route(
            "/",
            get(move |req: Request| {
                let mut stopped = stopped.clone();
                // A task that would hold the request forever.
                tokio::spawn(async move {
                    let _req = req;
                    let _ = stopped.wait_for(|stop| *stop).await;
                });
                async { "spawned" }
            }),
        )
        .layer(guard);
    for _ in 0..50 {
        send(&app, "/").await;
    }
    assert_eq!(retained.retained(), 50);
    stop.send(true).unwrap();
    for _ in 0..100 {
        if retained.retained() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        retained.retained(),
        0,
        "the tasks ended, their requests with them"
    );
}

#[tokio::test]
async fn young_requests_are_not_retained_until_the_age_passed() {
    let guard = RetentionGuardLayer::new().age(Duration::from_millis(200));
    let retained = guard.handle();
    let kept = Kept::default();
    let app = app(guard, &kept);
    send(&app, "/keep/1").await;
    assert_eq!(retained.retained(), 0, "younger than the age");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        retained.retained(),
        1,
        "past the age (and below 1.5 times it)"
    );
    kept.lock().unwrap().clear();
    assert_eq!(retained.retained(), 0);
}

#[tokio::test]
async fn the_end_of_the_body_finishes_the_response() {
    let (guard, retained) = at_once();
    let kept = Kept::default();
    let app = app(guard, &kept);
    let res = app
        .oneshot(Request::get("/keep/1").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let mut body = res.into_body();
    assert_eq!(retained.retained(), 0, "the body is not sent yet");
    while let Some(frame) = body.frame().await {
        frame.unwrap();
    }
    assert_eq!(retained.retained(), 1, "the body ended, not dropped");
    drop(body);
    assert_eq!(retained.retained(), 1);
}

#[test]
fn a_response_future_dropped_early_counts_as_finished() {
    let (guard, retained) = at_once();
    let kept = Kept::default();
    let svc = ServiceBuilder::new()
        .layer(guard)
        .service(keeping(&kept, |_| {
            // A response that never comes: the client goes away first.
            std::future::pending::<Result<http::Response<Body>, Infallible>>()
        }));
    let mut future = Box::pin(svc.oneshot(http::Request::new(())));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_pending());
    assert_eq!(retained.retained(), 0, "in flight");
    drop(future);
    assert_eq!(
        retained.retained(),
        1,
        "the client went away; the request is still kept"
    );
    kept.lock().unwrap().clear();
    assert_eq!(retained.retained(), 0);
}

#[test]
fn a_failed_service_finishes_the_response() {
    let (guard, retained) = at_once();
    let kept = Kept::default();
    let svc = ServiceBuilder::new()
        .layer(guard)
        .service(keeping(&kept, |_| {
            std::future::ready(Err::<http::Response<Body>, _>("failed"))
        }));
    let future = pin!(svc.oneshot(http::Request::new(())));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(matches!(future.poll(&mut cx), Poll::Ready(Err("failed"))));
    assert_eq!(retained.retained(), 1);
}

#[tokio::test]
async fn an_outer_guards_token_is_kept_and_counted_once() {
    let outer = RetentionGuardLayer::new().age(Duration::ZERO);
    let (inner, inner_count) = at_once();
    let outer_count = outer.handle();
    let kept = Kept::default();
    let svc = ServiceBuilder::new()
        .layer(outer)
        .layer(inner)
        .service(keeping(&kept, |req| {
            assert!(req.extensions().get::<RetentionToken>().is_some());
            std::future::ready(Ok::<_, Infallible>(http::Response::new(Body::empty())))
        }));
    let res = svc.oneshot(http::Request::new(())).await.unwrap();
    drop(res);
    assert_eq!(outer_count.retained(), 1);
    assert_eq!(
        inner_count.retained(),
        0,
        "the inner guard kept the outer token"
    );
}

#[tokio::test]
async fn without_a_router_the_route_is_unnamed() {
    let (guard, retained) = at_once();
    let kept = Kept::default();
    let svc = ServiceBuilder::new()
        .layer(guard)
        .service(keeping(&kept, |req| {
            let token = req.extensions().get::<RetentionToken>().unwrap();
            assert_eq!(token.route(), "(no route)");
            std::future::ready(Ok::<_, Infallible>(http::Response::new(Body::empty())))
        }));
    drop(svc.oneshot(http::Request::new(())).await.unwrap());
    assert_eq!(retained.retained_by_route(), [("(no route)".to_owned(), 1)]);
}

#[tokio::test]
async fn routes_past_the_limit_share_one_entry() {
    let (guard, retained) = at_once();
    let kept = Kept::default();
    let mut router = Router::new();
    for i in 0..300 {
        let kept = Arc::clone(&kept);
        router = router.route(
            &format!("/r{i}"),
            get(move |req: Request| async move {
                kept.lock().unwrap().push(req.extensions().clone());
                "kept"
            }),
        );
    }
    let app = router.layer(guard);
    for i in 0..300 {
        send(&app, &format!("/r{i}")).await;
    }
    let by_route = retained.retained_by_route();
    assert_eq!(retained.retained(), 300);
    assert_eq!(by_route.len(), 257, "256 routes and the rest");
    assert_eq!(by_route[0], ("(other routes)".to_owned(), 44));
}
