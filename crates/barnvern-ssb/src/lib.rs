//! Norway's national child-welfare reporting format: SSB's barnevern XML.
