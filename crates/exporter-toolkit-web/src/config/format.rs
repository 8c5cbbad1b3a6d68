//! The file's YAML model, decoded the way the exporter-toolkit's Go structs are (go-yaml v2,
//! `UnmarshalStrict`): unknown keys and keys set twice are errors, any scalar reads as a string,
//! booleans take YAML 1.1's `yes`/`on`/..., durations take Go's syntax (or nanoseconds).

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FileFormat {
    pub tls_server_config: Option<TlsFormat>,
    pub http_server_config: Option<HttpServerFormat>,
    pub basic_auth_users: Option<UniqueMap<Secret>>,
    pub rate_limit: Option<RateLimitFormat>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct TlsFormat {
    /// Inline PEM, used when `cert_file` is not set.
    pub cert: Option<String>,
    /// Inline PEM, used when `key_file` is not set.
    pub key: Option<Secret>,
    /// Inline PEM, used when `client_ca_file` is not set.
    pub client_ca: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub client_auth_type: Option<String>,
    pub client_ca_file: Option<String>,
    pub client_allowed_sans: Option<Vec<String>>,
    pub min_version: Option<String>,
    pub max_version: Option<String>,
    pub cipher_suites: Option<Vec<String>>,
    pub prefer_server_cipher_suites: Option<GoBool>,
    pub curve_preferences: Option<Vec<String>>,
}

impl TlsFormat {
    /// The toolkit serves TLS when any of these is set (non-empty); otherwise plain HTTP, and
    /// the other TLS settings have no effect.
    pub fn enables_tls(&self) -> bool {
        [
            &self.cert,
            &self.cert_file,
            &self.key_file,
            &self.client_ca,
            &self.client_ca_file,
            &self.client_auth_type,
        ]
        .into_iter()
        .any(|v| non_empty(v).is_some())
            || self.key.as_ref().is_some_and(|k| !k.0.is_empty())
    }

    /// The settings that only matter with TLS, by name, when set.
    pub fn tls_only_settings(&self) -> Vec<&'static str> {
        [
            ("min_version", self.min_version.is_some()),
            ("max_version", self.max_version.is_some()),
            ("cipher_suites", self.cipher_suites.is_some()),
            ("curve_preferences", self.curve_preferences.is_some()),
            (
                "prefer_server_cipher_suites",
                self.prefer_server_cipher_suites.is_some(),
            ),
            ("client_allowed_sans", self.client_allowed_sans.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct HttpServerFormat {
    pub http2: Option<GoBool>,
    pub headers: Option<UniqueMap<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RateLimitFormat {
    pub interval: Option<GoDuration>,
    pub burst: Option<i64>,
}

/// `Some` non-empty string; the toolkit treats `""` as not set.
pub(super) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// A private key or password hash: never shown by `Debug`.
#[derive(Deserialize, Default, Clone)]
#[serde(transparent)]
pub(super) struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<secret>")
    }
}

/// A map whose keys must be unique (go-yaml's strict mode refuses a key set twice; a plain
/// serde map would keep the last one silently).
#[derive(Debug, Default)]
pub(super) struct UniqueMap<V>(pub BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(de::Error::custom(format!("key {key:?} is set twice")));
                    }
                    let value = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A boolean as go-yaml v2 reads one: YAML 1.1's `y`/`yes`/`on`/`true` and their opposites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct GoBool(pub bool);

impl<'de> Deserialize<'de> for GoBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BoolVisitor;
        impl Visitor<'_> for BoolVisitor {
            type Value = GoBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean (true or false)")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<GoBool, E> {
                Ok(GoBool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GoBool, E> {
                match v {
                    "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Ok(GoBool(true)),
                    "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Ok(GoBool(false)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        deserializer.deserialize_any(BoolVisitor)
    }
}

/// A Go `time.Duration` as go-yaml v2 reads one: a string in Go's syntax (`300ms`, `1.5s`,
/// `1h30m`, `-2m`; no days) or an integer count of nanoseconds. Signed, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct GoDuration(pub i64);

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = GoDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Go duration such as 100ms, 1s, 1m30s or 1h")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<GoDuration, E> {
                Ok(GoDuration(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<GoDuration, E> {
                i64::try_from(v)
                    .map(GoDuration)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GoDuration, E> {
                parse_go_duration(v)
                    .map(GoDuration)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

/// Go's `time.ParseDuration`: `[-+]` then one or more `<decimal><unit>` with units `ns`, `us`
/// (`µs`, `μs`), `ms`, `s`, `m`, `h`; a bare `0` is allowed. Nanoseconds, `None` if invalid
/// or out of range.
pub(super) fn parse_go_duration(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return None;
        }
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, tail) = after.split_at(unit_end);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let mut value: u128 = 0;
        for digit in whole.bytes() {
            value = value
                .checked_mul(10)?
                .checked_add(u128::from(digit - b'0'))?;
        }
        value = value.checked_mul(scale)?;
        // The fraction, to nanosecond precision (Go truncates the rest the same way).
        let mut place = scale;
        for digit in fraction.bytes() {
            place /= 10;
            value = value.checked_add(u128::from(digit - b'0') * place)?;
        }
        total = total.checked_add(value)?;
        if total > i64::MAX as u128 + u128::from(negative) {
            return None;
        }
        rest = tail;
    }
    let total = i128::try_from(total).ok()?;
    i64::try_from(if negative { -total } else { total }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        let s = 1_000_000_000;
        for (text, ns) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("1s", Some(s)),
            ("+1s", Some(s)),
            ("1.5s", Some(s + s / 2)),
            (".5s", Some(s / 2)),
            ("5.s", Some(5 * s)),
            ("300ms", Some(300_000_000)),
            ("1h30m", Some(5400 * s)),
            ("2m3.25s", Some(123 * s + s / 4)),
            ("-1m", Some(-60 * s)),
            ("10us", Some(10_000)),
            ("10µs", Some(10_000)),
            ("10μs", Some(10_000)),
            ("7ns", Some(7)),
            ("1.0000000001s", Some(s)),
            ("2562047h47m16.854775807s", Some(i64::MAX)),
            ("-2562047h47m16.854775808s", Some(i64::MIN)),
            ("2562047h47m16.854775808s", None),
            ("", None),
            ("-", None),
            ("1", None),
            ("10", None),
            ("1d", None),
            ("1 s", None),
            ("s", None),
            (".s", None),
            ("1.2.3s", None),
            ("1S", None),
            ("1sec", None),
        ] {
            assert_eq!(parse_go_duration(text), ns, "{text:?}");
        }
    }

    fn parse(text: &str) -> Result<FileFormat, serde_yaml_ng::Error> {
        serde_yaml_ng::from_str(text)
    }

    #[test]
    fn booleans_read_as_go_yaml_reads_them() {
        let http2 = |v: &str| {
            parse(&format!("http_server_config:\n  http2: {v}\n"))
                .map(|f| f.http_server_config.and_then(|h| h.http2).map(|b| b.0))
        };
        for yes in ["true", "True", "yes", "on", "Y"] {
            assert_eq!(http2(yes).unwrap(), Some(true), "{yes}");
        }
        for no in ["false", "FALSE", "no", "off", "n"] {
            assert_eq!(http2(no).unwrap(), Some(false), "{no}");
        }
        assert_eq!(http2("").unwrap(), None);
        assert!(http2("1").is_err());
        assert!(http2("maybe").is_err());
    }

    #[test]
    fn rate_limit_durations_and_nanoseconds() {
        let rate = |v: &str| {
            parse(&format!("rate_limit:\n  interval: {v}\n  burst: 3\n"))
                .map(|f| f.rate_limit.and_then(|r| r.interval).map(|d| d.0))
        };
        assert_eq!(rate("1s").unwrap(), Some(1_000_000_000));
        assert_eq!(rate("\"250ms\"").unwrap(), Some(250_000_000));
        assert_eq!(rate("1000").unwrap(), Some(1000));
        assert_eq!(rate("0").unwrap(), Some(0));
        let err = rate("1d").unwrap_err().to_string();
        assert!(
            err.contains("rate_limit.interval") && err.contains("1d"),
            "{err}"
        );
        assert!(parse("rate_limit:\n  burst: x\n").is_err());
    }

    #[test]
    fn strict_like_go_yaml() {
        let err = |text: &str| parse(text).unwrap_err().to_string();
        assert!(err("tls_sever_config: {}\n").contains("unknown field"));
        assert!(err("tls_server_config:\n  certfile: a\n").contains("unknown field"));
        assert!(err("rate_limit: {interval: 1s, brust: 2}\n").contains("unknown field"));
        assert!(err("basic_auth_users:\n  u: a\n  u: b\n").contains("set twice"));
        assert!(err("http_server_config:\n  headers:\n    X-Frame-Options: deny\n    X-Frame-Options: deny\n").contains("set twice"));
        // Any scalar reads as a string, as in Go.
        let file = parse("basic_auth_users:\n  123: abc\n").unwrap();
        assert!(file.basic_auth_users.unwrap().0.contains_key("123"));
        // Nulls are "not set".
        let file = parse("tls_server_config:\nbasic_auth_users:\nrate_limit:\n").unwrap();
        assert!(file.tls_server_config.is_none() && file.basic_auth_users.is_none());
    }

    #[test]
    fn secrets_are_not_in_debug_output() {
        let file =
            parse("tls_server_config:\n  key: SECRET-KEY\nbasic_auth_users:\n  u: SECRET-HASH\n")
                .unwrap();
        let debug = format!("{file:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("<secret>"), "{debug}");
    }

    #[test]
    fn what_turns_tls_on() {
        let tls = |text: &str| {
            parse(&format!("tls_server_config:\n{text}"))
                .unwrap()
                .tls_server_config
                .unwrap_or_default()
        };
        assert!(!tls("  min_version: TLS13\n").enables_tls());
        assert!(!tls("  cert_file: ''\n  key: ''\n").enables_tls());
        assert!(!tls("  client_allowed_sans: [a]\n").enables_tls());
        for field in [
            "cert",
            "key",
            "cert_file",
            "key_file",
            "client_ca",
            "client_ca_file",
        ] {
            assert!(tls(&format!("  {field}: x\n")).enables_tls(), "{field}");
        }
        assert!(tls("  client_auth_type: NoClientCert\n").enables_tls());
        assert_eq!(
            tls("  min_version: TLS13\n  cipher_suites: []\n").tls_only_settings(),
            ["min_version", "cipher_suites"]
        );
    }
}
