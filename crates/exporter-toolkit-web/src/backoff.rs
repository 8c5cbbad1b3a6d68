//! Accept errors (EMFILE when the open-files limit is reached, ENFILE, ENOBUFS) as Go's
//! `net/http` survives them: wait 5 ms, doubling up to 1 s while they go on, and back to no
//! wait after a success; at most one warning a second, saying how many it did not log.

use std::time::{Duration, Instant};

const FIRST_DELAY: Duration = Duration::from_millis(5);
const MAX_DELAY: Duration = Duration::from_secs(1);
const WARN_EVERY: Duration = Duration::from_secs(1);

/// The back-off state of one accept loop.
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    delay: Option<Duration>,
    last_warning: Option<Instant>,
    /// Errors since the last warning that were not logged.
    unlogged: u64,
}

/// What to do about one accept error.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// Wait this long before accepting again.
    pub sleep: Duration,
    /// Log a warning now, saying this many earlier errors were not logged.
    pub warn: Option<u64>,
}

impl AcceptBackoff {
    /// An accept failed at `now`.
    pub fn failed(&mut self, now: Instant) -> Step {
        let sleep = self.delay.map_or(FIRST_DELAY, |d| (d * 2).min(MAX_DELAY));
        self.delay = Some(sleep);
        let due = self
            .last_warning
            .is_none_or(|last| now.saturating_duration_since(last) >= WARN_EVERY);
        let warn = if due {
            self.last_warning = Some(now);
            Some(std::mem::take(&mut self.unlogged))
        } else {
            self.unlogged += 1;
            None
        };
        Step { sleep, warn }
    }

    /// An accept succeeded: the next failure waits the shortest time again.
    pub fn succeeded(&mut self) {
        self.delay = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_5ms_to_1s_and_reset_on_success() {
        let mut backoff = AcceptBackoff::default();
        let now = Instant::now();
        let delays: Vec<u64> = (0..10)
            .map(|_| backoff.failed(now).sleep.as_millis() as u64)
            .collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.succeeded();
        assert_eq!(backoff.failed(now).sleep, FIRST_DELAY);
    }

    #[test]
    fn at_most_one_warning_a_second_counting_the_rest() {
        let mut backoff = AcceptBackoff::default();
        let start = Instant::now();
        assert_eq!(backoff.failed(start).warn, Some(0));
        // 39 more within the same second: none warned.
        for i in 1..40 {
            let at = start + Duration::from_millis(i * 20);
            assert_eq!(backoff.failed(at).warn, None, "{i}");
        }
        // The next second's first error says how many were skipped.
        assert_eq!(
            backoff.failed(start + Duration::from_secs(1)).warn,
            Some(39)
        );
        assert_eq!(
            backoff.failed(start + Duration::from_millis(1500)).warn,
            None
        );
        assert_eq!(backoff.failed(start + Duration::from_secs(3)).warn, Some(1));
    }
}
