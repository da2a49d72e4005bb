//! YAML as katalon-prep reads it (`katalon-prep.yml`, `katalon-prep.lock`):
//! one parse, with yaml-rust2's marked event parser, into a tree of
//! [`Node`]s that know where they were written, and a serde
//! [`Deserializer`] over that tree. Every error carries the place of the
//! node it is about; a value whose place is needed after deserialising is
//! read as a [`Spanned`]. Error kinds come from serde's typed constructors
//! (`unknown_field`, `missing_field`, ...), never from message text.
//!
//! Lines and columns are counted as editors count them: `\n` is the only
//! line break and a column is a character (YAML parsers also break lines at
//! `\r`; libyaml at U+0085, U+2028 and U+2029 too).
//!
//! Scalars are typed as serde_yaml types them (the YAML 1.2 core schema):
//! a plain `42` is a number, `true` a boolean, `~`/`null`/nothing is null,
//! a quoted scalar is always text; any scalar reads as text where text is
//! expected. This module reads text only: no I/O.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column, counted as editors count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
}

/// One node of the document and where it starts. A mapping starts where
/// its first key is (the event parser's own mark for a block mapping can
/// point past it).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub at: Mark,
    pub content: Content,
}

impl Node {
    /// A null scalar (`~`, `null`, nothing): also what an empty document is.
    pub fn is_null(&self) -> bool {
        matches!(&self.content, Content::Scalar { text, plain: true } if matches!(type_plain(text), Typed::Null))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// `plain` scalars are typed by their text (`42`, `true`, `~`); quoted
    /// and block scalars, and those tagged `!!str`, are text.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A scalar as YAML types it, for values the config keeps untyped until it
/// checks them (a version written `10.3` reads as a number, not as text).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    /// A sequence or a mapping: never a single value.
    Collection,
}

/// A YAML number, printed as serde_yaml prints it (`9.0`, `10.3`, `42`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl Number {
    pub fn as_u64(self) -> Option<u64> {
        match self {
            Number::Unsigned(n) => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Number::Unsigned(n) => write!(f, "{n}"),
            Number::Signed(n) => write!(f, "{n}"),
            Number::Float(x) if x.is_nan() => f.write_str(".nan"),
            Number::Float(x) if x.is_infinite() => f.write_str(if x < 0.0 { "-.inf" } else { ".inf" }),
            // Debug prints the shortest text that reads back, with `.0` on whole numbers.
            Number::Float(x) => write!(f, "{x:?}"),
        }
    }
}

impl<'de> de::Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
                Ok(Value::Number(Number::Unsigned(n)))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
                Ok(Value::Number(Number::Signed(n)))
            }
            fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
                Ok(Value::Number(Number::Float(x)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Value, E> {
                Ok(Value::String(s.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Value::Collection)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Value::Collection)
            }
        }
        d.deserialize_any(V)
    }
}

/// A plain scalar's type under the YAML 1.2 core schema (as serde_yaml).
enum Typed<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Text(&'a str),
}

fn type_plain(text: &str) -> Typed<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Typed::Null,
        "true" | "True" | "TRUE" => return Typed::Bool(true),
        "false" | "False" | "FALSE" => return Typed::Bool(false),
        _ => {}
    }
    let radix = |digits: &str| -> Option<(u32, String)> {
        let (sign, rest) = match digits.strip_prefix('-') {
            Some(r) => ("-", r),
            None => ("", digits.strip_prefix('+').unwrap_or(digits)),
        };
        let (radix, body) = if let Some(b) = rest.strip_prefix("0x") {
            (16, b)
        } else if let Some(b) = rest.strip_prefix("0o") {
            (8, b)
        } else if let Some(b) = rest.strip_prefix("0b") {
            (2, b)
        } else {
            (10, rest)
        };
        // `007` is text in YAML 1.2; so are signs after a prefix.
        let leading_zero = radix == 10 && body.len() > 1 && body.starts_with('0');
        let valid = !body.is_empty() && !leading_zero && body.chars().all(|c| c.is_digit(radix));
        valid.then(|| (radix, format!("{sign}{body}")))
    };
    if let Some((radix, digits)) = radix(text) {
        if let Ok(n) = u64::from_str_radix(&digits, radix) {
            return Typed::Number(Number::Unsigned(n));
        }
        if let Ok(n) = i64::from_str_radix(&digits, radix) {
            return Typed::Number(Number::Signed(n));
        }
    }
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    let digits = unsigned.strip_prefix('-').unwrap_or(unsigned);
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Typed::Text(text);
    }
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Typed::Number(Number::Float(f64::INFINITY)),
        "-.inf" | "-.Inf" | "-.INF" => return Typed::Number(Number::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Typed::Number(Number::Float(f64::NAN)),
        _ => {}
    }
    let looks_numeric = unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-')
        && !unsigned.starts_with(['+'])
        && unsigned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'));
    if looks_numeric
        && let Ok(x) = unsigned.parse::<f64>()
        && x.is_finite()
    {
        return Typed::Number(Number::Float(x));
    }
    Typed::Text(text)
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// Not YAML (the parser's own words).
    Syntax(String),
    UnknownField {
        field: String,
        expected: &'static [&'static str],
    },
    MissingField(&'static str),
    DuplicateField(&'static str),
    UnknownVariant {
        variant: String,
        expected: &'static [&'static str],
    },
    /// A value of the wrong type: `unexpected` and `expected` as serde words them.
    InvalidType {
        unexpected: String,
        expected: String,
    },
    /// Anything else a type's own check says (`a sha256 is 64 hexadecimal characters`).
    Other(String),
}

/// An error with the place of the node it is about and its path
/// (`plugins[0].sha256`; empty at the top).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub at: Mark,
    pub path: String,
    pub kind: ErrorKind,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let one_of = |f: &mut fmt::Formatter<'_>, expected: &[&str]| match expected {
            [] => f.write_str("there are none"),
            [one] => write!(f, "expected `{one}`"),
            [a, b] => write!(f, "expected `{a}` or `{b}`"),
            many => {
                let list: Vec<String> = many.iter().map(|e| format!("`{e}`")).collect();
                write!(f, "expected one of {}", list.join(", "))
            }
        };
        match self {
            ErrorKind::Syntax(m) | ErrorKind::Other(m) => f.write_str(m),
            ErrorKind::UnknownField { field, expected } => {
                write!(f, "unknown field `{field}`, ")?;
                one_of(f, expected)
            }
            ErrorKind::UnknownVariant { variant, expected } => {
                write!(f, "unknown variant `{variant}`, ")?;
                one_of(f, expected)
            }
            ErrorKind::MissingField(field) => write!(f, "missing field `{field}`"),
            ErrorKind::DuplicateField(field) => write!(f, "duplicate field `{field}`"),
            ErrorKind::InvalidType { unexpected, expected } => {
                write!(f, "invalid type: {unexpected}, expected {expected}")
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { write!(f, "{}", self.kind) } else { write!(f, "{}: {}", self.path, self.kind) }
    }
}

impl std::error::Error for Error {}

/// An error a `Deserialize` impl raised: its place is the node being read
/// when it surfaced ([`Deserializer`] fills it in).
#[derive(Debug)]
pub struct DeError {
    kind: ErrorKind,
    placed: Option<(Mark, String)>,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError { kind: ErrorKind::Other(msg.to_string()), placed: None }
    }
    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError {
            kind: ErrorKind::InvalidType { unexpected: unexp.to_string(), expected: exp.to_string() },
            placed: None,
        }
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DeError { kind: ErrorKind::UnknownField { field: field.to_string(), expected }, placed: None }
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError { kind: ErrorKind::UnknownVariant { variant: variant.to_string(), expected }, placed: None }
    }
    fn missing_field(field: &'static str) -> Self {
        DeError { kind: ErrorKind::MissingField(field), placed: None }
    }
    fn duplicate_field(field: &'static str) -> Self {
        DeError { kind: ErrorKind::DuplicateField(field), placed: None }
    }
}

impl DeError {
    fn place(mut self, at: Mark, path: &str) -> Self {
        if self.placed.is_none() {
            self.placed = Some((at, path.to_string()));
        }
        self
    }
}

/// A value with the place it was written and, when it is the value of a
/// mapping key, the place of that key.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub at: Mark,
    pub key: Option<Mark>,
}

impl<T> Spanned<T> {
    /// Where the key of this value is, else the value.
    pub fn key_or_value(&self) -> Mark {
        self.key.unwrap_or(self.at)
    }
}

const SPANNED: &str = "$katalon_prep::yaml::Spanned";
const SPANNED_FIELDS: &[&str] = &["line", "column", "key_line", "key_column", "value"];

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Spanned<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Spanned<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let mut number = |name: &str| -> Result<usize, A::Error> {
                    match map.next_entry::<String, usize>()? {
                        Some((k, v)) if k == name => Ok(v),
                        _ => Err(de::Error::custom("a Spanned value is read from YAML only")),
                    }
                };
                let at = Mark { line: number("line")?, column: number("column")? };
                let key = Mark { line: number("key_line")?, column: number("key_column")? };
                match map.next_key::<String>()? {
                    Some(k) if k == "value" => {}
                    _ => return Err(de::Error::custom("a Spanned value is read from YAML only")),
                }
                let value = map.next_value()?;
                Ok(Spanned { value, at, key: (key.line > 0).then_some(key) })
            }
        }
        d.deserialize_struct(SPANNED, SPANNED_FIELDS, V(std::marker::PhantomData))
    }
}

/// Parses `text` into its node tree. An empty document (or one of comments
/// only) is a null scalar at its end.
pub fn parse(text: &str) -> Result<Node, Error> {
    // A byte order mark is no character to an editor (or to libyaml).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = Lines::new(text);
    let mut builder =
        Builder { lines: &lines, stack: Vec::new(), anchors: HashMap::new(), root: None, budget: BUDGET, error: None };
    let syntax = |at: Mark, message: &str| Error { at, path: String::new(), kind: ErrorKind::Syntax(message.into()) };
    // Event by event rather than `Parser::load`, which recurses once per
    // level: a line of `- - - …` must be an error, not a stack overflow.
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, marker) = parser.next_token().map_err(|e| syntax(lines.mark(e.marker().index()), e.info()))?;
        // The first document is the file, as `Parser::load` reads it.
        if matches!(event, Event::DocumentEnd | Event::StreamEnd) {
            break;
        }
        builder.on_event(event, marker);
        if builder.stack.len() > MAX_DEPTH {
            let message = format!("the document nests deeper than {MAX_DEPTH} levels");
            return Err(syntax(lines.mark(marker.index()), &message));
        }
    }
    let end = lines.mark(text.chars().count());
    if let Some(e) = builder.error {
        return Err(e);
    }
    Ok(builder.root.unwrap_or(Node { at: end, content: Content::Scalar { text: String::new(), plain: true } }))
}

/// Parses `text` and deserialises a `T` from it.
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    let root = parse(text)?;
    from_node(&root)
}

/// Deserialises a `T` from a parsed node.
pub fn from_node<'de, T: de::Deserialize<'de>>(node: &'de Node) -> Result<T, Error> {
    T::deserialize(Deserializer { node, path: String::new(), key: None }).map_err(|e| {
        let (at, path) = e.placed.unwrap_or((node.at, String::new()));
        Error { at, path, kind: e.kind }
    })
}

/// How deep collections may nest (as serde_yaml; a config nests 4 deep).
const MAX_DEPTH: usize = 128;

/// Alias expansion copies nodes: this many in all, then the document is
/// refused (a few lines of anchors can otherwise expand to gigabytes).
const BUDGET: usize = 100_000;

/// Character index → editor line and column.
struct Lines {
    /// The character index each line starts at.
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.chars().enumerate().filter(|(_, c)| *c == '\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    fn mark(&self, index: usize) -> Mark {
        let line = self.starts.partition_point(|&s| s <= index);
        Mark { line, column: index - self.starts[line - 1] + 1 }
    }
}

enum Frame {
    Seq { at: Mark, items: Vec<Node>, anchor: usize },
    Map { at: Mark, entries: Vec<(Node, Node)>, key: Option<Node>, anchor: usize },
}

struct Builder<'a> {
    lines: &'a Lines,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    /// Nodes alias expansion may still copy.
    budget: usize,
    error: Option<Error>,
}

fn weight(node: &Node) -> usize {
    match &node.content {
        Content::Scalar { .. } => 1,
        Content::Seq(items) => 1 + items.iter().map(weight).sum::<usize>(),
        Content::Map(entries) => 1 + entries.iter().map(|(k, v)| weight(k) + weight(v)).sum::<usize>(),
    }
}

impl Builder<'_> {
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), weight(&node)));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, at, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    if entries.is_empty() {
                        *at = node.at;
                    }
                    *key = Some(node);
                }
            },
        }
    }
}

fn is_str_tag(tag: &Option<Tag>) -> bool {
    tag.as_ref().is_some_and(|t| t.suffix == "str" || t.suffix == "tag:yaml.org,2002:str")
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, marker: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = self.lines.mark(marker.index());
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == TScalarStyle::Plain && !is_str_tag(&tag);
                self.finish(Node { at, content: Content::Scalar { text, plain } }, anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some((node, weight)) if *weight <= self.budget => {
                    self.budget -= weight;
                    let node = Node { at, content: node.content.clone() };
                    self.finish(node, 0);
                }
                Some(_) => {
                    self.error = Some(Error {
                        at,
                        path: String::new(),
                        kind: ErrorKind::Syntax("aliases expand the document too far".into()),
                    });
                }
                // The parser refuses an alias to an unknown anchor before this.
                None => {
                    self.error =
                        Some(Error { at, path: String::new(), kind: ErrorKind::Syntax("unknown anchor".into()) });
                }
            },
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq { at, items: Vec::new(), anchor }),
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map { at, entries: Vec::new(), key: None, anchor })
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq { at, items, anchor }) => {
                    self.finish(Node { at, content: Content::Seq(items) }, anchor)
                }
                Some(Frame::Map { at, entries, anchor, .. }) => {
                    self.finish(Node { at, content: Content::Map(entries) }, anchor)
                }
                None => {}
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

/// `run.globals.x` below `run.globals`, `plugins[0]` below `plugins`.
fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") }
}

/// A serde deserializer over one node.
pub struct Deserializer<'a> {
    node: &'a Node,
    /// Where the node is, for messages: `run.globals.x`, `plugins[0]`.
    path: String,
    /// The key this node is the value of.
    key: Option<Mark>,
}

impl<'de> Deserializer<'de> {
    fn unexpected(&self) -> de::Unexpected<'de> {
        match &self.node.content {
            Content::Scalar { text, plain: false } => de::Unexpected::Str(text),
            Content::Scalar { text, plain: true } => match type_plain(text) {
                Typed::Null => de::Unexpected::Unit,
                Typed::Bool(b) => de::Unexpected::Bool(b),
                Typed::Number(Number::Unsigned(n)) => de::Unexpected::Unsigned(n),
                Typed::Number(Number::Signed(n)) => de::Unexpected::Signed(n),
                Typed::Number(Number::Float(x)) => de::Unexpected::Float(x),
                Typed::Text(t) => de::Unexpected::Str(t),
            },
            Content::Seq(_) => de::Unexpected::Seq,
            Content::Map(_) => de::Unexpected::Map,
        }
    }

    fn placed<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|e| e.place(self.node.at, &self.path))
    }

    fn any<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.content {
            Content::Scalar { text, plain: false } => visitor.visit_str(text),
            Content::Scalar { text, plain: true } => match type_plain(text) {
                Typed::Null => visitor.visit_unit(),
                Typed::Bool(b) => visitor.visit_bool(b),
                Typed::Number(Number::Unsigned(n)) => visitor.visit_u64(n),
                Typed::Number(Number::Signed(n)) => visitor.visit_i64(n),
                Typed::Number(Number::Float(x)) => visitor.visit_f64(x),
                Typed::Text(t) => visitor.visit_str(t),
            },
            Content::Seq(items) => self.seq(items, visitor),
            Content::Map(entries) => self.map(entries, visitor),
        }
    }

    fn seq<V: Visitor<'de>>(&self, items: &'de [Node], visitor: V) -> Result<V::Value, DeError> {
        let mut access = SeqAccess { items: items.iter().enumerate(), parent: &self.path };
        visitor.visit_seq(&mut access)
    }

    fn map<V: Visitor<'de>>(&self, entries: &'de [(Node, Node)], visitor: V) -> Result<V::Value, DeError> {
        let mut access = MapAccess { entries: entries.iter(), current: None, parent: &self.path, finished: false };
        let r = visitor.visit_map(&mut access);
        // An error the visitor raises between entries (a duplicate field) is
        // about the key it just read; after the last, about the mapping.
        match (r, access.current, access.finished) {
            (Err(e), Some((k, _)), false) => Err(e.place(k.at, &self.path)),
            (r, _, _) => r,
        }
    }

    fn is_null(&self) -> bool {
        matches!(&self.node.content, Content::Scalar { text, plain: true } if matches!(type_plain(text), Typed::Null))
    }
}

macro_rules! forward_to_any {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.placed(self.any(visitor))
        })*
    };
}

impl<'de> de::Deserializer<'de> for Deserializer<'de> {
    type Error = DeError;

    forward_to_any! {
        deserialize_any deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_seq deserialize_map deserialize_bytes deserialize_byte_buf
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.placed(self.any(visitor))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.content {
            // Any scalar is text where text is expected (`tag: 1.2` reads as "1.2").
            Content::Scalar { text, .. } if !self.is_null() => visitor.visit_str(text),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.placed(r)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.is_null() {
            return self.placed(visitor.visit_none());
        }
        let (at, path) = (self.node.at, self.path.clone());
        visitor.visit_some(self).map_err(|e| e.place(at, &path))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.placed(self.any(visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        let (at, path) = (self.node.at, self.path.clone());
        visitor.visit_newtype_struct(self).map_err(|e| e.place(at, &path))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.placed(self.any(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.placed(self.any(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED {
            let (at, key) = (self.node.at, self.key.unwrap_or(Mark { line: 0, column: 0 }));
            let numbers = [at.line, at.column, key.line, key.column];
            let mut access = SpannedAccess { numbers, next: 0, value: Some(self) };
            return visitor.visit_map(&mut access);
        }
        self.placed(self.any(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let r = match &self.node.content {
            Content::Scalar { text, .. } if !self.is_null() => {
                visitor.visit_enum(de::value::StrDeserializer::<DeError>::new(text))
            }
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.placed(r)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'a, I> {
    items: I,
    parent: &'a str,
}

impl<'de, I: Iterator<Item = (usize, &'de Node)>> de::SeqAccess<'de> for SeqAccess<'_, I> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, node)) => {
                let path = format!("{}[{i}]", self.parent);
                let place = path.clone();
                seed.deserialize(Deserializer { node, path, key: None }).map(Some).map_err(|e| e.place(node.at, &place))
            }
        }
    }
}

struct MapAccess<'a, 'de, I> {
    entries: I,
    current: Option<&'de (Node, Node)>,
    parent: &'a str,
    finished: bool,
}

fn key_text(node: &Node) -> &str {
    match &node.content {
        Content::Scalar { text, .. } => text,
        _ => "?",
    }
}

impl<'de, I: Iterator<Item = &'de (Node, Node)>> de::MapAccess<'de> for MapAccess<'_, 'de, I> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            None => {
                self.finished = true;
                Ok(None)
            }
            Some(entry) => {
                self.current = Some(entry);
                // A key's errors (an unknown field) name the mapping it is in.
                seed.deserialize(Deserializer { node: &entry.0, path: self.parent.to_string(), key: None }).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((key, value)) = self.current else {
            return Err(de::Error::custom("a value without a key"));
        };
        let path = child_path(self.parent, key_text(key));
        let place = path.clone();
        seed.deserialize(Deserializer { node: value, path, key: Some(key.at) }).map_err(|e| e.place(value.at, &place))
    }
}

/// The fields of a [`Spanned`]: its place, then the value itself.
struct SpannedAccess<'de> {
    numbers: [usize; 4],
    next: usize,
    value: Option<Deserializer<'de>>,
}

impl<'de> de::MapAccess<'de> for SpannedAccess<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let name = match SPANNED_FIELDS.get(self.next) {
            Some(name) if self.value.is_some() => *name,
            _ => return Ok(None),
        };
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let i = self.next;
        self.next += 1;
        match self.numbers.get(i) {
            Some(&n) => seed.deserialize(n.into_deserializer()),
            None => match self.value.take() {
                Some(value) => seed.deserialize(value),
                None => Err(de::Error::custom("a Spanned value has no more fields")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_at(text: &str) -> (usize, usize) {
        let e = parse(text).expect_err(text);
        (e.at.line, e.at.column)
    }

    #[test]
    fn syntax_errors_count_lines_as_editors_do() {
        assert_eq!(error_at("a: [\nb: c\n"), (2, 1));
        assert_eq!(error_at("a: b\n  c: d\n"), (2, 4));
        // `\r` is no line break for an editor: the error is on line 2, not 3.
        assert_eq!(error_at("a: b\r\nc: [\r\n").0, 3);
        assert_eq!(error_at("x: 1\ra: b\n  c: d\n"), (2, 4));
    }

    #[test]
    fn one_line_with_a_unicode_line_separator_is_one_line() {
        // libyaml broke lines at U+2028 (regression: 3:1 was printed for a one-line file).
        let root = parse("A:\u{2028}a").unwrap();
        assert_eq!(root.at, Mark { line: 1, column: 1 });
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        run: Spanned<Run>,
        items: Option<Vec<Spanned<String>>>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Run {
        test_suite: Spanned<String>,
        retry: Option<u32>,
    }

    #[test]
    fn spanned_values_know_their_place_and_their_key() {
        let doc: Doc = from_str("run:\n  test-suite: Test Suites/A\n  retry: 2\nitems:\n  - a\n  - b\n").unwrap();
        assert_eq!(doc.run.value.retry, Some(2));
        // A mapping is where its first key is.
        assert_eq!(doc.run.at, Mark { line: 2, column: 3 });
        assert_eq!(doc.run.key, Some(Mark { line: 1, column: 1 }));
        assert_eq!(doc.run.value.test_suite.at, Mark { line: 2, column: 15 });
        assert_eq!(doc.run.value.test_suite.key, Some(Mark { line: 2, column: 3 }));
        let items = doc.items.unwrap();
        assert_eq!((items[1].value.as_str(), items[1].at, items[1].key), ("b", Mark { line: 6, column: 5 }, None));
    }

    #[test]
    fn error_kinds_are_typed_and_placed_at_their_node() {
        let e = from_str::<Doc>("run:\n  test-suite: A\n  tset: x\n").unwrap_err();
        assert_eq!(e.at, Mark { line: 3, column: 3 });
        assert_eq!(e.path, "run");
        assert!(matches!(e.kind, ErrorKind::UnknownField { ref field, .. } if field == "tset"), "{e:?}");
        let e = from_str::<Doc>("run:\n  test-suite: A\n  retry: often\n").unwrap_err();
        assert_eq!((e.at, e.path.as_str()), (Mark { line: 3, column: 10 }, "run.retry"));
        assert_eq!(e.to_string(), "run.retry: invalid type: string \"often\", expected u32");
        let e = from_str::<Doc>("run:\n  retry: 1\n").unwrap_err();
        assert_eq!((e.at, &e.kind), (Mark { line: 2, column: 3 }, &ErrorKind::MissingField("test-suite")));
        let e = from_str::<Doc>("run: {test-suite: a, test-suite: b}\n").unwrap_err();
        assert_eq!((e.at, &e.kind), (Mark { line: 1, column: 22 }, &ErrorKind::DuplicateField("test-suite")));
    }

    #[test]
    fn scalars_are_typed_as_serde_yaml_types_them() {
        let v = |t: &str| from_str::<Value>(t).unwrap();
        assert_eq!(v("42"), Value::Number(Number::Unsigned(42)));
        assert_eq!(v("-3"), Value::Number(Number::Signed(-3)));
        assert_eq!(v("0x1A"), Value::Number(Number::Unsigned(26)));
        assert_eq!(v("10.3").to_string_for_test(), "10.3");
        assert_eq!(v("9.0").to_string_for_test(), "9.0");
        assert_eq!(v("007"), Value::String("007".into()));
        assert_eq!(v("\"42\""), Value::String("42".into()));
        assert_eq!(v("!!str 42"), Value::String("42".into()));
        assert_eq!(v("True"), Value::Bool(true));
        assert_eq!(v("~"), Value::Null);
        assert_eq!(v("[a]"), Value::Collection);
        assert_eq!(v("1.2.3"), Value::String("1.2.3".into()));
        assert_eq!(v(".inf").to_string_for_test(), ".inf");
        // Where text is expected, any scalar is its text.
        assert_eq!(from_str::<String>("1.50").unwrap(), "1.50");
    }

    impl Value {
        fn to_string_for_test(&self) -> String {
            match self {
                Value::Number(n) => n.to_string(),
                other => format!("{other:?}"),
            }
        }
    }

    #[test]
    fn aliases_expand_within_a_budget() {
        assert_eq!(from_str::<Vec<String>>("- &a x\n- *a\n").unwrap(), ["x", "x"]);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, prev) in ["b", "c", "d", "e", "f", "g"].iter().zip(["a", "b", "c", "d", "e", "f"]) {
            bomb.push_str(&format!(
                "{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.to_string().contains("aliases expand"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let e = parse(&"- ".repeat(100_000)).unwrap_err();
        assert!(e.to_string().contains("deeper than 128"), "{e}");
        assert!(parse(&"- ".repeat(100)).is_ok());
    }

    #[test]
    fn an_empty_document_is_null_at_its_end() {
        let root = parse("# nothing\n").unwrap();
        assert!(root.is_null());
        assert_eq!(root.at, Mark { line: 2, column: 1 });
    }
}
