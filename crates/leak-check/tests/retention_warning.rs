//! The guard's warning: said when kept requests are retained, with the count
//! and the route, at most once per interval. Its own binary: it installs the
//! process's tracing subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::routing::get;
use crocodile_leak_check::RetentionGuardLayer;
use http::Extensions;
use tower::ServiceExt;

/// Log lines, shared with the subscriber.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Lines {
    fn warnings(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .filter(|line| line.contains("WARN"))
            .map(str::to_owned)
            .collect()
    }
}

#[tokio::test]
async fn the_warning_names_the_count_and_the_route_once_per_interval() {
    let lines = Lines::default();
    let writer = lines.clone();
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let guard = RetentionGuardLayer::new()
        .age(Duration::ZERO)
        .warn_interval(Duration::from_millis(300));
    let retained = guard.handle();
    let kept: Arc<Mutex<Vec<Extensions>>> = Arc::default();
    let keeper = Arc::clone(&kept);
    let app = Router::new()
        .route("/", get(|| async { "fine" }))
        .route(
            "/sessions/{id}",
            get(move |req: Request| async move {
                keeper.lock().unwrap().push(req.extensions().clone());
                "kept"
            }),
        )
        .layer(guard);
    let send = async |uri: &str| {
        let req = Request::get(uri).body(Body::empty()).unwrap();
        drop(app.clone().oneshot(req).await.unwrap());
    };

    for _ in 0..20 {
        send("/").await;
    }
    assert!(lines.warnings().is_empty(), "nothing kept, nothing said");
    for i in 0..3 {
        send(&format!("/sessions/{i}")).await;
    }
    let warnings = lines.warnings();
    assert_eq!(warnings.len(), 1, "once per interval: {warnings:?}");
    assert!(warnings[0].contains("retained=1"), "{}", warnings[0]);
    assert!(
        warnings[0].contains("route=/sessions/{id}"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].contains("requests kept alive after their response finished"),
        "{}",
        warnings[0]
    );

    tokio::time::sleep(Duration::from_millis(350)).await;
    send("/sessions/3").await;
    let warnings = lines.warnings();
    assert_eq!(warnings.len(), 2, "the next interval: {warnings:?}");
    assert!(warnings[1].contains("retained=4"), "{}", warnings[1]);

    // A timer's check, within the interval: nothing said.
    assert_eq!(retained.warn_if_retained(), None);
    kept.lock().unwrap().clear();
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(
        retained.warn_if_retained(),
        Some(0),
        "looked, nothing to say"
    );
    assert_eq!(lines.warnings().len(), 2);
}
