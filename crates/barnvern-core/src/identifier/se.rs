//! Swedish personnummer and samordningsnummer.
