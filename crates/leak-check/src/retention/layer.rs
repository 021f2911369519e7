//! [`RetentionGuardLayer`]: the guard's configuration.

use std::sync::Arc;
use std::time::Duration;

use tower_layer::Layer;

use super::handle::RetentionHandle;
use super::service::RetentionGuardService;
use super::shared::Shared;

/// The default [`RetentionGuardLayer::age`].
pub const DEFAULT_AGE: Duration = Duration::from_secs(30);
/// The default [`RetentionGuardLayer::warn_interval`].
pub const DEFAULT_WARN_INTERVAL: Duration = Duration::from_secs(60);

/// Puts a [`RetentionToken`](super::RetentionToken) into each request's
/// extensions and counts the tokens still alive [`age`](Self::age) after
/// their response finished.
///
/// Install it with `Router::layer` (outermost among the layers there), so it
/// sees axum's `MatchedPath` and names the route that keeps requests. Read
/// the count with [`handle`](Self::handle), taken after the builder methods:
/// each of them makes a new guard.
#[derive(Debug, Clone)]
#[must_use]
pub struct RetentionGuardLayer {
    shared: Arc<Shared>,
}

impl RetentionGuardLayer {
    /// A guard counting requests kept 30 s after their response finished,
    /// warning at most once a minute.
    pub fn new() -> Self {
        Self {
            shared: Shared::new(DEFAULT_AGE, DEFAULT_WARN_INTERVAL),
        }
    }

    /// How long after its response finished a request's token may live
    /// before it counts as retained (counted between `age` and about
    /// `1.5 * age`). Zero counts it as soon as its response finished. A
    /// handler's background work that keeps the request on purpose for a
    /// while needs an age longer than that work.
    pub fn age(self, age: Duration) -> Self {
        Self {
            shared: Shared::new(age, self.shared.warn_interval()),
        }
    }

    /// The least time between two warnings.
    pub fn warn_interval(self, interval: Duration) -> Self {
        Self {
            shared: Shared::new(self.shared.age(), interval),
        }
    }

    /// The configured age.
    pub fn retention_age(&self) -> Duration {
        self.shared.age()
    }

    /// The configured interval between warnings.
    pub fn warning_interval(&self) -> Duration {
        self.shared.warn_interval()
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// A handle on this guard's count, for a metric or an endpoint.
    pub fn handle(&self) -> RetentionHandle {
        RetentionHandle::new(Arc::clone(&self.shared))
    }
}

impl Default for RetentionGuardLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Layer<S> for RetentionGuardLayer {
    type Service = RetentionGuardService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        // axum calls `layer` once per route: each gets its own cache.
        RetentionGuardService::new(inner, self)
    }
}
