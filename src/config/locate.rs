//! Positions of the nodes of a YAML document, by path (`run.test-suite`,
//! `plugins[2].sha256`), so that errors found after deserialising can still
//! name the line and column the user wrote.
//!
//! serde_yaml reports positions only for its own syntax and type errors; this
//! index is built from a second, event-level parse of the same text.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Where each key and value of a YAML document starts.
#[derive(Debug, Default, Clone)]
pub struct Index {
    keys: HashMap<String, Pos>,
    values: HashMap<String, Pos>,
}

impl Index {
    /// Builds the index; a document that does not parse yields an empty index
    /// (serde_yaml reports the syntax error with its own position).
    pub fn build(text: &str) -> Index {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return Index::default();
        }
        builder.index
    }

    /// The position of the key at `path` (for a sequence item: the item).
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.keys.get(path).or_else(|| self.values.get(path)).copied()
    }

    /// The position of the value at `path`, else of its key.
    pub fn value(&self, path: &str) -> Option<Pos> {
        self.values.get(path).or_else(|| self.keys.get(path)).copied()
    }
}

enum Frame {
    /// In a mapping; `Some(key)` once a key was read and its value is awaited.
    Map {
        path: String,
        key: Option<String>,
        seen_key: bool,
    },
    Seq {
        path: String,
        next: usize,
    },
}

#[derive(Default)]
struct Builder {
    index: Index,
    stack: Vec<Frame>,
}

fn pos(mark: Marker) -> Pos {
    Pos { line: mark.line(), column: mark.col() + 1 }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") }
}

impl Builder {
    /// Where the next node goes: `Some(path)` when it is a value, `None` when
    /// it is a mapping key (then the key is recorded and the frame waits).
    fn place(&mut self, scalar: Option<&str>, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                self.index.keys.insert(p.clone(), pos(mark));
                Some(p)
            }
            Some(Frame::Map { path, key, seen_key }) => match key.take() {
                Some(k) => Some(join(path, &k)),
                None => {
                    // A key. Complex (non-scalar) keys get a placeholder name.
                    let k = scalar.unwrap_or("?").to_string();
                    self.index.keys.insert(join(path, &k), pos(mark));
                    // A mapping is where its first key is (the parser's own
                    // mark for a mapping start can point past it).
                    if !*seen_key {
                        *seen_key = true;
                        self.index.keys.insert(path.clone(), pos(mark));
                    }
                    *key = Some(k);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => {
                if let Some(path) = self.place(Some(&value), mark) {
                    self.index.values.insert(path, pos(mark));
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.place(None, mark) {
                    self.index.values.insert(path, pos(mark));
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_map = matches!(ev, Event::MappingStart(..));
                let path = match self.place(None, mark) {
                    Some(path) => path,
                    // A mapping or sequence used as a key: track it under a placeholder.
                    None => "?".to_string(),
                };
                self.index.values.entry(path.clone()).or_insert(pos(mark));
                self.stack.push(if is_map {
                    Frame::Map { path, key: None, seen_key: false }
                } else {
                    Frame::Seq { path, next: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_sequence_items() {
        let text =
            "run:\n  test-suite: Test Suites/A\nplugins:\n  - path: a.jar\n  - url: https://x/y.jar\n    sha256: abc\n";
        let idx = Index::build(text);
        assert_eq!(idx.key("run.test-suite"), Some(Pos { line: 2, column: 3 }));
        assert_eq!(idx.value("run.test-suite"), Some(Pos { line: 2, column: 15 }));
        assert_eq!(idx.key("plugins[1]").map(|p| p.line), Some(5));
        assert_eq!(idx.key("plugins[1].sha256"), Some(Pos { line: 6, column: 5 }));
    }

    #[test]
    fn flow_mappings_are_indexed_too() {
        let idx = Index::build("run:\n  globals: { baseUrl: x, other: y }\n");
        assert_eq!(idx.key("run.globals.other").map(|p| p.line), Some(2));
    }
}
