//! Norwegian fødselsnummer, D-numbers and H-numbers.
