//! The production guard: counts requests whose extensions are still alive
//! after their response finished.
//!
//! [`RetentionGuardLayer`] puts a [`RetentionToken`] into each request's
//! extensions (one allocation, of 32 bytes; boxed by the extension map like
//! any extension). The guard keeps only a `Weak` of it. When the response
//! finishes (its body ended, failed or was dropped, the service failed, or
//! the response future was dropped because the client went away), the guard
//! looks: the token is normally gone with the request. If it is alive, the
//! request's extension map is still held by something, and the guard counts
//! it on its route until the token drops. Tokens alive past the
//! [`age`](RetentionGuardLayer::age) are *retained*: read their count with
//! [`RetentionHandle::retained`], and the guard says a `warn!` at most once
//! per interval with the count and the route that keeps the most.
//!
//! Nothing per request outlives the response in the guard: counting is a few
//! atomics on the route's counters (a total and time buckets), with no lock
//! per request.
//!
//! # What it sees, and what it cannot
//!
//! It sees the request's extension map kept alive: the request itself (or
//! its `Parts`) stored or moved into a task that outlives the response, a
//! clone of the map (`req.extensions().clone()` copies the token with it), a
//! reference cycle through an extension (koa's mistake). It cannot see a
//! value cloned *out of* the map (`parts.extensions.get::<Foo>().cloned()`
//! kept in a cache), headers or a body copied out, or what layers outside
//! the guard keep: for those, the test helper (`LeakCheck`, feature `heap`)
//! measures the whole heap.
//!
//! # Example
//!
//! ```
//! use std::sync::Mutex;
//! use std::time::Duration;
//!
//! use axum::{Router, body::Body, extract::Request, routing::get};
//! use crocodile_leak_check::RetentionGuardLayer;
//! use tower::ServiceExt;
//!
//! // The leak: every request's extensions kept in a global.
//! static KEPT: Mutex<Vec<http::Extensions>> = Mutex::new(Vec::new());
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let guard = RetentionGuardLayer::new().age(Duration::ZERO);
//! let retained = guard.handle();
//! let app = Router::new()
//!     .route("/fine", get(|| async { "ok" }))
//!     .route("/leaky", get(|req: Request| async move {
//!         KEPT.lock().unwrap().push(req.extensions().clone());
//!         "ok"
//!     }))
//!     .layer(guard);
//!
//! for uri in ["/fine", "/leaky", "/leaky"] {
//!     let request = http::Request::get(uri).body(Body::empty()).unwrap();
//!     let response = app.clone().oneshot(request).await.unwrap();
//!     drop(response); // the body dropped: the response finished
//! }
//! assert_eq!(retained.retained(), 2);
//! assert_eq!(retained.retained_by_route(), [("/leaky".to_owned(), 2)]);
//!
//! KEPT.lock().unwrap().clear();
//! assert_eq!(retained.retained(), 0);
//! # }
//! ```

mod body;
mod counters;
mod future;
mod handle;
mod layer;
mod service;
mod shared;
mod token;

pub use body::ResponseBody;
pub use future::ResponseFuture;
pub use handle::RetentionHandle;
pub use layer::{DEFAULT_AGE, DEFAULT_WARN_INTERVAL, RetentionGuardLayer};
pub use service::RetentionGuardService;
pub use token::RetentionToken;
