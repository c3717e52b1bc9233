//! Municipality codes (SE kommunkod, NO kommunenummer).
//!
//! TODO(helper)

/// A municipality.
#[derive(Debug, Clone)]
pub struct Municipality;
