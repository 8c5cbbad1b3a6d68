//! Lenient timestamp parsing (docs/adobe-status-api.md §6, pitfall 4).
//!
//! The API never states a format and mixes them: strings and integers, epoch seconds and
//! milliseconds, RFC 3339 with or without fraction, ISO without a zone, bare dates, and
//! lorem-ipsum in the examples. Everything becomes Unix seconds or "not set"; nothing fails.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Epoch numbers at or above this are milliseconds (1e11 s is the year 5138).
const MILLIS_THRESHOLD: f64 = 1e11;

/// Parse a string in any known form as Unix seconds.
pub fn parse_str(raw: &str) -> Option<f64> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if looks_numeric(s) {
        return s.parse::<f64>().ok().and_then(from_epoch);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return positive(t.timestamp_millis());
    }
    // Offsets without a colon (`+0000`) or a space instead of `T`.
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, format) {
            return positive(t.timestamp_millis());
        }
    }
    // No zone at all: read as UTC, the API's only plausible zone.
    let naive = s.strip_suffix('Z').unwrap_or(s);
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, format) {
            return positive(t.and_utc().timestamp_millis());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .and_then(|t| positive(t.and_utc().timestamp_millis()));
    }
    None
}

fn looks_numeric(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit())
}

/// An epoch number (seconds, or milliseconds when that large) as Unix seconds; zero,
/// negatives and non-finite numbers mean "not set".
pub fn from_epoch(v: f64) -> Option<f64> {
    if !v.is_finite() || v <= 0.0 {
        return None;
    }
    Some(if v >= MILLIS_THRESHOLD { v / 1000.0 } else { v })
}

fn positive(millis: i64) -> Option<f64> {
    (millis > 0).then(|| millis as f64 / 1000.0)
}

/// Format Unix seconds as RFC 3339 UTC for humans (`--check`, titles); empty when invalid.
pub fn format_rfc3339(seconds: f64) -> String {
    DateTime::from_timestamp_millis((seconds * 1000.0) as i64)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Seconds since the Unix epoch of `t` (0 for a time before it).
pub fn unix_seconds(t: std::time::SystemTime) -> f64 {
    t.duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> f64 {
    unix_seconds(std::time::SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2025-11-23T08:12:00Z
    const T: f64 = 1_763_885_520.0;

    #[test]
    fn fractional_seconds_are_kept() {
        assert_eq!(parse_str("2025-11-23T08:12:00.500Z"), Some(T + 0.5));
        assert_eq!(parse_str("1763885520500"), Some(T + 0.5));
    }

    #[test]
    fn bare_date_is_midnight_utc() {
        assert_eq!(parse_str("2025-11-23"), Some(1_763_856_000.0));
    }

    #[test]
    fn formats_for_humans() {
        assert_eq!(format_rfc3339(T), "2025-11-23T08:12:00Z");
    }
}
