//! The lenient serde visitors behind the wire model: every field accepts any JSON and keeps
//! what fits (a string, an id as string or number, a timestamp in any known form), skipping
//! the rest, so one odd value never fails a whole body (docs/adobe-status-api.md pitfall 1).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufReader, Read};
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use smol_str::format_smolstr;

use super::{ParseError, Text};

/// One streaming pass straight into the typed model (no intermediate `Value` tree: the
/// parse allocates only what it keeps). The lenient visitors below accept any valid JSON,
/// except a repeated key inside one object, which the derived structs reject; such a body is
/// normalised once through `Value` (the last duplicate wins) and parsed again.
pub(super) fn parse_top<T: DeserializeOwned>(
    what: &'static str,
    body: &[u8],
) -> Result<T, ParseError> {
    let json = |source| ParseError::Json { what, source };
    match serde_json::from_slice(body) {
        Ok(parsed) => Ok(parsed),
        Err(first) => {
            // Not JSON at all (or truncated): report the syntax error itself.
            let value: serde_json::Value = serde_json::from_slice(body).map_err(json)?;
            let normalised = serde_json::to_vec(&value).map_err(|_| json(first))?;
            serde_json::from_slice(&normalised).map_err(json)
        }
    }
}

/// [`parse_top`] from a reader, as the body arrives: the parse holds no copy of the body.
/// A body with a repeated key cannot be normalised here, as it has been consumed: the error
/// says so ([`ParseError::needs_whole_body`]), and the caller parses the whole body instead.
pub(super) fn read_top<T: DeserializeOwned>(
    what: &'static str,
    body: impl Read,
) -> Result<T, ParseError> {
    // serde_json reads byte by byte: from a `BufReader` that is a copy out of its buffer.
    serde_json::from_reader(BufReader::with_capacity(READ_BUFFER, body))
        .map_err(|source| ParseError::Json { what, source })
}

/// The buffer between a body read as it arrives and the parser.
const READ_BUFFER: usize = 64 * 1024;

/// Top level of an array body: `None` when the body is valid JSON of another type.
pub(super) struct TopList<T>(pub(super) Option<Vec<T>>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for TopList<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ListOrSkip(PhantomData))
            .map(TopList)
    }
}

// --- Lenient visitors -------------------------------------------------------------------
//
// Each accepts every JSON type: what it expects becomes a value, anything else is consumed
// and becomes "not set" (an empty list, `None`, the default). So one odd value never fails a
// whole body, and nothing is buffered on the way.

/// Implements the visitor methods for the JSON types a lenient visitor does not want: the
/// value is consumed and `$fallback` returned.
macro_rules! skip_other_json {
    ($fallback:expr; $($method:ident),*) => {
        $(skip_other_json!(@one $method, $fallback);)*
    };
    (@one bool, $fallback:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok($fallback) }
    };
    (@one number, $fallback:expr) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok($fallback) }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok($fallback) }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok($fallback) }
    };
    (@one str, $fallback:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok($fallback) }
    };
    (@one unit, $fallback:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok($fallback) }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> { Ok($fallback) }
    };
    (@one seq, $fallback:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($fallback)
        }
    };
    (@one map, $fallback:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($fallback)
        }
    };
}

/// An object becomes `Some(T)`; anything else `None`.
struct ObjectOrSkip<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrSkip<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Some)
    }

    skip_other_json!(None; bool, number, str, unit, seq);
}

/// An array becomes the list of its elements that are objects; anything else `None`.
struct ListOrSkip<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListOrSkip<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<MaybeObject<T>>()? {
            items.extend(item.0);
        }
        // Most lists are short (a history of 2–4 entries): no room for 4, 8 or 16 left over.
        items.shrink_to_fit();
        Ok(Some(items))
    }

    skip_other_json!(None; bool, number, str, unit, map);
}

/// An object, or `None` when the value is valid JSON of another type: the top level of an
/// object body, and each list element and map value (dropped when `None`).
pub(super) struct MaybeObject<T>(pub(super) Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MaybeObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ObjectOrSkip(PhantomData))
            .map(MaybeObject)
    }
}

/// Strings as they are; numbers (ids arrive as numbers in some feeds) and, when `booleans`,
/// booleans as their JSON text; anything else `None`.
struct StringOrSkip {
    booleans: bool,
}

impl<'de> Visitor<'de> for StringOrSkip {
    type Value = Option<Text>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Text::new(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self
            .booleans
            .then(|| Text::new_static(if v { "true" } else { "false" })))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(format_smolstr!("{v}")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(format_smolstr!("{v}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // serde_json's own rendering of the number, as a `Value` would print it.
        Ok(serde_json::Number::from_f64(v).map(|n| format_smolstr!("{n}")))
    }

    skip_other_json!(None; unit, seq, map);
}

/// Timestamps in any known form ([`crate::timestamp`]); anything else `None`.
pub(super) struct TimeOrSkip;

impl<'de> Visitor<'de> for TimeOrSkip {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(crate::timestamp::parse_str(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(crate::timestamp::from_epoch(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(crate::timestamp::from_epoch(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(crate::timestamp::from_epoch(v))
    }

    skip_other_json!(None; bool, unit, seq, map);
}

/// An id inside an id list: a string or a number; anything else (a boolean too) is dropped.
struct Id(Option<Text>);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(StringOrSkip { booleans: false })
            .map(Id)
    }
}

/// A list of ids; anything but an array is an empty list.
struct IdsOrSkip;

impl<'de> Visitor<'de> for IdsOrSkip {
    type Value = Box<[Text]>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut ids = Vec::new();
        while let Some(id) = seq.next_element::<Id>()? {
            ids.extend(id.0);
        }
        // Exactly as long as the list: there are tens of thousands of these at 100×.
        Ok(ids.into_boxed_slice())
    }

    skip_other_json!(Box::default(); bool, number, str, unit, map);
}

/// An object of objects (`{token: message}`); entries whose value is not an object are
/// dropped, anything but an object is an empty map.
struct MapOrSkip<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for MapOrSkip<T> {
    type Value = BTreeMap<String, T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<String, MaybeObject<T>>()? {
            if let Some(value) = value.0 {
                entries.insert(key, value);
            }
        }
        Ok(entries)
    }

    skip_other_json!(BTreeMap::new(); bool, number, str, unit, seq);
}

// `deserialize_with` adapters for the fields below.

/// A nested object; anything else is the type's default.
pub(super) fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(deserializer
        .deserialize_any(ObjectOrSkip(PhantomData))?
        .unwrap_or_default())
}

/// A list of objects: keeps the elements that are objects, drops the others.
pub(super) fn lenient_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(deserializer
        .deserialize_any(ListOrSkip(PhantomData))?
        .unwrap_or_default())
}

pub(super) fn lenient_map<'de, D, T>(deserializer: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(MapOrSkip(PhantomData))
}

/// A string field that may arrive as a number (ids do, in some feeds) or not at all.
pub(super) fn lenient_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Text>, D::Error> {
    deserializer.deserialize_any(StringOrSkip { booleans: true })
}

/// A list of ids that may contain numbers or be the wrong type altogether.
pub(super) fn lenient_ids<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Box<[Text]>, D::Error> {
    deserializer.deserialize_any(IdsOrSkip)
}

/// A timestamp in any of the forms the API has been seen to use, as Unix seconds.
pub(super) fn lenient_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    deserializer.deserialize_any(TimeOrSkip)
}
