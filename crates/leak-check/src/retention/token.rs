//! The token each request carries, and the guard's side of it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use super::counters::RouteCounters;

/// Set in a token's state word once its response finished with the token
/// still alive; the low 32 bits then hold the epoch it finished in.
const FINISHED: u64 = 1 << 32;

/// The marker [`RetentionGuardLayer`](super::RetentionGuardLayer) puts into
/// each request's extensions.
///
/// Clones share one token: a copy of the extension map keeps it alive, so a
/// map kept after its response finished is counted as retained until every
/// copy is dropped. It holds nothing of the request.
#[derive(Debug, Clone)]
pub struct RetentionToken(Arc<TokenState>);

#[derive(Debug)]
pub(crate) struct TokenState {
    /// 0 until the response finished; then [`FINISHED`] and the epoch.
    state: AtomicU64,
    route: Arc<RouteCounters>,
}

impl RetentionToken {
    /// A token counted on `route`, and the guard's handle on it.
    pub(crate) fn new(route: Arc<RouteCounters>) -> (Self, Finisher) {
        let state = Arc::new(TokenState {
            state: AtomicU64::new(0),
            route,
        });
        let finisher = Finisher(Arc::downgrade(&state));
        (Self(state), finisher)
    }

    /// The route the token is counted on: axum's `MatchedPath`, or
    /// `(no route)`.
    pub fn route(&self) -> &str {
        self.0.route.route()
    }
}

impl Drop for TokenState {
    fn drop(&mut self) {
        let state = *self.state.get_mut();
        if state & FINISHED != 0 {
            self.route.released(state as u32);
        }
    }
}

/// The guard's side of a token: a `Weak`, so the guard keeps nothing of the
/// request alive. Dropping it marks the response finished: the response
/// future dropped early, a failed service, or the body ended or dropped.
#[derive(Debug)]
pub(crate) struct Finisher(Weak<TokenState>);

impl Drop for Finisher {
    fn drop(&mut self) {
        // The common case: the request, and its token, are gone already.
        let Some(token) = self.0.upgrade() else {
            return;
        };
        let epoch = token.route.clock().epoch();
        // Counted before the state says so, and the token cannot be
        // released meanwhile: `token` is a strong reference.
        token.route.finished_alive(epoch);
        token
            .state
            .store(FINISHED | u64::from(epoch), Ordering::Release);
        let owner = token.route.owner();
        drop(token);
        if let Some(shared) = owner.upgrade() {
            shared.warn_if_due();
        }
    }
}
