//! The report as one self-contained HTML page: inline CSS, charts as inline SVG drawn here, no
//! script and no external asset. The markup is well-formed (every element closed), so XML
//! tools read it too.

use std::fmt::Write;

use crate::model::{
    Cell, Chart, ConsortBox, ConsortDiagram, GroupedBars, LightCell, Report, StackedBars, Table,
};
use crate::suppress::{Count, Figure, ratio};

/// Escapes text for HTML and SVG.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1200px;\
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}\
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}\
caption{text-align:left;font-weight:600;padding:.3em 0}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right;vertical-align:top}\
th{background:#f2f2f2}td.text{text-align:left}\
.note{color:#555;font-size:.9em}.rule{background:#fff8e1;border-left:4px solid #f9a825;padding:.5em 1em}\
.light{display:inline-block;width:.9em;height:.9em;border-radius:50%;margin-right:.3em;vertical-align:middle;border:1px solid #555}\
.green{background:#2e7d32}.amber{background:#f9a825}.red{background:#c62828}.na{background:#eee}\
.withheld{background:repeating-linear-gradient(45deg,#bbb,#bbb 2px,#fff 2px,#fff 4px)}\
figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}svg text{font-size:12px;fill:#222}";

fn cell(out: &mut String, c: &Cell) {
    let class = if matches!(c, Cell::Text(_)) {
        " class=\"text\""
    } else {
        ""
    };
    match c {
        Cell::Light(l) => {
            let css = match l {
                LightCell::Green => "green",
                LightCell::Amber => "amber",
                LightCell::Red => "red",
                LightCell::NotAvailable => "na",
                LightCell::Suppressed => "withheld",
            };
            let _ = write!(
                out,
                "<td class=\"text\"><span class=\"light {css}\"></span>{}</td>",
                esc(l.as_str())
            );
        }
        _ => {
            let _ = write!(out, "<td{class}>{}</td>", esc(&c.display()));
        }
    }
}

fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<table id=\"{}\"><caption>{}</caption><thead><tr>",
        esc(&t.id),
        esc(&t.title)
    );
    for c in &t.columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(&c.label));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            cell(out, c);
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    for n in &t.notes {
        let _ = write!(out, "<p class=\"note\">{}</p>", esc(n));
    }
}

const PART_COLOURS: [&str; 6] = [
    "#2e7d32", "#81c784", "#ef6c00", "#c62828", "#90a4ae", "#5c6bc0",
];

/// A hatched pattern for withheld shares, defined once per chart.
fn hatch(out: &mut String, id: &str) {
    let _ = write!(
        out,
        "<defs><pattern id=\"{id}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>\
         <rect width=\"3\" height=\"6\" fill=\"#bbb\"/></pattern></defs>"
    );
}

fn stacked(out: &mut String, chart: &StackedBars, n: usize) {
    let (label_w, bar_w, row_h) = (170.0, 520.0, 24.0);
    let legend_h = 24.0;
    let height = legend_h + row_h * chart.rows.len() as f64 + 10.0;
    let width = label_w + bar_w + 20.0;
    let pattern = format!("hatch{n}");
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption><svg width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        esc(&chart.title),
        esc(&chart.title)
    );
    hatch(out, &pattern);
    // Legend.
    let mut x = label_w;
    for (i, part) in chart.parts.iter().enumerate() {
        let colour = PART_COLOURS.get(i).copied().unwrap_or("#777");
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"14\">{}</text>",
            x + 16.0,
            esc(part)
        );
        x += 16.0 + 7.0 * part.len() as f64 + 14.0;
    }
    let _ = write!(
        out,
        "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"url(#{pattern})\" \
         stroke=\"#999\"/><text x=\"{}\" y=\"14\">withheld</text>",
        x + 16.0
    );
    for (r, (label, parts, total)) in chart.rows.iter().enumerate() {
        let y = legend_h + row_h * r as f64;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + 15.0,
            esc(label)
        );
        let Count::Shown(total) = *total else {
            let _ = write!(
                out,
                "<text x=\"{label_w}\" y=\"{}\">total withheld</text>",
                y + 15.0
            );
            continue;
        };
        if total == 0 {
            let _ = write!(out, "<text x=\"{label_w}\" y=\"{}\">none</text>", y + 15.0);
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
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\">\
                 <title>{}: {v} of {total}</title></rect>",
                y + 3.0,
                row_h - 6.0,
                esc(name)
            );
            x += w;
        }
        // Withheld parts together: the total minus the shown parts, which the table gives too.
        let rest = total.saturating_sub(shown);
        if rest > 0 {
            let w = bar_w * ratio(rest as f64, total);
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" \
                 fill=\"url(#{pattern})\" stroke=\"#999\"><title>withheld</title></rect>",
                y + 3.0,
                row_h - 6.0
            );
        }
    }
    out.push_str("</svg></figure>");
}

fn grouped(out: &mut String, chart: &GroupedBars) {
    let (left, top, plot_h, bar_w, gap) = (44.0, 24.0, 180.0, 34.0, 26.0);
    let series = chart.series.len().max(1) as f64;
    // Wide enough for a label of a dozen characters under each group.
    let group_w = (bar_w * series + gap).max(110.0);
    let width = left + group_w * chart.groups.len() as f64 + 20.0;
    let height = top + plot_h + 60.0;
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption><svg width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        esc(&chart.title),
        esc(&chart.title)
    );
    for (i, s) in chart.series.iter().enumerate() {
        let x = left + 130.0 * i as f64;
        let colour = PART_COLOURS.get(i * 2).copied().unwrap_or("#777");
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"14\">{}</text>",
            x + 16.0,
            esc(s)
        );
    }
    for tick in [0, 25, 50, 75, 100] {
        let y = top + plot_h * (1.0 - f64::from(tick) / 100.0);
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{tick}%</text>",
            width - 10.0,
            left - 4.0,
            y + 4.0
        );
    }
    for (g, (label, fractions)) in chart.groups.iter().enumerate() {
        let gx = left + gap / 2.0 + group_w * g as f64;
        for (i, f) in fractions.iter().enumerate() {
            let x = gx + bar_w * i as f64;
            let colour = PART_COLOURS.get(i * 2).copied().unwrap_or("#777");
            match f.value {
                Figure::Shown(v) => {
                    let h = plot_h * v.clamp(0.0, 1.0);
                    let _ = write!(
                        out,
                        "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{}\" height=\"{h:.1}\" \
                         fill=\"{colour}\"><title>{}</title></rect>\
                         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.0}%</text>",
                        top + plot_h - h,
                        bar_w - 4.0,
                        esc(&f.to_string()),
                        x + bar_w / 2.0 - 2.0,
                        top + plot_h - h - 3.0,
                        v * 100.0
                    );
                }
                other => {
                    let _ = write!(
                        out,
                        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                        x + bar_w / 2.0 - 2.0,
                        top + plot_h - 3.0,
                        esc(&other.format(0))
                    );
                }
            }
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}/{}</text>",
                x + bar_w / 2.0 - 2.0,
                top + plot_h + 14.0,
                esc(&f.numerator.to_string()),
                esc(&f.denominator.to_string())
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            gx + bar_w * series / 2.0,
            top + plot_h + 32.0,
            esc(label)
        );
    }
    out.push_str("</svg></figure>");
}

const LINE_H: f64 = 15.0;

fn box_height(b: &ConsortBox) -> f64 {
    LINE_H * b.lines.len() as f64 + 10.0
}

fn draw_box(out: &mut String, b: &ConsortBox, x: f64, y: f64, w: f64) -> f64 {
    let h = box_height(b);
    let _ = write!(
        out,
        "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"#fff\" stroke=\"#333\"/>"
    );
    for (i, line) in b.lines.iter().enumerate() {
        let weight = if i == 0 { " font-weight=\"600\"" } else { "" };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\"{weight}>{}</text>",
            x + 8.0,
            y + 4.0 + LINE_H * (i as f64 + 1.0) - 3.0,
            esc(line)
        );
    }
    h
}

fn arrow(out: &mut String, x1: f64, y1: f64, x2: f64, y2: f64) {
    let _ = write!(
        out,
        "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#333\" \
         marker-end=\"url(#arrowhead)\"/>"
    );
}

fn consort(out: &mut String, d: &ConsortDiagram) {
    // Wide enough for a follow-up line of five counts at 12px (about 6.5px a character).
    let width = 1000.0;
    let (main_x, main_w) = (250.0, 300.0);
    let (side_x, side_w) = (600.0, 390.0);
    let col_w = 495.0;
    let gap = 34.0;
    // Heights first, to size the picture.
    let top_h = box_height(&d.assessed).max(0.0);
    let excl_h = box_height(&d.excluded);
    let rand_h = box_height(&d.randomised);
    let rand_y = 10.0 + top_h + gap + excl_h.max(20.0) + gap;
    let arms_y = rand_y + rand_h + gap + 10.0;
    let mut arms_h: f64 = 0.0;
    for arm in &d.arms {
        let h: f64 = arm.iter().map(|b| box_height(b) + gap).sum();
        arms_h = arms_h.max(h);
    }
    let height = arms_y + arms_h + 10.0;
    let _ = write!(
        out,
        "<figure><figcaption>CONSORT flow diagram</figcaption><svg width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"CONSORT flow diagram\"><defs><marker id=\"arrowhead\" markerWidth=\"8\" \
         markerHeight=\"8\" refX=\"7\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" \
         fill=\"#333\"/></marker></defs>"
    );
    let h = draw_box(out, &d.assessed, main_x, 10.0, main_w);
    let mid = main_x + main_w / 2.0;
    let excl_y = 10.0 + h + gap;
    draw_box(out, &d.excluded, side_x, excl_y, side_w);
    let branch_y = excl_y + excl_h / 2.0;
    let _ = write!(
        out,
        "<line x1=\"{mid}\" y1=\"{}\" x2=\"{mid}\" y2=\"{branch_y}\" stroke=\"#333\"/>",
        10.0 + h
    );
    arrow(out, mid, branch_y, side_x, branch_y);
    arrow(out, mid, branch_y, mid, rand_y);
    draw_box(out, &d.randomised, main_x, rand_y, main_w);
    // Split to the arms.
    let split_y = rand_y + rand_h + gap / 2.0;
    let _ = write!(
        out,
        "<line x1=\"{mid}\" y1=\"{}\" x2=\"{mid}\" y2=\"{split_y}\" stroke=\"#333\"/>",
        rand_y + rand_h
    );
    let centres: Vec<f64> = (0..d.arms.len())
        .map(|i| 10.0 + col_w * i as f64 + (col_w - 20.0) / 2.0)
        .collect();
    if let (Some(first), Some(last)) = (centres.first(), centres.last()) {
        let _ = write!(
            out,
            "<line x1=\"{first}\" y1=\"{split_y}\" x2=\"{last}\" y2=\"{split_y}\" stroke=\"#333\"/>"
        );
    }
    for (i, arm) in d.arms.iter().enumerate() {
        let x = 10.0 + col_w * i as f64;
        let cx = centres.get(i).copied().unwrap_or(x);
        let mut y = arms_y;
        arrow(out, cx, split_y, cx, y);
        for (k, b) in arm.iter().enumerate() {
            if k > 0 {
                arrow(out, cx, y - gap, cx, y);
            }
            let h = draw_box(out, b, x, y, col_w - 20.0);
            y += h + gap;
        }
    }
    out.push_str("</svg></figure>");
}

/// Renders the report as one self-contained HTML page.
pub fn to_html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1>",
        esc(&report.title),
        esc(&report.title)
    );
    let d = &report.dataset;
    let _ = write!(
        out,
        "<p>Dataset: research schema {}, written by {} at {}; {} cases.{}{}</p><p>Report by {}.</p>",
        esc(&d.schema_version),
        esc(&d.producer),
        esc(&d.created_at.format("%Y-%m-%d %H:%M UTC").to_string()),
        esc(&d.cases.to_string()),
        if d.demo_key {
            " Pseudonyms were made with a one-off demo key."
        } else {
            ""
        },
        d.as_of
            .map(|a| format!(" Figures as of {a}."))
            .unwrap_or_default(),
        esc(&report.producer)
    );
    let _ = write!(
        out,
        "<p class=\"rule\">{}</p>",
        esc(&report.suppression.rule)
    );
    out.push_str("<nav><ul>");
    for s in &report.sections {
        let _ = write!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            esc(&s.id),
            esc(&s.title)
        );
    }
    out.push_str("</ul></nav>");
    let mut n = 0;
    for s in &report.sections {
        let _ = write!(
            out,
            "<section id=\"{}\"><h2>{}</h2>",
            esc(&s.id),
            esc(&s.title)
        );
        for p in &s.paragraphs {
            let _ = write!(out, "<p>{}</p>", esc(p));
        }
        for c in &s.charts {
            n += 1;
            match c {
                Chart::Stacked(b) => stacked(&mut out, b, n),
                Chart::Grouped(g) => grouped(&mut out, g),
                Chart::Consort(d) => consort(&mut out, d),
            }
        }
        for t in &s.tables {
            table(&mut out, t);
        }
        out.push_str("</section>");
    }
    out.push_str("</body></html>\n");
    out
}
