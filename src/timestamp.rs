//! Lenient timestamp parsing (digest pitfall 4).
//!
//! The API never states a format and mixes them: strings and integers, epoch seconds and
//! milliseconds, RFC 3339 with or without fraction, ISO without a zone, bare dates, and
//! lorem-ipsum in the examples. Everything becomes Unix seconds or "not set"; nothing fails.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Epoch numbers at or above this are milliseconds (1e11 s is the year 5138).
const MILLIS_THRESHOLD: f64 = 1e11;

/// Parse a JSON value (number or string) as Unix seconds.
pub fn parse_value(value: &serde_json::Value) -> Option<f64> {
    match value {
        serde_json::Value::Number(n) => n.as_f64().and_then(from_epoch),
        serde_json::Value::String(s) => parse_str(s),
        _ => None,
    }
}

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

/// Epoch seconds or milliseconds; zero and negatives mean "not set".
/// An epoch number (seconds, or milliseconds when that large) as Unix seconds.
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // 2025-11-23T08:12:00Z
    const T: f64 = 1_763_885_520.0;

    #[test]
    fn every_documented_form_parses_to_the_same_instant() {
        let forms = [
            json!(1_763_885_520),
            json!(1_763_885_520_000_u64),
            json!(1_763_885_520.0),
            json!("1763885520"),
            json!("1763885520000"),
            json!(" 1763885520 "),
            json!("2025-11-23T08:12:00Z"),
            json!("2025-11-23T08:12:00.000Z"),
            json!("2025-11-23T09:12:00+01:00"),
            json!("2025-11-23T09:12:00.000+0100"),
            json!("2025-11-23T08:12:00"),
            json!("2025-11-23T08:12:00.000"),
            json!("2025-11-23 08:12:00"),
            json!("2025-11-23T08:12"),
        ];
        for form in forms {
            assert_eq!(parse_value(&form), Some(T), "{form}");
        }
    }

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
    fn garbage_and_empty_are_not_set() {
        for v in [
            json!(""),
            json!("0"),
            json!(0),
            json!(-5),
            json!(null),
            json!("veniam"),
            json!("12:00"),
            json!("2025-13-45"),
            json!("1.2.3"),
            json!("-"),
            json!(true),
            json!([1]),
            json!({"value": 1}),
        ] {
            assert_eq!(parse_value(&v), None, "{v}");
        }
    }

    #[test]
    fn formats_for_humans() {
        assert_eq!(format_rfc3339(T), "2025-11-23T08:12:00Z");
    }
}
