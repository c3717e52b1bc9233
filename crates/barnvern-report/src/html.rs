//! The report as one self-contained HTML page: inline CSS, charts as inline SVG, the
//! deadline heat map as a shaded table, no script and no external asset. The page is the
//! askama template `templates/report.html`, so every text is escaped by construction (one
//! escaper, askama's); this module only lays the charts out (positions and sizes) from the
//! report's already suppressed figures. The markup is well-formed (every element closed), so
//! XML tools read it too.

use askama::Template;

use crate::error::Error;
use crate::model::{
    Cell, Chart, ConsortBox, ConsortDiagram, GroupedBars, HeatMap, LightCell, Report, StackedBars,
    Table,
};
use crate::suppress::{Count, Figure, ratio};

/// Width of a character of the charts' 12px text, an upper estimate (system-ui averages about
/// 6.5px; capitals and digits run wider), so that a box sized by it holds its label.
const CHAR_W: f64 = 7.5;

/// The estimated width of `text` at the charts' font size.
fn text_width(text: &str) -> f64 {
    CHAR_W * text.chars().count() as f64
}

/// A coordinate rounded to a tenth of a pixel, which prints short.
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A text of an SVG chart.
struct SvgText {
    x: f64,
    y: f64,
    /// `start`, `middle` or `end`.
    anchor: &'static str,
    bold: bool,
    small: bool,
    text: String,
}

/// A rectangle of an SVG chart, with a tooltip.
struct SvgRect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    fill: String,
    stroke: Option<&'static str>,
    tip: Option<String>,
}

/// A line of an SVG chart (an arrow when `arrow`).
struct SvgLine {
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
    stroke: &'static str,
    arrow: bool,
}

/// An SVG chart laid out: drawn lines first, then rectangles, then texts on top.
struct Svg {
    title: String,
    width: f64,
    height: f64,
    /// The id of the hatch pattern for withheld shares, when the chart has one.
    hatch: Option<String>,
    arrowhead: bool,
    lines: Vec<SvgLine>,
    rects: Vec<SvgRect>,
    texts: Vec<SvgText>,
}

impl Svg {
    fn new(title: &str) -> Svg {
        Svg {
            title: title.to_owned(),
            width: 0.0,
            height: 0.0,
            hatch: None,
            arrowhead: false,
            lines: Vec::new(),
            rects: Vec::new(),
            texts: Vec::new(),
        }
    }

    fn text(&mut self, x: f64, y: f64, anchor: &'static str, text: impl Into<String>) {
        self.texts.push(SvgText {
            x: r1(x),
            y: r1(y),
            anchor,
            bold: false,
            small: false,
            text: text.into(),
        });
    }

    fn rect(&mut self, (x, y, w, h): (f64, f64, f64, f64), fill: &str, tip: Option<String>) {
        self.rects.push(SvgRect {
            x: r1(x),
            y: r1(y),
            w: r1(w),
            h: r1(h),
            fill: fill.to_owned(),
            stroke: None,
            tip,
        });
    }

    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), arrow: bool) {
        self.lines.push(SvgLine {
            x1: r1(x1),
            y1: r1(y1),
            x2: r1(x2),
            y2: r1(y2),
            stroke: "#333",
            arrow,
        });
    }
}

/// A cell of the heat map.
struct HeatCell {
    background: String,
    color: &'static str,
    percent: String,
    counts: String,
    tip: String,
}

/// A row of the heat map.
struct HeatRow {
    label: String,
    cells: Vec<Option<HeatCell>>,
}

/// The heat map laid out.
struct Heat {
    id: String,
    title: String,
    note: String,
    row_header: String,
    columns: Vec<String>,
    rows: Vec<HeatRow>,
}

/// A chart as the template draws it.
enum ChartView {
    Svg(Svg),
    Heat(Heat),
}

/// A table cell as the template writes it.
struct CellView {
    text: String,
    is_text: bool,
    /// The light's CSS class, for a traffic light.
    light: Option<&'static str>,
}

/// A table as the template writes it.
struct TableView {
    id: String,
    title: String,
    columns: Vec<String>,
    rows: Vec<Vec<CellView>>,
    notes: Vec<String>,
}

/// A section as the template writes it.
struct SectionView {
    id: String,
    title: String,
    paragraphs: Vec<String>,
    charts: Vec<ChartView>,
    tables: Vec<TableView>,
}

/// The page.
#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    title: String,
    schema_version: String,
    dataset_producer: String,
    created_at: String,
    cases: String,
    demo_key: bool,
    as_of: Option<String>,
    producer: String,
    rule: String,
    sections: Vec<SectionView>,
}

fn cell(c: &Cell) -> CellView {
    CellView {
        text: c.display(),
        is_text: matches!(c, Cell::Text(_)),
        light: match c {
            Cell::Light(l) => Some(match l {
                LightCell::Green => "green",
                LightCell::Amber => "amber",
                LightCell::Red => "red",
                LightCell::NotAvailable => "na",
                LightCell::Suppressed => "withheld",
            }),
            _ => None,
        },
    }
}

fn table(t: &Table) -> TableView {
    TableView {
        id: t.id.clone(),
        title: t.title.clone(),
        columns: t.columns.iter().map(|c| c.label.clone()).collect(),
        rows: t
            .rows
            .iter()
            .map(|row| row.iter().map(cell).collect())
            .collect(),
        notes: t.notes.clone(),
    }
}

const PART_COLOURS: [&str; 6] = [
    "#2e7d32", "#81c784", "#ef6c00", "#c62828", "#90a4ae", "#5c6bc0",
];

/// Horizontal stacked bars. The label column is as wide as the longest label (labels are
/// right-aligned against the bars, so a fixed column clipped long ones on the left), and
/// the picture as wide as its legend.
fn stacked(chart: &StackedBars, n: usize) -> Svg {
    let (bar_w, row_h, legend_h) = (520.0, 24.0, 24.0);
    let longest = chart
        .rows
        .iter()
        .map(|(label, _, _)| text_width(label))
        .fold(0.0, f64::max);
    let label_w = (longest + 12.0).max(40.0);
    let pattern = format!("hatch{n}");
    let mut svg = Svg::new(&chart.title);
    svg.hatch = Some(pattern.clone());
    // Legend.
    let mut x = label_w;
    for (i, part) in chart.parts.iter().enumerate() {
        let colour = PART_COLOURS.get(i).copied().unwrap_or("#777");
        svg.rect((x, 4.0, 12.0, 12.0), colour, None);
        svg.text(x + 16.0, 14.0, "start", part.clone());
        x += 16.0 + text_width(part) + 14.0;
    }
    svg.rects.push(SvgRect {
        x: r1(x),
        y: 4.0,
        w: 12.0,
        h: 12.0,
        fill: format!("url(#{pattern})"),
        stroke: Some("#999"),
        tip: None,
    });
    svg.text(x + 16.0, 14.0, "start", "withheld");
    let legend_end = x + 16.0 + text_width("withheld");
    for (r, (label, parts, total)) in chart.rows.iter().enumerate() {
        let y = legend_h + row_h * r as f64;
        svg.text(label_w - 6.0, y + 15.0, "end", label.clone());
        let Count::Shown(total) = *total else {
            svg.text(label_w, y + 15.0, "start", "total withheld");
            continue;
        };
        if total == 0 {
            svg.text(label_w, y + 15.0, "start", "none");
            continue;
        }
        let mut x = label_w;
        let mut shown = 0;
        for (i, c) in parts.iter().enumerate() {
            let Count::Shown(v) = *c else { continue };
            shown += v;
            let w = bar_w * ratio(v as f64, total);
            let colour = PART_COLOURS.get(i).copied().unwrap_or("#777");
            let name = chart.parts.get(i).map_or("", String::as_str);
            svg.rect(
                (x, y + 3.0, w, row_h - 6.0),
                colour,
                Some(format!("{name}: {v} of {total}")),
            );
            x += w;
        }
        // Withheld parts together: the total minus the shown parts, which the table gives too.
        let rest = total.saturating_sub(shown);
        if rest > 0 {
            let w = bar_w * ratio(rest as f64, total);
            svg.rects.push(SvgRect {
                x: r1(x),
                y: r1(y + 3.0),
                w: r1(w),
                h: r1(row_h - 6.0),
                fill: format!("url(#{pattern})"),
                stroke: Some("#999"),
                tip: Some("withheld".to_owned()),
            });
        }
    }
    svg.width = r1((label_w + bar_w + 20.0).max(legend_end + 10.0));
    svg.height = r1(legend_h + row_h * chart.rows.len() as f64 + 10.0);
    svg
}

/// Bars of proportions in groups; each group as wide as its bars and its label.
fn grouped(chart: &GroupedBars) -> Svg {
    let (left, top, plot_h, bar_w, gap) = (44.0, 24.0, 180.0, 34.0, 26.0);
    let series = chart.series.len().max(1) as f64;
    let group_w = chart
        .groups
        .iter()
        .map(|(label, _)| text_width(label) + 10.0)
        .fold((bar_w * series + gap).max(110.0), f64::max);
    let mut svg = Svg::new(&chart.title);
    let mut x = left;
    for (i, s) in chart.series.iter().enumerate() {
        let colour = PART_COLOURS.get(i * 2).copied().unwrap_or("#777");
        svg.rect((x, 4.0, 12.0, 12.0), colour, None);
        svg.text(x + 16.0, 14.0, "start", s.clone());
        x += 16.0 + text_width(s) + 18.0;
    }
    let width = (left + group_w * chart.groups.len() as f64 + 20.0).max(x + 10.0);
    for tick in [0, 25, 50, 75, 100] {
        let y = top + plot_h * (1.0 - f64::from(tick) / 100.0);
        svg.lines.push(SvgLine {
            x1: left,
            y1: r1(y),
            x2: r1(width - 10.0),
            y2: r1(y),
            stroke: "#ddd",
            arrow: false,
        });
        svg.text(left - 4.0, y + 4.0, "end", format!("{tick}%"));
    }
    for (g, (label, fractions)) in chart.groups.iter().enumerate() {
        let gx = left + gap / 2.0 + group_w * g as f64;
        for (i, f) in fractions.iter().enumerate() {
            let x = gx + bar_w * i as f64;
            let colour = PART_COLOURS.get(i * 2).copied().unwrap_or("#777");
            let centre = x + bar_w / 2.0 - 2.0;
            match f.value {
                Figure::Shown(v) => {
                    let h = plot_h * v.clamp(0.0, 1.0);
                    svg.rect(
                        (x, top + plot_h - h, bar_w - 4.0, h),
                        colour,
                        Some(f.to_string()),
                    );
                    svg.text(
                        centre,
                        top + plot_h - h - 3.0,
                        "middle",
                        format!("{:.0}%", v * 100.0),
                    );
                }
                other => svg.text(centre, top + plot_h - 3.0, "middle", other.format(0)),
            }
            svg.text(
                centre,
                top + plot_h + 14.0,
                "middle",
                format!("{}/{}", f.numerator, f.denominator),
            );
            if let Some(t) = svg.texts.last_mut() {
                t.small = true;
            }
        }
        svg.text(
            gx + bar_w * series / 2.0,
            top + plot_h + 32.0,
            "middle",
            label.clone(),
        );
    }
    svg.width = r1(width);
    svg.height = r1(top + plot_h + 60.0);
    svg
}

const LINE_H: f64 = 15.0;

fn box_height(b: &ConsortBox) -> f64 {
    LINE_H * b.lines.len() as f64 + 10.0
}

/// The width a box needs for its longest line.
fn box_width(b: &ConsortBox) -> f64 {
    b.lines.iter().map(|l| text_width(l)).fold(0.0, f64::max) + 16.0
}

fn draw_box(svg: &mut Svg, b: &ConsortBox, x: f64, y: f64, w: f64) -> f64 {
    let h = box_height(b);
    svg.rects.push(SvgRect {
        x: r1(x),
        y: r1(y),
        w: r1(w),
        h: r1(h),
        fill: "#fff".to_owned(),
        stroke: Some("#333"),
        tip: None,
    });
    for (i, line) in b.lines.iter().enumerate() {
        svg.text(
            x + 8.0,
            y + 4.0 + LINE_H * (i as f64 + 1.0) - 3.0,
            "start",
            line.clone(),
        );
        if i == 0
            && let Some(t) = svg.texts.last_mut()
        {
            t.bold = true;
        }
    }
    h
}

/// The CONSORT diagram; boxes as wide as their longest line (at least the classic layout's).
fn consort(d: &ConsortDiagram) -> Svg {
    let main_x = 250.0;
    let main_w = box_width(&d.assessed)
        .max(box_width(&d.randomised))
        .max(300.0);
    let side_x = main_x + main_w + 50.0;
    let side_w = box_width(&d.excluded).max(390.0);
    let col_w = d
        .arms
        .iter()
        .flatten()
        .map(|b| box_width(b) + 20.0)
        .fold(495.0, f64::max);
    let gap = 34.0;
    let mut svg = Svg::new("CONSORT flow diagram");
    svg.arrowhead = true;
    let top_h = box_height(&d.assessed);
    let excl_h = box_height(&d.excluded);
    let rand_h = box_height(&d.randomised);
    let rand_y = 10.0 + top_h + gap + excl_h.max(20.0) + gap;
    let arms_y = rand_y + rand_h + gap + 10.0;
    let mut arms_h: f64 = 0.0;
    for arm in &d.arms {
        let h: f64 = arm.iter().map(|b| box_height(b) + gap).sum();
        arms_h = arms_h.max(h);
    }
    let h = draw_box(&mut svg, &d.assessed, main_x, 10.0, main_w);
    let mid = main_x + main_w / 2.0;
    let excl_y = 10.0 + h + gap;
    draw_box(&mut svg, &d.excluded, side_x, excl_y, side_w);
    let branch_y = excl_y + excl_h / 2.0;
    svg.line((mid, 10.0 + h), (mid, branch_y), false);
    svg.line((mid, branch_y), (side_x, branch_y), true);
    svg.line((mid, branch_y), (mid, rand_y), true);
    draw_box(&mut svg, &d.randomised, main_x, rand_y, main_w);
    // Split to the arms.
    let split_y = rand_y + rand_h + gap / 2.0;
    svg.line((mid, rand_y + rand_h), (mid, split_y), false);
    let centres: Vec<f64> = (0..d.arms.len())
        .map(|i| 10.0 + col_w * i as f64 + (col_w - 20.0) / 2.0)
        .collect();
    if let (Some(first), Some(last)) = (centres.first(), centres.last()) {
        svg.line((*first, split_y), (*last, split_y), false);
    }
    for (i, arm) in d.arms.iter().enumerate() {
        let x = 10.0 + col_w * i as f64;
        let cx = centres.get(i).copied().unwrap_or(x);
        let mut y = arms_y;
        svg.line((cx, split_y), (cx, y), true);
        for (k, b) in arm.iter().enumerate() {
            if k > 0 {
                svg.line((cx, y - gap), (cx, y), true);
            }
            let h = draw_box(&mut svg, b, x, y, col_w - 20.0);
            y += h + gap;
        }
    }
    let width = (side_x + side_w + 10.0)
        .max(10.0 + col_w * d.arms.len() as f64)
        .max(1000.0);
    svg.width = r1(width);
    svg.height = r1(arms_y + arms_h + 10.0);
    svg
}

/// The shade of a share on time: white to dark blue (one hue, so it reads in grey too), with
/// the text colour that stays legible on it.
fn shade(v: f64) -> (String, &'static str) {
    let v = v.clamp(0.0, 1.0);
    let (from, to) = ((0xf7, 0xfb, 0xff), (0x08, 0x45, 0x94));
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * v).round() as u8;
    let colour = format!(
        "#{:02x}{:02x}{:02x}",
        mix(from.0, to.0),
        mix(from.1, to.1),
        mix(from.2, to.2)
    );
    (colour, if v > 0.55 { "#fff" } else { "#222" })
}

fn heat_map(h: &HeatMap, n: usize) -> Heat {
    Heat {
        id: format!("heatmap{n}"),
        title: h.title.clone(),
        note: h.note.clone(),
        row_header: h.row_header.clone(),
        columns: h.columns.clone(),
        rows: h
            .rows
            .iter()
            .map(|(label, cells)| HeatRow {
                label: label.clone(),
                cells: cells
                    .iter()
                    .zip(&h.columns)
                    .map(|(c, column)| {
                        c.as_ref().map(|f| {
                            let (background, color) = match f.value {
                                Figure::Shown(v) => shade(v),
                                // Withheld or no denominator: no shade to read a value from.
                                _ => ("#eeeeee".to_owned(), "#222"),
                            };
                            HeatCell {
                                background,
                                color,
                                percent: f.value.percent(),
                                counts: format!("{} / {}", f.numerator, f.denominator),
                                tip: format!("{label}, {column}: {f}"),
                            }
                        })
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Renders the report as one self-contained HTML page.
pub fn to_html(report: &Report) -> Result<String, Error> {
    let d = &report.dataset;
    let mut n = 0;
    let sections = report
        .sections
        .iter()
        .map(|s| SectionView {
            id: s.id.clone(),
            title: s.title.clone(),
            paragraphs: s.paragraphs.clone(),
            charts: s
                .charts
                .iter()
                .map(|c| {
                    n += 1;
                    match c {
                        Chart::Stacked(b) => ChartView::Svg(stacked(b, n)),
                        Chart::Grouped(g) => ChartView::Svg(grouped(g)),
                        Chart::Consort(d) => ChartView::Svg(consort(d)),
                        Chart::HeatMap(h) => ChartView::Heat(heat_map(h, n)),
                    }
                })
                .collect(),
            tables: s.tables.iter().map(table).collect(),
        })
        .collect();
    let page = Page {
        title: report.title.clone(),
        schema_version: d.schema_version.clone(),
        dataset_producer: d.producer.clone(),
        created_at: d.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        cases: d.cases.to_string(),
        demo_key: d.demo_key,
        as_of: d.as_of.map(|a| a.to_string()),
        producer: report.producer.clone(),
        rule: report.suppression.rule.clone(),
        sections,
    };
    Ok(page.render()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::{DatasetSummary, Section, SuppressionSummary};

    fn report(sections: Vec<Section>) -> Report {
        Report {
            title: "T <&> \"q\" 'a'".to_owned(),
            producer: "barnvern test".to_owned(),
            dataset: DatasetSummary {
                schema_version: "1".to_owned(),
                producer: "p".to_owned(),
                created_at: chrono::DateTime::UNIX_EPOCH,
                cases: Count::Shown(7),
                demo_key: false,
                as_of: None,
                code_lists: Default::default(),
            },
            suppression: SuppressionSummary {
                threshold: 5,
                rule: "rule".to_owned(),
            },
            sections,
        }
    }

    #[test]
    fn every_text_is_escaped() {
        let html = to_html(&report(vec![Section {
            id: "s".to_owned(),
            title: "<script>alert(1)</script>".to_owned(),
            paragraphs: vec!["a & b < c".to_owned()],
            tables: Vec::new(),
            charts: vec![Chart::Stacked(StackedBars {
                title: "bars".to_owned(),
                parts: vec!["<b>".to_owned()],
                rows: vec![("x<y".to_owned(), vec![Count::Shown(1)], Count::Shown(1))],
            })],
        }]))
        .unwrap();
        // askama's escaper writes numeric references: `&#60;` for `<`, `&#38;` for `&`.
        assert!(!html.contains("<script>"));
        assert!(html.contains("&#60;script&#62;alert(1)&#60;"));
        assert!(html.contains("a &#38; b &#60; c"));
        assert!(html.contains("x&#60;y"));
        assert!(html.contains("&#60;b&#62;"));
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn a_long_label_widens_the_label_column_instead_of_being_clipped() {
        let label = "SE 2020 protection assessment".to_owned();
        let svg = stacked(
            &StackedBars {
                title: "t".to_owned(),
                parts: vec!["met".to_owned()],
                rows: vec![(label.clone(), vec![Count::Shown(10)], Count::Shown(10))],
            },
            1,
        );
        let text = svg.texts.iter().find(|t| t.text == label).unwrap();
        // Right-aligned at x: it starts at x minus its width, which must not be left of 0.
        assert!(text.x - text_width(&label) >= 0.0, "starts at {}", text.x);
        let bar = svg.rects.iter().find(|r| r.tip.is_some()).unwrap();
        assert!(bar.x > text.x);
    }

    #[test]
    fn heat_cells_show_the_published_figures() {
        let f = crate::suppress::Fraction {
            numerator: Count::Shown(3),
            numerator_label: "on time".to_owned(),
            denominator: Count::Shown(4),
            denominator_label: "due".to_owned(),
            value: Figure::Shown(0.75),
        };
        let heat = heat_map(
            &HeatMap {
                title: "h".to_owned(),
                note: String::new(),
                row_header: "r".to_owned(),
                columns: vec!["a".to_owned(), "b".to_owned()],
                rows: vec![("SE 2020".to_owned(), vec![Some(f), None])],
            },
            1,
        );
        let cell = heat.rows[0].cells[0].as_ref().unwrap();
        assert_eq!(cell.percent, "75.0%");
        assert_eq!(cell.counts, "3 / 4");
        assert!(heat.rows[0].cells[1].is_none());
        // Darker for higher shares.
        assert!(shade(0.9).0 < shade(0.1).0);
    }
}
