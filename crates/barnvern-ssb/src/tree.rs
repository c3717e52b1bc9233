//! SSB records as a small element tree: the form the reader produces one `Sak` at a time, the
//! writer serialises, and SSB's controls inspect.

use serde::{Deserialize, Serialize};

/// One XML element of an SSB file (SSB: `element`), with its attributes in document order,
/// its child elements and its text. `line` is where it starts in the file it was read from
/// (0 when built in memory); it is not part of the stored form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Element {
    /// Element name, e.g. `Melding`.
    pub name: String,
    /// Attributes in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<(String, String)>,
    /// Child elements in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Element>,
    /// Text content (leaf elements such as `Lov`, `Kapittel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Line in the source file (1-based; 0 when unknown).
    #[serde(skip)]
    pub line: u64,
}

impl PartialEq for Element {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.attrs == other.attrs
            && self.children == other.children
            && self.text == other.text
    }
}

impl Eq for Element {}

impl Element {
    /// An element with no attributes or children.
    pub fn new(name: impl Into<String>) -> Element {
        Element {
            name: name.into(),
            ..Element::default()
        }
    }

    /// The element with attribute `name` set to `value` (builder form of [`Element::set`]).
    #[must_use]
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Element {
        self.set(name, value);
        self
    }

    /// The element with a child appended.
    #[must_use]
    pub fn with_child(mut self, child: Element) -> Element {
        self.children.push(child);
        self
    }

    /// A leaf element holding text (`<Lov>BVL</Lov>`).
    pub fn leaf(name: &str, text: impl Into<String>) -> Element {
        Element {
            name: name.to_owned(),
            text: Some(text.into()),
            ..Element::default()
        }
    }

    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets attribute `name`, keeping its position when it exists.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((name.to_owned(), value)),
        }
    }

    /// Removes attribute `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let i = self.attrs.iter().position(|(k, _)| k == name)?;
        Some(self.attrs.remove(i).1)
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The first child named `name`, mutable.
    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.children.iter_mut().find(|c| c.name == name)
    }

    /// Every child named `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name` (`Lovhjemmel/Lov`).
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(|c| c.text.as_deref())
    }

    /// The attribute `attr` of the first child named `child` (`Konklusjon/@SluttDato`).
    pub fn child_attr(&self, child: &str, attr: &str) -> Option<&str> {
        self.child(child).and_then(|c| c.attr(attr))
    }

    /// The record's `Id` attribute.
    pub fn id(&self) -> Option<&str> {
        self.attr("Id")
    }

    /// The XPath-like location of a record under `Sak`: `/Barnevern/Sak/Melding[@Id='…']`.
    pub fn locator(&self) -> String {
        match self.id() {
            // An id is input: anything in it shaped like an identity number is masked.
            Some(id) => format!(
                "/Barnevern/Sak/{}[@Id='{}']",
                self.name,
                barnvern_core::identifier::mask_identity_numbers(id)
            ),
            None => format!("/Barnevern/Sak/{}", self.name),
        }
    }
}
