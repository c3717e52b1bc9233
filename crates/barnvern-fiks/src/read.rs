//! Reading a body against the published schema's rules, field by field.
//!
//! The schemas (JSON Schema 2019-09, in `data/schema/`) are small, so their rules are written
//! out here rather than run by a general validator: that keeps every failure's code and message
//! ours (a general validator's messages repeat the offending value, which could be a name or an
//! identity number) and needs no further dependency. The test `tests/schema.rs` reads the
//! shipped schema files and checks that the rules here name the same required fields, types,
//! patterns and array bounds, so the two cannot drift apart unnoticed.
//!
//! Every failure is collected (not only the first). A value that fails is replaced by an empty
//! one while reading goes on; the body is discarded whenever anything failed, so no placeholder
//! escapes.

use barnvern_core::{Finding, Jurisdiction, PersonId};
use serde_json::{Map, Value};

use crate::body::{
    Adresse, Body, Foresatt, Offentlig, OffentligBarn, OffentligMelder, OffentligTekst, Privat,
    PrivatBarn, PrivatMelder, Virksomhet,
};
use crate::message_type::MessageType;

/// A rule the schema puts on a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Any string.
    Any,
    /// `^(.*)$`: one line. In ECMA-262 regular expressions, which JSON Schema uses, `.` matches
    /// any character but the line terminators LF, CR, U+2028 and U+2029.
    Line,
    /// `^[+]?[0-9]+([- ][0-9]+)*$`: a telephone number.
    Phone,
    /// The schema's e-mail pattern (see [`is_email`]).
    Email,
    /// `^\d{4}$` (ECMA `\d` is ASCII 0-9).
    FourDigits,
    /// `^[0-9]{2}$`.
    TwoDigits,
}

impl Rule {
    fn holds(self, s: &str) -> bool {
        match self {
            Rule::Any => true,
            Rule::Line => !s.contains(['\n', '\r', '\u{2028}', '\u{2029}']),
            Rule::Phone => is_phone(s),
            Rule::Email => is_email(s),
            Rule::FourDigits => s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()),
            Rule::TwoDigits => s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()),
        }
    }

    fn explain(self) -> &'static str {
        match self {
            Rule::Any => "any text",
            Rule::Line => {
                "a single line of text (no line breaks), as the schema's pattern ^(.*)$ requires"
            }
            Rule::Phone => {
                "a telephone number: digits, an optional leading +, groups separated by a single \
                 space or hyphen (schema pattern ^[+]?[0-9]+([- ][0-9]+)*$)"
            }
            Rule::Email => {
                "an e-mail address of the schema's form: name@domain.tld, with letters (æøå \
                 allowed), digits, '-' and '_' in the name, and a top-level domain of at least \
                 two letters A-Z"
            }
            Rule::FourDigits => "exactly four digits 0-9 (kommunenummer, e.g. 4601)",
            Rule::TwoDigits => {
                "exactly two digits 0-9 (bydelsnummer; \"00\" where the municipality has no city \
                 districts)"
            }
        }
    }
}

/// `^[+]?[0-9]+([- ][0-9]+)*$`.
fn is_phone(s: &str) -> bool {
    let s = s.strip_prefix('+').unwrap_or(s);
    !s.is_empty()
        && s.split(['-', ' '])
            .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()))
}

/// The schema's e-mail pattern:
/// `^[A-Za-zæøåÆØÅ0-9-_]+(\.[A-Za-zæøåÆØÅ0-9-_]+)*@[A-Za-zæøåÆØÅ0-9-]+(\.[A-Za-zæøåÆØÅ0-9-]+)*(\.[A-Za-z]{2,})$`.
/// The local part is dot-separated non-empty parts of letters (A-Z, æøå), digits, `-` and `_`;
/// the domain is at least two dot-separated non-empty labels of letters, digits and `-`, the
/// last one at least two ASCII letters. (In `[...0-9-_]` the `-` after a range is a literal.)
fn is_email(s: &str) -> bool {
    let nordic = |c: char| matches!(c, 'æ' | 'ø' | 'å' | 'Æ' | 'Ø' | 'Å');
    let local_char = |c: char| c.is_ascii_alphanumeric() || nordic(c) || c == '-' || c == '_';
    let domain_char = |c: char| c.is_ascii_alphanumeric() || nordic(c) || c == '-';
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    local
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(local_char))
        && labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(domain_char))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// The JSON type of a value, for messages (never the value itself).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Collects the failures of one body.
#[derive(Default)]
pub(crate) struct Reader {
    pub(crate) findings: Vec<Finding>,
}

impl Reader {
    pub(crate) fn fail(&mut self, path: &str, code: &str, message: String) {
        self.findings.push(Finding::error(path, code, message));
    }

    fn wrong_type(&mut self, path: &str, want: &str, found: &Value) {
        self.fail(
            path,
            "fiks.type",
            format!("must be {want}, but is {}", kind(found)),
        );
    }

    fn object<'v>(&mut self, v: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.wrong_type(path, "an object", other);
                None
            }
        }
    }

    /// The value of `key`, or a `fiks.required` failure when a required key is missing.
    fn field<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<&'v Value> {
        let v = m.get(key);
        if v.is_none() && required {
            self.fail(
                &join(path, key),
                "fiks.required",
                format!("the field {key} is required but missing"),
            );
        }
        v
    }

    fn check_string(&mut self, v: &Value, path: &str, rule: Rule) -> Option<String> {
        let Value::String(s) = v else {
            self.wrong_type(path, "a string", v);
            return None;
        };
        if !rule.holds(s) {
            self.fail(
                path,
                "fiks.pattern",
                format!("does not have the required form: {}", rule.explain()),
            );
            return None;
        }
        Some(s.clone())
    }

    fn string(&mut self, m: &Map<String, Value>, path: &str, key: &str, rule: Rule) -> String {
        self.field(m, path, key, true)
            .and_then(|v| self.check_string(v, &join(path, key), rule))
            .unwrap_or_default()
    }

    fn opt_string(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
        rule: Rule,
    ) -> Option<String> {
        self.field(m, path, key, false)
            .and_then(|v| self.check_string(v, &join(path, key), rule))
    }

    fn boolean(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> bool {
        match self.field(m, path, key, true) {
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.wrong_type(&join(path, key), "a boolean (true or false)", other);
                false
            }
            None => false,
        }
    }

    /// The items of the array `key`, checked against `min..=max` items.
    fn array<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
        min: usize,
        max: Option<usize>,
    ) -> &'v [Value] {
        let here = join(path, key);
        let items = match self.field(m, path, key, true) {
            Some(Value::Array(items)) => items.as_slice(),
            Some(other) => {
                self.wrong_type(&here, "an array", other);
                return &[];
            }
            None => return &[],
        };
        if items.len() < min {
            self.fail(
                &here,
                "fiks.min_items",
                format!(
                    "must hold at least {min} item{}, but holds {}",
                    if min == 1 { "" } else { "s" },
                    items.len()
                ),
            );
        }
        if let Some(max) = max
            && items.len() > max
        {
            self.fail(
                &here,
                "fiks.max_items",
                format!("may hold at most {max} items, but holds {}", items.len()),
            );
        }
        items
    }

    fn adresse(&mut self, v: &Value, path: &str) -> Adresse {
        let Some(m) = self.object(v, path) else {
            return Adresse::default();
        };
        Adresse {
            adresselinje1: self.string(m, path, "adresselinje1", Rule::Any),
            adresselinje2: self.opt_string(m, path, "adresselinje2", Rule::Any),
            adresselinje3: self.opt_string(m, path, "adresselinje3", Rule::Any),
            postnummer: self.opt_string(m, path, "postnummer", Rule::Any),
            poststed: self.opt_string(m, path, "poststed", Rule::Any),
        }
    }

    fn required_adresse(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> Adresse {
        match self.field(m, path, key, true) {
            Some(v) => self.adresse(v, &join(path, key)),
            None => Adresse::default(),
        }
    }

    /// The object at `key` (required), or an empty map after a failure.
    fn sub<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'v Map<String, Value>> {
        let v = self.field(m, path, key, true)?;
        self.object(v, &join(path, key))
    }

    /// An identity number (fnr): empty, or a valid Norwegian number. Whether it fits `ufoedt`
    /// is checked with the rest of the child.
    fn fnr(&mut self, m: &Map<String, Value>, path: &str) -> Option<PersonId> {
        let here = join(path, "fnr");
        let text = self.string(m, path, "fnr", Rule::Any);
        if text.is_empty() {
            return None;
        }
        match PersonId::parse(&text, Some(Jurisdiction::No), None) {
            Ok(id) => Some(id),
            Err(finding) => {
                // The core's messages never repeat the digits.
                self.fail(
                    &here,
                    "fiks.fnr",
                    format!(
                        "is not a valid Norwegian identity number (fødselsnummer, D-number): {} \
                         (rule {})",
                        finding.message, finding.code
                    ),
                );
                None
            }
        }
    }

    fn offentlig(&mut self, root: &Map<String, Value>, version: u8) -> Offentlig {
        // In the schema's order, so that failures come in document order.
        let kommunenummer = self.string(root, "", "kommunenummer", Rule::FourDigits);
        let kommunenavn = self.string(root, "", "kommunenavn", Rule::Line);
        let bydelsnummer = self.string(root, "", "bydelsnummer", Rule::TwoDigits);
        let bydelsnavn = self.string(root, "", "bydelsnavn", Rule::Line);
        let melder = match self.sub(root, "", "offentligMelder") {
            Some(m) => {
                let p = "offentligMelder";
                OffentligMelder {
                    personnavn: self.string(m, p, "personnavn", Rule::Line),
                    rolle: self.string(m, p, "rolle", Rule::Line),
                    telefonnummer: self.string(m, p, "telefonnummer", Rule::Phone),
                    epost: self.string(m, p, "epost", Rule::Email),
                    virksomhet: match self.sub(m, p, "virksomhet") {
                        Some(v) => {
                            let p = "offentligMelder.virksomhet";
                            Virksomhet {
                                navn: self.string(v, p, "navn", Rule::Line),
                                orgnr: self.opt_string(v, p, "orgnr", Rule::Line),
                                adresse: self.required_adresse(v, p, "adresse"),
                            }
                        }
                        None => Virksomhet::default(),
                    },
                }
            }
            None => OffentligMelder::default(),
        };
        let mut barn = Vec::new();
        for (i, v) in self
            .array(root, "", "offentligBarn", 1, None)
            .iter()
            .enumerate()
        {
            let p = format!("offentligBarn[{i}]");
            let Some(m) = self.object(v, &p) else {
                continue;
            };
            let fnr = self.fnr(m, &p);
            let ufoedt = self.boolean(m, &p, "ufoedt");
            if ufoedt && fnr.is_some() {
                self.fail(
                    &join(&p, "fnr"),
                    "fiks.fnr_unborn",
                    "an unborn child (ufoedt true) cannot have an identity number, but fnr is \
                     not empty: the message contradicts itself"
                        .to_owned(),
                );
            }
            barn.push(OffentligBarn {
                fnr,
                ufoedt,
                personnavn: self.string(m, &p, "personnavn", Rule::Line),
                telefonnummer: self.opt_string(m, &p, "telefonnummer", Rule::Any),
                adresse: self.required_adresse(m, &p, "adresse"),
                orientert: self.boolean(m, &p, "orientert"),
                orientert_grunn: self.opt_string(m, &p, "orientertGrunn", Rule::Line),
            });
        }
        let mut foresatte = Vec::new();
        for (i, v) in self
            .array(root, "", "foresatte", 1, Some(2))
            .iter()
            .enumerate()
        {
            let p = format!("foresatte[{i}]");
            let Some(m) = self.object(v, &p) else {
                continue;
            };
            foresatte.push(Foresatt {
                personnavn: self.string(m, &p, "personnavn", Rule::Line),
                telefonnummer: self.opt_string(m, &p, "telefonnummer", Rule::Line),
                orientert: self.boolean(m, &p, "orientert"),
                orientert_grunn: self.opt_string(m, &p, "orientertGrunn", Rule::Line),
            });
        }
        let melding = match self.sub(root, "", "melding") {
            Some(m) => OffentligTekst {
                melding: self.string(m, "melding", "melding", Rule::Any),
                historie: self.string(m, "melding", "historie", Rule::Any),
                // Not in the v1 schema: a v1 body's andreSynspunkter is an unknown field.
                andre_synspunkter: if version >= 2 {
                    self.opt_string(m, "melding", "andreSynspunkter", Rule::Any)
                } else {
                    None
                },
            },
            None => OffentligTekst::default(),
        };
        Offentlig {
            kommunenummer,
            kommunenavn,
            bydelsnummer,
            bydelsnavn,
            offentlig_melder: melder,
            offentlig_barn: barn,
            foresatte,
            behov_for_tolk: self.opt_string(root, "", "behovForTolk", Rule::Any),
            andre_hjelpeinstanser: self.opt_string(root, "", "andreHjelpeinstanser", Rule::Any),
            melding,
            sendingstidspunkt: self.string(root, "", "sendingstidspunkt", Rule::Any),
            leveringskanal: self.string(root, "", "leveringskanal", Rule::Any),
        }
    }

    fn privat(&mut self, root: &Map<String, Value>) -> Privat {
        let kommunenummer = self.string(root, "", "kommunenummer", Rule::FourDigits);
        let kommunenavn = self.string(root, "", "kommunenavn", Rule::Any);
        let bydelsnummer = self.string(root, "", "bydelsnummer", Rule::TwoDigits);
        let bydelsnavn = self.string(root, "", "bydelsnavn", Rule::Any);
        let melder = match self.sub(root, "", "privatMelder") {
            Some(m) => {
                let p = "privatMelder";
                PrivatMelder {
                    personnavn: self.string(m, p, "personnavn", Rule::Any),
                    telefonnummer: self.opt_string(m, p, "telefonnummer", Rule::Phone),
                    adresse: self
                        .field(m, p, "adresse", false)
                        .map(|v| self.adresse(v, "privatMelder.adresse")),
                }
            }
            None => PrivatMelder::default(),
        };
        let mut barn = Vec::new();
        // The privat schemas say "minLength": 1 on this array, a keyword for strings that an
        // array ignores; the intent (as offentligBarn's minItems) is at least one child, and a
        // report about no child cannot open a case, so it is enforced.
        for (i, v) in self
            .array(root, "", "privatBarn", 1, None)
            .iter()
            .enumerate()
        {
            let p = format!("privatBarn[{i}]");
            let Some(m) = self.object(v, &p) else {
                continue;
            };
            barn.push(PrivatBarn {
                personnavn: self.string(m, &p, "personnavn", Rule::Any),
                antatt_alder: self.opt_string(m, &p, "antattAlder", Rule::Any),
                relasjon: self.opt_string(m, &p, "relasjon", Rule::Any),
                adresse: self.required_adresse(m, &p, "adresse"),
            });
        }
        Privat {
            kommunenummer,
            kommunenavn,
            bydelsnummer,
            bydelsnavn,
            privat_melder: melder,
            privat_barn: barn,
            melding: self.string(root, "", "melding", Rule::Any),
            sendingstidspunkt: self.string(root, "", "sendingstidspunkt", Rule::Any),
            leveringskanal: self.string(root, "", "leveringskanal", Rule::Any),
        }
    }

    /// Reads a whole body of `message_type`.
    pub(crate) fn body(&mut self, message_type: MessageType, root: &Value) -> Option<Body> {
        let m = self.object(root, "")?;
        Some(if message_type.is_public() {
            Body::Offentlig(Box::new(self.offentlig(m, message_type.version())))
        } else {
            Body::Privat(Box::new(self.privat(m)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_pattern() {
        for ok in ["99999999", "+47 999 99 999", "22-33-44", "0"] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "", "+", "++47", "99  99", "99-", " 99", "99 ", "9a", "+47-", "(47)",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn email_pattern() {
        for ok in [
            "lærer@skole.no",
            "a.b-c_d@e-f.g.com",
            "x@y.zz",
            "Øy@bø.kommune.no",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a@b",
            "a@b.c",
            "a@b.n0",
            "@b.no",
            "a@.no",
            "a..b@c.no",
            "a@b..no",
            "a@b@c.no",
            "a b@c.no",
            "a@b.nø",
            "a+b@c.no",
            "a@b_c.no",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn line_pattern_refuses_every_ecma_line_terminator() {
        assert!(Rule::Line.holds("Navn Navnesen\ttab"));
        for bad in ["a\nb", "a\rb", "a\u{2028}b", "a\u{2029}b"] {
            assert!(!Rule::Line.holds(bad));
        }
    }
}
