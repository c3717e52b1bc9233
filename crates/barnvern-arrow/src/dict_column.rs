//! A dictionary-encoded text column being built, for code columns that take a value in every
//! row of every table.
//!
//! It builds exactly what arrow's `StringDictionaryBuilder<Int32Type>` builds (the same keys,
//! the distinct values in the order first met, the same buffers grown the same way, so the
//! same Arrow memory size and the same Parquet bytes) but finds a value's key faster: a code
//! of a domain enum is a `&'static str`, found by its address; other text by a linear scan of
//! a small dictionary, or a hash map once the dictionary is large. The dictionary also tells
//! the writer whether a text was already accepted in the column, so the identity-number guard
//! of [`crate::columns::TableWriter`] runs once per distinct value rather than once per row.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, Int32Builder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{Array, DictionaryArray};

/// Up to this many distinct values a lookup scans them; past it a hash map is kept. The
/// dictionaries of a chunk's partitions mostly hold a handful of codes.
const SCAN: usize = 24;

/// The key and values builders of a dictionary column, with the lookups.
pub(crate) struct DictColumn {
    keys: Int32Builder,
    values: StringBuilder,
    /// `(address, length, key)` of each `&'static str` met: a static text at an address
    /// never changes, so the same address and length is the same text.
    statics: Vec<(usize, usize, i32)>,
    /// The key of every value by its text, once there are more than [`SCAN`] values.
    index: HashMap<Box<str>, i32>,
}

impl DictColumn {
    /// An empty column; like arrow's builder made `with_capacity(0, 0, 0)`, it reserves
    /// nothing until rows come.
    pub(crate) fn new() -> DictColumn {
        DictColumn {
            keys: Int32Builder::with_capacity(0),
            values: StringBuilder::with_capacity(0, 0),
            statics: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// The key of `text` if it is in the dictionary already.
    pub(crate) fn key_of(&self, text: &str) -> Option<i32> {
        if self.values.len() > SCAN {
            return self.index.get(text).copied();
        }
        let offsets = self.values.offsets_slice();
        let bytes = self.values.values_slice();
        offsets
            .windows(2)
            .position(|w| {
                let (start, end) = (w[0] as usize, w[1] as usize);
                end - start == text.len() && bytes.get(start..end) == Some(text.as_bytes())
            })
            .and_then(|i| i32::try_from(i).ok())
    }

    /// The key of the static text `text` if it is in the dictionary already (by address,
    /// else by text, remembering the address).
    pub(crate) fn key_of_static(&mut self, text: &'static str) -> Option<i32> {
        let at = (text.as_ptr() as usize, text.len());
        if let Some(&(_, _, key)) = self.statics.iter().find(|(a, l, _)| (*a, *l) == at) {
            return Some(key);
        }
        let key = self.key_of(text)?;
        self.statics.push((at.0, at.1, key));
        Some(key)
    }

    /// Appends a row holding the value of `key`, a key found by a lookup.
    pub(crate) fn append_key(&mut self, key: i32) {
        self.keys.append_value(key);
    }

    /// Appends a row holding `text`, which a lookup did not find: it becomes the next value.
    /// Fails (appending nothing) when the dictionary has as many values as an `i32` key
    /// can number.
    pub(crate) fn append_new(&mut self, text: &str) -> Result<i32, String> {
        let key = i32::try_from(self.values.len())
            .map_err(|_| "more distinct values than a dictionary key can number".to_owned())?;
        self.values.append_value(text);
        if self.values.len() > SCAN {
            if self.index.is_empty() {
                let offsets = self.values.offsets_slice();
                let bytes = self.values.values_slice();
                for (i, w) in offsets.windows(2).enumerate() {
                    let value = bytes
                        .get(w[0] as usize..w[1] as usize)
                        .and_then(|b| std::str::from_utf8(b).ok());
                    if let (Some(value), Ok(i)) = (value, i32::try_from(i)) {
                        self.index.insert(value.into(), i);
                    }
                }
            } else {
                self.index.insert(text.into(), key);
            }
        }
        self.keys.append_value(key);
        Ok(key)
    }

    /// Appends a null row.
    pub(crate) fn append_null(&mut self) {
        self.keys.append_null();
    }

    /// The rows so far as a dictionary array; the column starts empty.
    pub(crate) fn finish(&mut self) -> Arc<dyn Array> {
        self.statics.clear();
        self.index.clear();
        let values = self.values.finish();
        let keys = self.keys.finish();
        let data_type = arrow_schema::DataType::Dictionary(
            Box::new(arrow_schema::DataType::Int32),
            Box::new(arrow_schema::DataType::Utf8),
        );
        // The keys are in bounds by construction; `try_new` checks them again, as arrow's
        // builder does not, but the array is the same.
        match DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values)) {
            Ok(array) => Arc::new(array),
            // Unreachable (every key was a position in the values); an empty array of the
            // right type keeps the writer's schema check the one that reports.
            Err(_) => arrow_array::new_empty_array(&data_type),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use arrow_array::builder::StringDictionaryBuilder;

    /// Writes the same rows through this column and through arrow's builder.
    fn both(rows: &[Option<String>], statics: &[&'static str]) -> (Arc<dyn Array>, Arc<dyn Array>) {
        let mut ours = DictColumn::new();
        let mut arrow = StringDictionaryBuilder::<Int32Type>::with_capacity(0, 0, 0);
        for (i, row) in rows.iter().enumerate() {
            match row {
                None => {
                    ours.append_null();
                    arrow.append_null();
                }
                Some(text) => {
                    // Every third row goes through the static path when the text is one.
                    let fixed = statics.iter().find(|s| **s == text.as_str()).copied();
                    let key = match fixed {
                        Some(s) if i % 3 == 0 => ours.key_of_static(s),
                        _ => ours.key_of(text),
                    };
                    match key {
                        Some(k) => ours.append_key(k),
                        None => {
                            ours.append_new(text).unwrap();
                        }
                    }
                    arrow.append_value(text);
                }
            }
        }
        (ours.finish(), Arc::new(arrow.finish()))
    }

    #[test]
    fn builds_what_arrows_dictionary_builder_builds() {
        const CODES: [&str; 3] = ["school", "police", "parent"];
        // Small dictionaries (scanned) and large ones (hashed), with nulls and repeats.
        for distinct in [1usize, 3, SCAN, SCAN + 1, 200] {
            let rows: Vec<Option<String>> = (0..700)
                .map(|i| match i % 11 {
                    0 => None,
                    1..=3 => Some(CODES[i % 3].to_owned()),
                    _ => Some(format!("v{}", (i * 7) % distinct)),
                })
                .collect();
            let (ours, arrow) = both(&rows, &CODES);
            assert_eq!(
                ours.to_data(),
                arrow.to_data(),
                "{distinct} distinct values"
            );
            assert_eq!(
                ours.get_array_memory_size(),
                arrow.get_array_memory_size(),
                "{distinct} distinct values"
            );
        }
    }

    #[test]
    fn a_static_text_and_an_equal_owned_text_share_a_key() {
        static CODE: &str = "anonymous";
        let mut col = DictColumn::new();
        let owned = String::from("anonymous");
        assert_eq!(col.key_of(&owned), None);
        assert_eq!(col.append_new(&owned).unwrap(), 0);
        assert_eq!(col.key_of_static(CODE), Some(0));
        assert_eq!(col.key_of_static(CODE), Some(0));
        assert_eq!(col.key_of("other"), None);
        // After finish the column starts over: nothing is known.
        let _ = col.finish();
        assert_eq!(col.key_of_static(CODE), None);
        assert_eq!(col.key_of(&owned), None);
    }
}
