//! The kinds of value policy keys take, with how they are read and how the schema describes
//! them: globs (one or a list), one value or a list, a Service port by name or number.

use globset::{Glob, GlobMatcher};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::fmt;

/// Ports and ranges may be written as numbers or as text.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum NumberOrText {
    /// Written as a number.
    Number(u64),
    /// Written as text.
    Text(String),
}

/// A Service port named by its name or its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    /// The port's `port` number.
    Number(u16),
    /// The port's `name`.
    Name(String),
}

impl<'de> Deserialize<'de> for PortRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NumberOrText::deserialize(d)? {
            NumberOrText::Number(n) => u16::try_from(n)
                .ok()
                .filter(|&n| n > 0)
                .map(PortRef::Number)
                .ok_or_else(|| serde::de::Error::custom(format!("port {n} is not in 1-65535"))),
            NumberOrText::Text(s) => Ok(s.parse::<u16>().map_or(PortRef::Name(s), PortRef::Number)),
        }
    }
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => f.write_str(s),
        }
    }
}

/// One value or a list of them; a list matches when any entry does.
#[derive(Debug, Clone)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<T> {
            Many(Vec<T>),
            One(T),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Many(v) => OneOrMany(v),
            Raw::One(t) => OneOrMany(vec![t]),
        })
    }
}

/// Glob patterns (`*`, `?`, `[a-z]`, `{a,b}`); empty means "anything".
#[derive(Debug, Clone, Default)]
pub struct Globs(Vec<GlobMatcher>);

impl Globs {
    /// Whether no glob was given, so anything (even an absent value) matches.
    pub fn is_any(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether any glob matches `s`, or none was given.
    pub fn matches(&self, s: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|g| g.is_match(s))
    }
}

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let OneOrMany(patterns) = OneOrMany::<String>::deserialize(d)?;
        patterns
            .iter()
            .map(|p| {
                Glob::new(p)
                    .map(|g| g.compile_matcher())
                    .map_err(|e| serde::de::Error::custom(format!("'{p}' is not a valid glob: {}", e.kind())))
            })
            .collect::<Result<_, _>>()
            .map(Globs)
    }
}

impl JsonSchema for PortRef {
    fn schema_name() -> Cow<'static, str> {
        "PortRef".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Service port, by name or number",
            "anyOf": [{"type": "integer", "minimum": 1, "maximum": 65535}, {"type": "string"}]
        })
    }
}

impl JsonSchema for Globs {
    fn schema_name() -> Cow<'static, str> {
        "Globs".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A glob (*, ?, [a-z], {a,b}) or a list of globs, any of which may match",
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        })
    }
}

impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("OneOrMany_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = generator.subschema_for::<T>();
        json_schema!({"description": "One value or a list, any of which may match", "anyOf": [one, {"type": "array", "items": one}]})
    }
}
