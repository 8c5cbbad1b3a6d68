//! Times as the page shows them: UTC wall-clock times and spans in words ("3 h 5 min",
//! "in 40 min", "2 d ago"). Pure: "now" is always an argument.

use chrono::DateTime;

/// `2026-12-02 14:05 UTC`; empty for a time chrono cannot represent.
pub fn utc(unix_seconds: f64) -> String {
    DateTime::from_timestamp(unix_seconds.floor() as i64, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// `Wed 3 Dec`: the UTC day of a day strip's cell; empty for a time chrono cannot represent.
pub fn day(unix_seconds: f64) -> String {
    DateTime::from_timestamp(unix_seconds.floor() as i64, 0)
        .map(|t| t.format("%a %-d %b").to_string())
        .unwrap_or_default()
}

/// A span in words, rounded down to its two largest units: `45 s`, `40 min`, `3 h 5 min`,
/// `2 d 4 h`. The sign is ignored.
pub fn span(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "an unknown time".to_owned();
    }
    let total = seconds.abs().floor() as u64;
    let (days, hours, minutes) = (total / 86_400, total / 3_600 % 24, total / 60 % 60);
    let unit_pair = |big: u64, big_unit: &str, small: u64, small_unit: &str| {
        if small == 0 {
            format!("{big} {big_unit}")
        } else {
            format!("{big} {big_unit} {small} {small_unit}")
        }
    };
    match total {
        0..60 => format!("{total} s"),
        60..3_600 => format!("{minutes} min"),
        3_600..86_400 => unit_pair(total / 3_600, "h", minutes, "min"),
        _ => unit_pair(days, "d", hours, "h"),
    }
}

/// `target` relative to `now`: `in 3 h`, `40 min ago`, or `just now` within a second.
pub fn relative(target: f64, now: f64) -> String {
    let delta = target - now;
    if delta.abs() < 1.0 {
        "just now".to_owned()
    } else if delta > 0.0 {
        format!("in {}", span(delta))
    } else {
        format!("{} ago", span(delta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_keep_their_two_largest_units_rounded_down() {
        for (seconds, words) in [
            (0.0, "0 s"),
            (59.9, "59 s"),
            (60.0, "1 min"),
            (40.0 * 60.0 + 59.0, "40 min"),
            (3.0 * 3600.0, "3 h"),
            (3.0 * 3600.0 + 5.0 * 60.0 + 30.0, "3 h 5 min"),
            (86_400.0, "1 d"),
            (2.0 * 86_400.0 + 4.0 * 3600.0 + 59.0 * 60.0, "2 d 4 h"),
            (-90.0, "1 min"),
            (f64::NAN, "an unknown time"),
        ] {
            assert_eq!(span(seconds), words, "{seconds}");
        }
    }

    #[test]
    fn relative_times_say_which_way() {
        let now = 1_800_000_000.0;
        assert_eq!(relative(now + 3.0 * 3600.0, now), "in 3 h");
        assert_eq!(relative(now - 40.0 * 60.0, now), "40 min ago");
        assert_eq!(relative(now + 0.4, now), "just now");
    }

    #[test]
    fn utc_times_name_their_zone() {
        assert_eq!(utc(1_800_000_000.0), "2027-01-15 08:00 UTC");
        assert_eq!(utc(f64::INFINITY), "");
    }
}
