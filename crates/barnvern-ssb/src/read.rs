//! The streaming reader: an SSB file (schema v1, v3 or v4, and the dialect of SSB's own
//! samples) read one `Sak` at a time, so a file of any size is read in bounded memory.
//!
//! Document type declarations are refused outright, and so is any entity other than XML's five
//! predefined ones and character references: a billion-laughs or external-entity file is an
//! error, never expanded.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use barnvern_core::Finding;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, located, redact};
use crate::tree::Element;

/// Every element name of SSB's schemas (v1, v3, v4); anything else is an unknown element.
pub const KNOWN_ELEMENTS: &[&str] = &[
    "Barnevern",
    "Fagsystem",
    "Avgiver",
    "Sak",
    "Personalia",
    "Melding",
    "Melder",
    "Saksinnhold",
    "Konklusjon",
    "Undersokelse",
    "Vedtaksgrunnlag",
    "BarnetsMedvirkning",
    "StartDato",
    "MedvirkningType",
    "UtvidetFrist",
    "Plan",
    "Evaluering",
    "Tiltak",
    "Lovhjemmel",
    "JmfrLovhjemmel",
    "Lov",
    "Kapittel",
    "Paragraf",
    "Ledd",
    "Bokstav",
    "Punktum",
    "Kategori",
    "Tiltaksgrunnlag",
    "Tilsyn",
    "Ansvarlig",
    "Hyppighet",
    "Utfort",
    "Oppfolging",
    "Opphevelse",
    "Vedtak",
    "Krav",
    "Status",
    "Ettervern",
    "OversendelseFylkesnemnd",
    "Flytting",
    "ArsakFra",
    "FlyttingTil",
    "Relasjon",
    "Slettet",
];

/// Deepest nesting accepted (SSB's schemas nest five levels).
const MAX_DEPTH: usize = 32;

/// The file-level part of an SSB extract: `Barnevern` with its `Fagsystem` and `Avgiver`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// The file name findings are reported under.
    pub file: String,
    /// The extract's id (`Barnevern/@Id`).
    pub id: String,
    /// When the extract was made (`Barnevern/@DatoUttrekk`), as written.
    pub dato_uttrekk: String,
    /// The extract this one changes (`Barnevern/@ForrigeId`): a change extract.
    pub forrige_id: Option<String>,
    /// The case system (`Fagsystem`).
    pub fagsystem: Option<Element>,
    /// The reporting municipality (`Avgiver`).
    pub avgiver: Option<Element>,
}

/// One `Sak` as read, with its file header and the findings made while reading it.
#[derive(Debug, Clone)]
pub struct SakRecord {
    /// The file header.
    pub header: Arc<Header>,
    /// The `Sak` element.
    pub sak: Element,
    /// Findings made while reading (unknown elements, the samples' dialect).
    pub findings: Vec<Finding>,
}

/// Counts lines as the XML parser consumes bytes, so findings can name their line.
struct LineCounter<R> {
    inner: R,
    line: u64,
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.line += bytecount(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.line += bytecount(&buf[..n]);
        }
        self.inner.consume(amt);
    }
}

fn bytecount(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Prolog,
    InRoot,
    Done,
}

/// Reads an SSB file one `Sak` at a time: an iterator of `Result<SakRecord, Finding>`. A fatal
/// problem (malformed XML, a DTD, an entity) is one `Err` with its location, after which the
/// iterator ends.
pub struct SsbReader<R: BufRead> {
    reader: quick_xml::Reader<LineCounter<R>>,
    buf: Vec<u8>,
    header: Header,
    shared: Option<Arc<Header>>,
    state: State,
    pending: Vec<Finding>,
}

impl SsbReader<BufReader<File>> {
    /// Opens `path` for reading.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(SsbReader::new(
            BufReader::with_capacity(64 * 1024, file),
            &path.display().to_string(),
        ))
    }
}

impl<R: BufRead> SsbReader<R> {
    /// A reader over `input`; `file` is the name findings are reported under.
    pub fn new(input: R, file: &str) -> Self {
        let mut reader = quick_xml::Reader::from_reader(LineCounter {
            inner: input,
            line: 1,
        });
        reader.config_mut().trim_text(true);
        SsbReader {
            reader,
            buf: Vec::with_capacity(4096),
            header: Header {
                file: file.to_owned(),
                ..Header::default()
            },
            shared: None,
            state: State::Prolog,
            pending: Vec::new(),
        }
    }

    /// The file header, as far as it has been read.
    pub fn header(&self) -> &Header {
        &self.header
    }

    fn line(&self) -> u64 {
        self.reader.get_ref().line
    }

    fn fatal(&mut self, line: u64, path: &str, code: &str, message: String) -> Finding {
        self.state = State::Done;
        Finding::error(
            located(&self.header.file, line, path),
            code,
            redact(&message),
        )
    }

    fn xml_error(&mut self, line: u64, path: &str, err: &quick_xml::Error) -> Finding {
        let text = err.to_string();
        let code = if text.contains("entity") {
            "ssb.entity_refused"
        } else {
            "ssb.xml_malformed"
        };
        self.fatal(
            line,
            path,
            code,
            format!("the file is not well-formed XML: {text}"),
        )
    }

    fn next_sak(&mut self) -> Option<Result<SakRecord, Finding>> {
        loop {
            if self.state == State::Done {
                // Findings about elements after the last Sak are reported on their own.
                return (!self.pending.is_empty()).then(|| Err(self.pending.remove(0)));
            }
            let line = self.line();
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e.into_owned(),
                Err(err) => {
                    let path = if self.state == State::Prolog {
                        ""
                    } else {
                        "/Barnevern"
                    };
                    return Some(Err(self.xml_error(line, path, &err)));
                }
            };
            match (self.state, event) {
                (_, Event::DocType(_)) => {
                    return Some(Err(self.fatal(
                        line,
                        "",
                        "ssb.dtd_refused",
                        "the file has a document type declaration (DOCTYPE); SSB files have \
                         none, and entity definitions are refused rather than expanded"
                            .to_owned(),
                    )));
                }
                (_, Event::GeneralRef(r)) => {
                    let name = r.to_string();
                    return Some(Err(self.fatal(
                        line,
                        "/Barnevern",
                        "ssb.entity_refused",
                        format!("entity reference &{name}; is refused (no entities are expanded)"),
                    )));
                }
                (_, Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::Text(_)) => {}
                (State::Prolog, Event::Start(e)) if e.name().as_ref() == "Barnevern" => {
                    match attributes(&e) {
                        Ok(attrs) => self.root(attrs),
                        Err(msg) => {
                            return Some(Err(self.fatal(
                                line,
                                "/Barnevern",
                                "ssb.xml_malformed",
                                msg,
                            )));
                        }
                    }
                    self.state = State::InRoot;
                }
                (State::Prolog, Event::Start(e) | Event::Empty(e)) => {
                    let name = e.name().as_ref().to_owned();
                    return Some(Err(self.fatal(
                        line,
                        &format!("/{name}"),
                        "ssb.not_barnevern",
                        format!("the root element is {name}, not Barnevern: not an SSB file"),
                    )));
                }
                (State::InRoot, ev @ (Event::Start(_) | Event::Empty(_))) => {
                    let (start, empty) = match ev {
                        Event::Start(e) => (e, false),
                        Event::Empty(e) => (e, true),
                        _ => continue,
                    };
                    let element = match self.subtree(&start, empty, line) {
                        Ok(e) => e,
                        Err(finding) => return Some(Err(finding)),
                    };
                    match element.name.as_str() {
                        "Fagsystem" => self.header.fagsystem = Some(element),
                        "Avgiver" => self.header.avgiver = Some(element),
                        "Sak" => {
                            let header = match &self.shared {
                                Some(h) if **h == self.header => h.clone(),
                                _ => {
                                    let h = Arc::new(self.header.clone());
                                    self.shared = Some(h.clone());
                                    h
                                }
                            };
                            let findings = std::mem::take(&mut self.pending);
                            return Some(Ok(SakRecord {
                                header,
                                sak: element,
                                findings,
                            }));
                        }
                        other => self.pending.push(Finding::error(
                            located(&self.header.file, line, &format!("/Barnevern/{other}")),
                            "ssb.unknown_element",
                            format!(
                                "unknown element {other} under Barnevern (expected Fagsystem, \
                                 Avgiver or Sak); it is left out"
                            ),
                        )),
                    }
                }
                (State::InRoot, Event::End(_)) => self.state = State::Done,
                (_, Event::Eof) => {
                    let was = self.state;
                    self.state = State::Done;
                    if was == State::Prolog {
                        return Some(Err(Finding::error(
                            located(&self.header.file, line, ""),
                            "ssb.xml_malformed",
                            "the file holds no Barnevern element",
                        )));
                    }
                    return Some(Err(Finding::error(
                        located(&self.header.file, line, "/Barnevern"),
                        "ssb.xml_malformed",
                        "the file ends before Barnevern is closed",
                    )));
                }
                (_, Event::CData(_)) => {}
                (State::Prolog | State::Done, Event::End(_)) => {
                    return Some(Err(self.fatal(
                        line,
                        "",
                        "ssb.xml_malformed",
                        "an end tag without a start tag".to_owned(),
                    )));
                }
                (State::Done, _) => return None,
            }
        }
    }

    fn root(&mut self, attrs: Vec<(String, String)>) {
        for (k, v) in attrs {
            match k.as_str() {
                "Id" => self.header.id = v,
                "DatoUttrekk" => self.header.dato_uttrekk = v,
                "ForrigeId" => self.header.forrige_id = Some(v),
                _ => {}
            }
        }
    }

    /// Reads the element that `start` opens, with everything inside it.
    fn subtree(
        &mut self,
        start: &BytesStart<'_>,
        empty: bool,
        line: u64,
    ) -> Result<Element, Finding> {
        let mut stack: Vec<Element> = Vec::new();
        let mut path: Vec<String> = vec!["/Barnevern".to_owned()];
        let root = self.start_element(start, line, &path)?;
        if empty {
            return Ok(root);
        }
        path.push(root.name.clone());
        stack.push(root);
        loop {
            let line = self.line();
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e.into_owned(),
                Err(err) => return Err(self.xml_error(line, &path.join("/"), &err)),
            };
            match event {
                Event::Start(e) | Event::Empty(e) if stack.len() >= MAX_DEPTH => {
                    let _ = e;
                    return Err(self.fatal(
                        line,
                        &path.join("/"),
                        "ssb.xml_malformed",
                        format!("elements nest deeper than {MAX_DEPTH} levels"),
                    ));
                }
                Event::Start(e) => {
                    let el = self.start_element(&e, line, &path)?;
                    path.push(el.name.clone());
                    stack.push(el);
                }
                Event::Empty(e) => {
                    let el = self.start_element(&e, line, &path)?;
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(el);
                    }
                }
                Event::End(_) => {
                    path.pop();
                    let Some(done) = stack.pop() else {
                        return Err(self.fatal(
                            line,
                            &path.join("/"),
                            "ssb.xml_malformed",
                            "an end tag without a start tag".to_owned(),
                        ));
                    };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Event::Text(t) => {
                    let text = t.xml10_content().into_owned();
                    if let Some(el) = stack.last_mut() {
                        el.text.get_or_insert_with(String::new).push_str(&text);
                    }
                }
                Event::CData(t) => {
                    let text = t.as_ref().to_owned();
                    if let Some(el) = stack.last_mut() {
                        el.text.get_or_insert_with(String::new).push_str(&text);
                    }
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        _ => predefined(&r).map(str::to_owned),
                    };
                    match resolved {
                        Some(s) => {
                            if let Some(el) = stack.last_mut() {
                                el.text.get_or_insert_with(String::new).push_str(&s);
                            }
                        }
                        None => {
                            let name = r.to_string();
                            return Err(self.fatal(
                                line,
                                &path.join("/"),
                                "ssb.entity_refused",
                                format!(
                                    "entity reference &{name}; is refused (no entities are \
                                     expanded)"
                                ),
                            ));
                        }
                    }
                }
                Event::DocType(_) => {
                    return Err(self.fatal(
                        line,
                        &path.join("/"),
                        "ssb.dtd_refused",
                        "a document type declaration inside the document is refused".to_owned(),
                    ));
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
                Event::Eof => {
                    return Err(self.fatal(
                        line,
                        &path.join("/"),
                        "ssb.xml_malformed",
                        format!("the file ends inside {}", path.join("/")),
                    ));
                }
            }
        }
    }

    fn start_element(
        &mut self,
        e: &BytesStart<'_>,
        line: u64,
        path: &[String],
    ) -> Result<Element, Finding> {
        let name = e.name().as_ref().to_owned();
        let here = format!("{}/{name}", path.join("/"));
        let attrs = match attributes(e) {
            Ok(a) => a,
            Err(msg) => return Err(self.fatal(line, &here, "ssb.xml_malformed", msg)),
        };
        if !KNOWN_ELEMENTS.contains(&name.as_str()) {
            self.pending.push(Finding::error(
                located(&self.header.file, line, &here),
                "ssb.unknown_element",
                format!("unknown element {name}: not in SSB's schemas; it is left out"),
            ));
        }
        Ok(Element {
            name,
            attrs,
            children: Vec::new(),
            text: None,
            line,
        })
    }
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

fn attributes(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("malformed attribute: {err}"))?;
        let key = a.key.as_ref().to_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| format!("attribute {key}: {err} (no entities are expanded)"))?
            .into_owned();
        out.push((key, value));
    }
    Ok(out)
}

impl<R: BufRead> Iterator for SsbReader<R> {
    type Item = Result<SakRecord, Finding>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_sak()
    }
}
