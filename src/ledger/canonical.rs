//! Canonical JSON as the ledger writes and checks it (docs/LEDGER.md, "Canonical JSON"): objects,
//! strings and integers only; keys sorted by their UTF-8 bytes; no whitespace; strings escape only
//! `"`, `\` and the control characters below U+0020. One value has exactly one serialisation, so a
//! hash over the bytes is a hash over the value.

use std::collections::BTreeMap;

/// A value of the ledger's JSON subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    /// An integer (JSON numbers with a fraction or exponent are not part of the format).
    Int(i64),
    /// A string.
    Str(String),
    /// An object; `BTreeMap` keeps the keys in byte order, which is the canonical order.
    Obj(BTreeMap<String, Json>),
}

impl Json {
    /// An object from `(key, value)` pairs.
    pub fn obj<const N: usize>(pairs: [(&str, Json); N]) -> Self {
        Self::Obj(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// The canonical serialisation.
    pub fn to_canonical(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Int(i) => out.push_str(&i.to_string()),
            Self::Str(s) => write_str(s, out),
            Self::Obj(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Self::Obj(map) => map.get(key),
            _ => None,
        }
    }

    /// The string member `key` of an object.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Self::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The integer member `key` of an object.
    pub fn get_int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Self::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// Parses one line and accepts it only when it is already in canonical form.
    pub fn parse_canonical(line: &str) -> Result<Self, NotCanonical> {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| NotCanonical(format!("not JSON: {e}")))?;
        let json = Self::from_value(value)?;
        if json.to_canonical() != line {
            return Err(NotCanonical(
                "not in canonical form (key order, whitespace or escapes)".into(),
            ));
        }
        Ok(json)
    }

    fn from_value(v: serde_json::Value) -> Result<Self, NotCanonical> {
        use serde_json::Value;
        match v {
            Value::String(s) => Ok(Self::Str(s)),
            Value::Number(n) => n
                .as_i64()
                .map(Self::Int)
                .ok_or_else(|| NotCanonical(format!("{n} is not a 64-bit integer"))),
            Value::Object(map) => Ok(Self::Obj(
                map.into_iter()
                    .map(|(k, v)| Ok((k, Self::from_value(v)?)))
                    .collect::<Result<_, NotCanonical>>()?,
            )),
            Value::Null | Value::Bool(_) | Value::Array(_) => Err(NotCanonical(
                "only objects, strings and integers are allowed".into(),
            )),
        }
    }
}

/// Why a line was refused by [`Json::parse_canonical`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotCanonical(pub String);

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < '\u{20}' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_and_nothing_but_quotes_backslashes_and_controls_is_escaped() {
        let v = Json::obj([
            ("b", Json::Int(-7)),
            ("a", Json::str("第五条 \"x\"\\/\n\u{1}é")),
            ("Z", Json::obj([])),
        ]);
        let line = v.to_canonical();
        assert_eq!(line, r#"{"Z":{},"a":"第五条 \"x\"\\/\n\u0001é","b":-7}"#);
        assert_eq!(Json::parse_canonical(&line), Ok(v));
    }

    #[test]
    fn other_spellings_of_the_same_value_are_refused() {
        for bad in [
            r#"{"b":1,"a":2}"#,
            r#"{"a": 2}"#,
            r#"{"a":"\u00e9"}"#,
            r#"{"a":1.0}"#,
            r#"{"a":true}"#,
            r#"{"a":[1]}"#,
            r#"{"a":1,"a":1}"#,
            "{\"a\":1}\r",
        ] {
            assert!(Json::parse_canonical(bad).is_err(), "{bad}");
        }
    }
}
