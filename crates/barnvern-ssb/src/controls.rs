//! SSB's validation controls (placeholder).
