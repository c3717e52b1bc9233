//! The case process.
