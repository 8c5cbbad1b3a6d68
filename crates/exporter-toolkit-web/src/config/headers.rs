//! `http_server_config.headers`: the few security headers the exporter-toolkit lets a web
//! config add to every response, with its checks (only these names, spelled exactly so; the
//! enumerated ones only with their documented values).

use std::collections::BTreeMap;

use hyper::header::{HeaderName, HeaderValue};

/// Name → the only values allowed (empty: any value). The toolkit's `extraHTTPHeaders`.
const ALLOWED: &[(&str, &[&str])] = &[
    ("Content-Security-Policy", &[]),
    ("Strict-Transport-Security", &[]),
    ("X-Content-Type-Options", &["nosniff"]),
    ("X-Frame-Options", &["deny", "sameorigin"]),
    ("X-XSS-Protection", &[]),
];

/// The headers to add to every response. A blank value of a free-form header means "unset"
/// (as documented); the enumerated ones must hold one of their values.
pub(super) fn response_headers(
    configured: &BTreeMap<String, String>,
) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
    let mut headers = Vec::new();
    for (name, value) in configured {
        let Some((_, allowed)) = ALLOWED.iter().find(|(known, _)| known == name) else {
            let names: Vec<&str> = ALLOWED.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "HTTP header {name:?} can not be configured (only {})",
                names.join(", ")
            ));
        };
        if !allowed.is_empty() && !allowed.contains(&value.as_str()) {
            return Err(format!(
                "invalid value for {name}: {value:?} (expected one of: {})",
                allowed.join(", ")
            ));
        }
        if value.is_empty() {
            continue;
        }
        // Go's server writes line breaks in header values as spaces; other control
        // characters cannot be sent at all.
        let cleaned = value.replace(['\r', '\n'], " ");
        let value = HeaderValue::from_str(&cleaned).map_err(|_| {
            format!("invalid value for {name}: {value:?} holds characters a header cannot carry")
        })?;
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("HTTP header {name:?} can not be configured"))?;
        headers.push((name, value));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pairs: &[(&str, &str)]) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
        let map = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        response_headers(&map)
    }

    #[test]
    fn the_toolkits_example_is_accepted_as_written() {
        let headers = check(&[
            ("X-Frame-Options", "deny"),
            (
                "Strict-Transport-Security",
                "max-age=31536000; includeSubDomains",
            ),
            ("X-Content-Type-Options", "nosniff"),
            ("X-XSS-Protection", "1"),
            (
                "Content-Security-Policy",
                "default-src 'self' *.test.example.net",
            ),
        ])
        .unwrap();
        assert_eq!(headers.len(), 5);
        let find = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(find("x-frame-options").unwrap(), "deny");
        assert_eq!(
            find("strict-transport-security").unwrap(),
            "max-age=31536000; includeSubDomains"
        );
        assert!(check(&[("X-Frame-Options", "sameorigin")]).is_ok());
    }

    #[test]
    fn names_are_checked_exactly_like_the_toolkit() {
        for name in [
            "x-frame-options",
            "X-FRAME-OPTIONS",
            "Server",
            "Content-Type",
            "Set-Cookie",
            "X-Powered-By",
            "",
        ] {
            let err = check(&[(name, "deny")]).unwrap_err();
            assert!(err.contains("can not be configured"), "{name}: {err}");
        }
    }

    #[test]
    fn enumerated_values_are_checked_exactly_like_the_toolkit() {
        for (name, value) in [
            ("X-Frame-Options", "DENY"),
            ("X-Frame-Options", "allow-from https://x"),
            ("X-Frame-Options", ""),
            ("X-Content-Type-Options", "NoSniff"),
            ("X-Content-Type-Options", ""),
        ] {
            let err = check(&[(name, value)]).unwrap_err();
            assert!(
                err.starts_with(&format!("invalid value for {name}")),
                "{err}"
            );
        }
    }

    #[test]
    fn blank_free_form_values_are_unset_and_line_breaks_become_spaces() {
        assert!(check(&[("Content-Security-Policy", "")])
            .unwrap()
            .is_empty());
        let headers = check(&[("X-XSS-Protection", "1;\nmode=block")]).unwrap();
        assert_eq!(headers[0].1, "1; mode=block");
        assert!(check(&[("X-XSS-Protection", "a\u{0}b")]).is_err());
    }
}
