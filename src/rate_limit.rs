//! The upstream request budget: a sliding window of `max` requests per 5 s shared by every
//! Status API call (retries included), plus the "do not call before" deadline of a 429's
//! `Retry-After` (docs/adobe-status-api.md §2).
//!
//! A sliding log is exact ("never more than N in any 5 s"), which a token bucket with a
//! burst of N is not (it admits up to 2N across a window boundary); with N ≤ 50 the log is
//! tiny.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// Adobe's throttling window.
pub const WINDOW: Duration = Duration::from_secs(5);
/// Used when a 429 carries no usable `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(15);
/// A `Retry-After` further out than this is treated as this (a bogus far-future date must
/// not silence the exporter forever).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Why no request may be sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Adobe said `Retry-After`; this much of it is left.
    #[error("Adobe asked to retry after {0:?}")]
    RetryAfter(Duration),
    /// The local budget would be exceeded for longer than the caller can wait.
    #[error("local request budget exhausted for {0:?}")]
    Budget(Duration),
}

#[derive(Debug)]
pub struct RequestBudget {
    max: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl RequestBudget {
    pub fn new(max_per_window: u32) -> RequestBudget {
        RequestBudget {
            max: max_per_window.max(1) as usize,
            state: Mutex::new(State::default()),
        }
    }

    /// Take a slot at `now`, or say how long until one frees up.
    pub fn try_acquire(&self, now: Instant) -> Result<(), Denied> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = state.blocked_until {
            if now < until {
                return Err(Denied::RetryAfter(until - now));
            }
            state.blocked_until = None;
        }
        while state
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            state.sent.pop_front();
        }
        if state.sent.len() < self.max {
            state.sent.push_back(now);
            return Ok(());
        }
        let oldest = state.sent.front().copied().unwrap_or(now);
        Err(Denied::Budget(
            WINDOW.saturating_sub(now.duration_since(oldest)),
        ))
    }

    /// Take a slot, waiting for the window to slide by at most `max_wait`. Never waits out a
    /// `Retry-After`: the caller serves cached data instead.
    pub async fn acquire(&self, max_wait: Duration) -> Result<(), Denied> {
        let deadline = Instant::now() + max_wait;
        loop {
            let now = Instant::now();
            match self.try_acquire(now) {
                Ok(()) => return Ok(()),
                Err(Denied::Budget(wait)) if now + wait <= deadline => {
                    tokio::time::sleep(wait).await
                }
                Err(denied) => return Err(denied),
            }
        }
    }

    /// No request before `now + delay` (a 429's `Retry-After`).
    pub fn block_for(&self, now: Instant, delay: Duration) {
        let until = now + delay.min(MAX_RETRY_AFTER);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.blocked_until = Some(state.blocked_until.map_or(until, |t| t.max(until)));
    }

    /// Time left before Adobe allows requests again, if it asked us to wait.
    pub fn retry_after_remaining(&self, now: Instant) -> Option<Duration> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.blocked_until.filter(|t| *t > now).map(|t| t - now)
    }
}

/// Parse `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. `None` when absent
/// or unparsable; a date in the past means "now".
pub fn parse_retry_after(value: Option<&str>, now: SystemTime) -> Option<Duration> {
    let value = value?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_max_in_any_window() {
        let budget = RequestBudget::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            budget.try_acquire(t0).unwrap();
        }
        assert_eq!(budget.try_acquire(t0), Err(Denied::Budget(WINDOW)));
        let later = t0 + Duration::from_secs(2);
        assert_eq!(
            budget.try_acquire(later),
            Err(Denied::Budget(Duration::from_secs(3)))
        );
        budget.try_acquire(t0 + WINDOW).unwrap();
        assert!(budget.try_acquire(t0 + WINDOW).is_ok());
    }

    #[test]
    fn retry_after_blocks_until_it_expires() {
        let budget = RequestBudget::new(10);
        let t0 = Instant::now();
        budget.block_for(t0, Duration::from_secs(30));
        assert_eq!(
            budget.try_acquire(t0 + Duration::from_secs(10)),
            Err(Denied::RetryAfter(Duration::from_secs(20)))
        );
        // A shorter second 429 does not shorten the first one.
        budget.block_for(t0, Duration::from_secs(5));
        assert!(budget.try_acquire(t0 + Duration::from_secs(29)).is_err());
        assert!(budget.try_acquire(t0 + Duration::from_secs(30)).is_ok());
        assert_eq!(
            budget.retry_after_remaining(t0 + Duration::from_secs(31)),
            None
        );
    }

    #[test]
    fn absurd_retry_after_is_capped() {
        let budget = RequestBudget::new(1);
        let t0 = Instant::now();
        budget.block_for(t0, Duration::from_secs(10 * 365 * 86400));
        assert_eq!(budget.retry_after_remaining(t0), Some(MAX_RETRY_AFTER));
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_waits_for_the_window_but_not_for_retry_after() {
        let budget = RequestBudget::new(1);
        budget.acquire(Duration::ZERO).await.unwrap();
        let start = Instant::now();
        budget.acquire(Duration::from_secs(10)).await.unwrap();
        assert_eq!(Instant::now() - start, WINDOW);
        assert!(matches!(
            budget.acquire(Duration::from_secs(1)).await,
            Err(Denied::Budget(_))
        ));
        budget.block_for(Instant::now(), Duration::from_secs(60));
        assert!(matches!(
            budget.acquire(Duration::from_secs(600)).await,
            Err(Denied::RetryAfter(_))
        ));
    }

    #[test]
    fn retry_after_both_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(
            parse_retry_after(Some("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(Some("soon"), now), None);
        assert_eq!(parse_retry_after(Some("-5"), now), None);
        assert_eq!(parse_retry_after(None, now), None);
    }
}
