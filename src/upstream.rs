//! The vocabulary of upstream calls, shared by the clients, the refresh gate and the metrics:
//! which API a request went to, and why a refresh failed. It imports nothing of the crate, so
//! everything above it (clients, metrics) can use it without depending on each other.

/// Which upstream call a request belongs to (the `api` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    Token,
    Events,
    Scheduled,
    Clouds,
    Products,
    Regions,
    Locales,
    /// `/messages/{locale}` in `--adobe.locale`.
    Messages,
    /// `/messages/{locale}` in English, for texts the chosen locale lacks (only when the
    /// chosen locale is not English).
    FallbackMessages,
}

impl Api {
    /// The registry parts, refreshed hourly; events and scheduled are fetched every refresh.
    pub const REGISTRY: [Api; 6] = [
        Api::Clouds,
        Api::Products,
        Api::Regions,
        Api::Locales,
        Api::Messages,
        Api::FallbackMessages,
    ];

    /// Path of the endpoint below the Status API base URL (empty for the IMS token call); the
    /// messages calls add the locale as one more segment.
    pub fn path(self) -> &'static str {
        match self {
            Api::Events => "/api/v1/events",
            Api::Scheduled => "/api/v1/events/scheduled",
            Api::Clouds => "/api/v1/clouds",
            Api::Products => "/api/v1/products",
            Api::Regions => "/api/v1/regions",
            Api::Locales => "/api/v1/locales",
            Api::Messages | Api::FallbackMessages => "/api/v1/messages",
            Api::Token => "",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Api::Token => "token",
            Api::Events => "events",
            Api::Scheduled => "scheduled",
            Api::Clouds => "clouds",
            Api::Products => "products",
            Api::Regions => "regions",
            Api::Locales => "locales",
            Api::Messages => "messages",
            // Its own label: the state file keeps the two answers apart by it.
            Api::FallbackMessages => "fallback_messages",
        }
    }
}

/// Why an events refresh failed (the `reason` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    Auth,
    Throttled,
    Timeout,
    Http,
    Parse,
    Network,
    /// The answers arrived and parsed, but deriving or encoding the snapshot failed.
    Derive,
}

impl FailureReason {
    pub const ALL: [FailureReason; 7] = [
        FailureReason::Auth,
        FailureReason::Throttled,
        FailureReason::Timeout,
        FailureReason::Http,
        FailureReason::Parse,
        FailureReason::Network,
        FailureReason::Derive,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FailureReason::Auth => "auth",
            FailureReason::Throttled => "throttled",
            FailureReason::Timeout => "timeout",
            FailureReason::Http => "http",
            FailureReason::Parse => "parse",
            FailureReason::Network => "network",
            FailureReason::Derive => "derive",
        }
    }
}

/// Upstream text (an error description, a body excerpt) made fit for one log line: control
/// characters become spaces and it stops after `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_drops_control_characters_and_stops_at_max() {
        assert_eq!(one_line("a\nb\r\tc\u{1b}[31m", 100), "a b  c [31m");
        assert_eq!(one_line("abcdef", 3), "abc");
    }
}
