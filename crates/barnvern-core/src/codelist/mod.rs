//! Code lists as data, and coded values that keep their source.
//!
//! TODO(helper)

/// A code list.
#[derive(Debug, Clone)]
pub struct CodeList;

/// A coded value.
#[derive(Debug, Clone)]
pub struct CodedValue;
