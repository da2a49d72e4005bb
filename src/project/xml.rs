//! Small helpers over roxmltree for Katalon's XML files: parse errors and
//! wrong root elements name the file, line and column.

use std::path::Path;

use super::Error;

pub fn parse<'a>(text: &'a str, file: &Path) -> Result<roxmltree::Document<'a>, Error> {
    roxmltree::Document::parse(text).map_err(|e| {
        let pos = e.pos();
        Error::Xml { message: format!("{}:{}:{}: not valid XML: {e}", file.display(), pos.row, pos.col), hint: None }
    })
}

/// Checks the root element's name against `allowed` and returns it.
pub fn expect_root<'a>(doc: &'a roxmltree::Document, file: &Path, allowed: &[&str]) -> Result<&'a str, Error> {
    let root = doc.root_element();
    let name = root.tag_name().name();
    if allowed.contains(&name) {
        return Ok(name);
    }
    let pos = doc.text_pos_at(root.range().start);
    Err(Error::Xml {
        message: format!(
            "{}:{}:{}: unexpected root element <{name}>, expected {}",
            file.display(),
            pos.row,
            pos.col,
            allowed.iter().map(|a| format!("<{a}>")).collect::<Vec<_>>().join(" or ")
        ),
        hint: None,
    })
}

/// The trimmed text of the first child element named `name`.
pub fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    first_text(node.children(), name)
}

/// The trimmed, non-empty text of the first of `nodes` named `name`.
fn first_text<'a, 'input: 'a>(
    mut nodes: impl Iterator<Item = roxmltree::Node<'a, 'input>>,
    name: &str,
) -> Option<String> {
    nodes.find(|c| c.has_tag_name(name)).and_then(|c| c.text()).map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// `file:line:column` of a node.
pub fn location(doc: &roxmltree::Document, node: roxmltree::Node, file: &Path) -> crate::location::Location {
    let pos = doc.text_pos_at(node.range().start);
    crate::location::Location { file: file.to_path_buf(), line: pos.row as usize, column: pos.col as usize }
}

/// The trimmed text of the first descendant element named `name`.
pub fn descendant_text(node: roxmltree::Node, name: &str) -> Option<String> {
    first_text(node.descendants(), name)
}
