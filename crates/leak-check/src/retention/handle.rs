//! [`RetentionHandle`]: the guard's count, for anyone.

use std::sync::Arc;

use super::shared::Shared;

/// A cloneable handle on one [`RetentionGuardLayer`](super::RetentionGuardLayer)'s
/// count: read it for a metric, an endpoint or a health check.
#[derive(Debug, Clone)]
pub struct RetentionHandle {
    shared: Arc<Shared>,
}

impl RetentionHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Requests whose token is still alive past the age after their response
    /// finished. Exact when no response finishes and no retained request is
    /// let go meanwhile; a read racing with those may be off by the requests
    /// it raced with.
    pub fn retained(&self) -> usize {
        self.shared.retained()
    }

    /// The retained requests per route (axum's `MatchedPath`, `(no route)`
    /// without it, `(other routes)` past the 256th), most first; routes with
    /// none are left out.
    pub fn retained_by_route(&self) -> Vec<(String, usize)> {
        self.shared.retained_by_route()
    }

    /// Says the `warn!` now if requests are retained and none was said this
    /// interval; returns the count if it looked (`None`: a warning was said
    /// less than an interval ago). The guard does this by itself when a
    /// response finishes with its request still alive; call it from a timer
    /// to hear of requests kept when no traffic comes.
    pub fn warn_if_retained(&self) -> Option<usize> {
        self.shared.warn_if_due()
    }
}
