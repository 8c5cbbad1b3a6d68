//! `rate_limit`: one token bucket over every request the server answers (any path, before
//! basic auth), as the exporter-toolkit's `golang.org/x/time/rate` limiter: it starts full
//! with `burst` tokens, gains one token per `interval`, and a request without a token is
//! answered 429.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The `rate_limit` token bucket.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    burst: f64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    /// When `tokens` was last brought up to date; `None` before the first request.
    last: Option<Instant>,
}

impl RateLimiter {
    /// `interval` must be above zero (zero or negative turns the limiter off in the toolkit:
    /// the caller does not build one). A `burst` of zero or less refuses every request, as Go's
    /// limiter does.
    pub(super) fn new(interval: Duration, burst: i64) -> RateLimiter {
        // Bursts beyond 2^53 behave as "unlimited" anyway.
        let burst = burst.max(0) as f64;
        RateLimiter {
            interval,
            burst,
            state: Mutex::new(Bucket {
                tokens: burst,
                last: None,
            }),
        }
    }

    /// Take a token at `now` if there is one.
    pub fn allow(&self, now: Instant) -> bool {
        let mut bucket = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(last) = bucket.last {
            let gained =
                now.saturating_duration_since(last).as_secs_f64() / self.interval.as_secs_f64();
            bucket.tokens = (bucket.tokens + gained).min(self.burst);
        }
        // A clock that goes backwards (it cannot, with Instant) must not add tokens.
        if bucket.last.is_none_or(|last| now > last) {
            bucket.last = Some(now);
        }
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn starts_full_then_one_token_per_interval() {
        let limiter = RateLimiter::new(SECOND, 3);
        let t0 = Instant::now();
        assert!(limiter.allow(t0));
        assert!(limiter.allow(t0));
        assert!(limiter.allow(t0));
        assert!(!limiter.allow(t0), "burst used up");
        assert!(
            !limiter.allow(t0 + SECOND / 2),
            "half a token is not a token"
        );
        assert!(limiter.allow(t0 + SECOND), "one interval, one token");
        assert!(!limiter.allow(t0 + SECOND));
        // A long pause refills to the burst, not beyond.
        let later = t0 + 100 * SECOND;
        for _ in 0..3 {
            assert!(limiter.allow(later));
        }
        assert!(!limiter.allow(later));
    }

    #[test]
    fn denied_requests_do_not_cost_tokens() {
        let limiter = RateLimiter::new(SECOND, 1);
        let t0 = Instant::now();
        assert!(limiter.allow(t0));
        for _ in 0..10 {
            assert!(!limiter.allow(t0 + SECOND / 4));
        }
        assert!(limiter.allow(t0 + SECOND));
    }

    #[test]
    fn a_burst_of_zero_refuses_everything_like_go() {
        for burst in [0, -5] {
            let limiter = RateLimiter::new(SECOND, burst);
            let t0 = Instant::now();
            assert!(!limiter.allow(t0));
            assert!(!limiter.allow(t0 + 1000 * SECOND));
        }
    }
}
