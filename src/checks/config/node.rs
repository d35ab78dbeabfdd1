//! The merged configuration tree (file values with environment overrides on top) and a serde
//! `Deserializer` over it. Environment values are strings, parsed on demand into the type the
//! config asks for (`"10"` → `u32`, `"true"` → `bool`, `"a,b"` → a list), so a string field
//! holding `"10"` stays a string.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, Unexpected, Visitor};
use serde_json::{Error, Value};
use std::collections::BTreeMap;

/// A node of the merged tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A table: a file's object, or one made for an environment override.
    Table(BTreeMap<String, Node>),
    /// A non-object value from the file.
    Json(Value),
    /// A value from an environment variable.
    Env(String),
}

impl Node {
    /// The tree of a parsed file.
    pub(crate) fn from_json(value: Value) -> Node {
        match value {
            Value::Object(map) => Node::Table(
                map.into_iter()
                    .map(|(k, v)| (k, Node::from_json(v)))
                    .collect(),
            ),
            other => Node::Json(other),
        }
    }

    /// Sets `path` to `value`, replacing whatever lies in the way (the environment wins).
    pub(crate) fn set(&mut self, path: &[String], value: Node) {
        let Some((first, rest)) = path.split_first() else {
            *self = value;
            return;
        };
        if !matches!(self, Node::Table(_)) {
            *self = Node::Table(BTreeMap::new());
        }
        if let Node::Table(map) = self {
            let child = map
                .entry(first.clone())
                .or_insert_with(|| Node::Table(BTreeMap::new()));
            child.set(rest, value);
        }
    }

    fn into_json(self) -> Value {
        match self {
            Node::Table(map) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, v.into_json())).collect())
            }
            Node::Json(v) => v,
            Node::Env(s) => Value::String(s),
        }
    }
}

fn visit_table<'de, V: Visitor<'de>>(
    map: BTreeMap<String, Node>,
    visitor: V,
) -> Result<V::Value, Error> {
    let mut access = MapDeserializer::<_, Error>::new(map.into_iter());
    let value = visitor.visit_map(&mut access)?;
    access.end()?;
    Ok(value)
}

impl<'de> IntoDeserializer<'de, Error> for Node {
    type Deserializer = Node;
    fn into_deserializer(self) -> Node {
        self
    }
}

/// Forwards a method to the JSON or environment deserializer; a table answers as a map.
macro_rules! by_node {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self {
                Node::Table(map) => visit_table(map, visitor),
                Node::Json(v) => v.$method(visitor),
                Node::Env(s) => EnvStr(s).$method(visitor),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for Node {
    type Error = Error;

    by_node!(deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any);

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Json(v) => v.deserialize_option(visitor),
            Node::Env(s) => EnvStr(s).deserialize_option(visitor),
            table => visitor.visit_some(table),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Node::Json(v) => v.deserialize_newtype_struct(name, visitor),
            other => visitor.visit_newtype_struct(other),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Node::Env(s) => visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(s)),
            // Externally tagged tables are rare in configs: let serde_json handle them.
            other => other.into_json().deserialize_enum(name, variants, visitor),
        }
    }
}

/// A value from the environment, parsed into whatever type is asked for.
struct EnvStr(String);

impl<'de> IntoDeserializer<'de, Error> for EnvStr {
    type Deserializer = EnvStr;
    fn into_deserializer(self) -> EnvStr {
        self
    }
}

macro_rules! parsed {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0.trim().parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(de::Error::invalid_type(Unexpected::Str(&self.0), &visitor)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for EnvStr {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(self.0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.trim().to_ascii_lowercase().as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(de::Error::invalid_type(Unexpected::Str(&self.0), &visitor)),
        }
    }

    parsed!(
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32, deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128, deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16, deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64, deserialize_u128 => visit_u128: u128,
        deserialize_f32 => visit_f32: f32, deserialize_f64 => visit_f64: f64,
    );

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_empty() {
            visitor.visit_unit()
        } else {
            Err(de::Error::invalid_type(Unexpected::Str(&self.0), &visitor))
        }
    }

    /// A list is written comma-separated: `APP_HOSTS=a,b,c`.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let items: Vec<EnvStr> = match self.0.trim() {
            "" => Vec::new(),
            s => s.split(',').map(|i| EnvStr(i.trim().to_owned())).collect(),
        };
        let mut access = SeqDeserializer::<_, Error>::new(items.into_iter());
        let value = visitor.visit_seq(&mut access)?;
        access.end()?;
        Ok(value)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(self.0))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit_struct tuple_struct map struct identifier ignored_any
    }
}
