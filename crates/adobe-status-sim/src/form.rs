//! `application/x-www-form-urlencoded` decoding for query strings and the IMS token body.
//!
//! Hand-written because the crate has no URL-decoding dependency: `+` is a space, `%XX` is a
//! byte, and the decoded bytes are read as UTF-8 (lossily, so a bad client cannot make the
//! simulator fail; it simply sees a value that does not match).

/// Decodes one form component.
pub(crate) fn decode_component(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'+') => {
                out.push(b' ');
                i += 1;
            }
            Some(b'%') => {
                let hi = bytes.get(i + 1).and_then(|b| hex_val(*b));
                let lo = bytes.get(i + 2).and_then(|b| hex_val(*b));
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 3;
                    }
                    // A stray '%' is kept literally, as browsers and most servers do.
                    _ => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            Some(b) => {
                out.push(*b);
                i += 1;
            }
            None => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Parses `a=1&b=2&a=3` into ordered pairs; keys without `=` get an empty value.
pub(crate) fn parse_pairs(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(part), String::new()),
        })
        .collect()
}

/// First value of `key`.
pub(crate) fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Every value of an array parameter, accepting both spellings the API sees in the wild:
/// repeated keys (`productIds=a&productIds=b`, per the spec) and one comma-joined value
/// (`productIds=a,b`, as the Postman collection sends).
pub(crate) fn list(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent() {
        assert_eq!(decode_component("a+b%20c%2Bd%3D"), "a b c+d=");
        assert_eq!(decode_component("%E2%9C%93"), "✓");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz"), "%zz");
    }

    #[test]
    fn pairs_and_lists() {
        let p = parse_pairs("productIds=1&productIds=2,3&flag&x=%26");
        assert_eq!(list(&p, "productIds"), vec!["1", "2", "3"]);
        assert_eq!(first(&p, "flag"), Some(""));
        assert_eq!(first(&p, "x"), Some("&"));
        assert_eq!(first(&p, "missing"), None);
    }
}
