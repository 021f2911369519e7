//! What one guard's services and handles share: the clock, the bounded list
//! of routes and their counters, and the warning's schedule.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use super::counters::{Clock, RouteCounters};

/// Routes counted apart; the ones past it share [`OTHER_ROUTES`], so a
/// router built at run time cannot grow the list without bound.
pub(crate) const MAX_ROUTES: usize = 256;
/// The entry of the routes past [`MAX_ROUTES`].
pub(crate) const OTHER_ROUTES: &str = "(other routes)";
/// The entry of requests without axum's `MatchedPath`.
pub(crate) const NO_ROUTE: &str = "(no route)";

#[derive(Debug)]
pub(crate) struct Shared {
    this: Weak<Shared>,
    clock: Clock,
    age: Duration,
    interval_ms: u64,
    /// When the next warning may be said, in the clock's milliseconds.
    next_warn_ms: AtomicU64,
    routes: Mutex<Vec<Arc<RouteCounters>>>,
}

impl Shared {
    pub(crate) fn new(age: Duration, interval: Duration) -> Arc<Self> {
        Arc::new_cyclic(|this| Self {
            this: this.clone(),
            clock: Clock::new(age),
            age,
            interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
            next_warn_ms: AtomicU64::new(0),
            routes: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn age(&self) -> Duration {
        self.age
    }

    pub(crate) fn warn_interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms)
    }

    /// The counters of `route`, made on its first request.
    pub(crate) fn route(&self, route: &str) -> Arc<RouteCounters> {
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        let name = if routes.len() < MAX_ROUTES || routes.iter().any(|r| r.route() == route) {
            route
        } else {
            OTHER_ROUTES
        };
        if let Some(found) = routes.iter().find(|r| r.route() == name) {
            return Arc::clone(found);
        }
        let counters = Arc::new(RouteCounters::new(name, self.clock, self.this.clone()));
        routes.push(Arc::clone(&counters));
        counters
    }

    /// Every route with retained requests, most first.
    pub(crate) fn retained_by_route(&self) -> Vec<(String, usize)> {
        let now = self.clock.epoch();
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        let mut retained: Vec<(String, usize)> = routes
            .iter()
            .map(|r| (r.route(), r.retained(now)))
            .filter(|&(_, count)| count > 0)
            .map(|(route, count)| (route.to_owned(), count))
            .collect();
        retained.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        retained
    }

    pub(crate) fn retained(&self) -> usize {
        let now = self.clock.epoch();
        let routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        routes.iter().map(|r| r.retained(now)).sum()
    }

    /// Warns if requests are retained and no warning was said this
    /// interval; returns the count when it looked.
    pub(crate) fn warn_if_due(&self) -> Option<usize> {
        let now = self.clock.now_ms();
        let next = self.next_warn_ms.load(Ordering::Relaxed);
        if now < next
            || self
                .next_warn_ms
                .compare_exchange(
                    next,
                    now.saturating_add(self.interval_ms),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_err()
        {
            return None;
        }
        let by_route = self.retained_by_route();
        let retained: usize = by_route.iter().map(|(_, count)| count).sum();
        if let Some((route, route_retained)) = by_route.first() {
            tracing::warn!(
                retained,
                route = %route,
                route_retained,
                routes = by_route.len(),
                age_ms = u64::try_from(self.age.as_millis()).unwrap_or(u64::MAX),
                "requests kept alive after their response finished: something holds their \
                 extensions (a cache or global of them, a task that never ends, a channel \
                 nobody drains)"
            );
        } else {
            // Nothing to say: look again one epoch from now, not a whole
            // interval (tokens alive now may be retained by then).
            self.next_warn_ms
                .store(now.saturating_add(self.clock.width_ms()), Ordering::Relaxed);
        }
        Some(retained)
    }
}
