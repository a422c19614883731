//! The HTML dashboard: one self-contained file (inline CSS and SVG, nothing fetched, no script),
//! French labels and numbers, readable printed on A4.

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::format;

/// Everything the dashboard shows, already computed.
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// Report date, as shown (`31/12/2025`).
    pub au: String,
    /// Connection state: label and value lines.
    pub connection: Vec<(String, String)>,
    /// KPIs of the month and of the year.
    pub kpis: Vec<KpiLine>,
    /// Evolution of the year, month by month.
    pub months: Vec<MonthPoint>,
    /// Reste dû per ageing bucket, labelled.
    pub ageing: Vec<(String, Decimal)>,
    /// Cash-in expected week by week (`tresorerie`'s weeks), labelled.
    pub forecast: Vec<(String, Decimal)>,
    pub late: Vec<LateInvoice>,
    pub late_count: u64,
    pub late_total: Decimal,
    /// Open credit notes, apart from the late invoices: count and Σ reste dû (negative).
    pub avoirs_count: u64,
    pub avoirs_total: Decimal,
    pub families: Vec<FamilyPoint>,
    /// Latest syncs; `None` when the JLM store could not be read.
    pub syncs: Option<Vec<SyncLine>>,
}

/// One sync of the JLM store, as data: the renderers format it.
#[derive(Debug, Clone, Default)]
pub struct SyncLine {
    pub numero_devis: String,
    /// The JLM offer: id, and reference when known.
    pub offre: Option<String>,
    pub montant: Option<Decimal>,
    pub sync_status: String,
    /// Local time.
    pub last_sync_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default)]
pub struct KpiLine {
    pub label: String,
    pub nombre_devis: u64,
    pub ca_prevu: Decimal,
    pub ca_facture: Decimal,
    pub ca_realise: Decimal,
    pub taux_conversion: Option<Decimal>,
    pub marge_prevue: Option<Decimal>,
    pub marge_reelle: Option<Decimal>,
}

#[derive(Debug, Clone, Default)]
pub struct MonthPoint {
    /// Short label (`janv.`).
    pub label: String,
    pub ca_prevu: Decimal,
    pub ca_facture: Decimal,
    pub ca_realise: Decimal,
    pub marge_prevue: Option<Decimal>,
    pub marge_reelle: Option<Decimal>,
}

#[derive(Debug, Clone, Default)]
pub struct LateInvoice {
    pub numero: String,
    pub client: String,
    pub echeance: NaiveDate,
    pub jours: u32,
    pub reste_du: Decimal,
}

#[derive(Debug, Clone, Default)]
pub struct FamilyPoint {
    pub code: String,
    pub libelle: String,
    pub moyenne: Decimal,
    pub cible: Option<Decimal>,
    pub sous_cible: bool,
}

const STYLE: &str = "
@page { size: A4; margin: 12mm; }
body { font-family: 'Segoe UI', Arial, sans-serif; color: #1f2933; margin: 24px auto; max-width: 1000px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 2px solid #d9e2ec; }
.sub { color: #52606d; margin: 0 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e7eb; text-align: left; }
td.n, th.n { text-align: right; white-space: nowrap; }
.late { color: #b42318; } .alert { color: #b42318; font-weight: 600; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
section { break-inside: avoid; page-break-inside: avoid; }
svg { width: 100%; height: auto; } svg text { font-size: 11px; fill: #334e68; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
@media print { body { margin: 0; max-width: none; } .grid { grid-template-columns: 1fr 1fr; } }
";

const PREVU: &str = "#9fb3c8";
const FACTURE: &str = "#2680c2";
const REALISE: &str = "#2f8132";
const REELLE: &str = "#d64545";

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
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

fn opt_percent(value: Option<Decimal>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format::percent(v, 2))
}

fn number(value: Decimal) -> f64 {
    value.to_f64().unwrap_or_default()
}

/// Writes the whole document.
pub fn write(out: &mut dyn Write, dashboard: &Dashboard) -> io::Result<()> {
    let mut html = String::with_capacity(32 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <title>Tableau de bord Batigest au {au}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Tableau de bord Batigest</h1>\n<p class=\"sub\">Au {au}</p>\n",
        au = esc(&dashboard.au)
    );
    connection(&mut html, dashboard);
    kpis(&mut html, dashboard);
    html.push_str("<div class=\"grid\">\n");
    revenue_chart(&mut html, &dashboard.months);
    margin_chart(&mut html, &dashboard.months);
    ageing_chart(&mut html, &dashboard.ageing);
    forecast_chart(&mut html, &dashboard.forecast);
    family_chart(&mut html, &dashboard.families);
    html.push_str("</div>\n");
    late(&mut html, dashboard);
    syncs(&mut html, dashboard);
    html.push_str("</body>\n</html>\n");
    out.write_all(html.as_bytes())
}

fn connection(html: &mut String, dashboard: &Dashboard) {
    html.push_str("<section>\n<h2>Connexion</h2>\n<table>\n");
    for (label, value) in &dashboard.connection {
        let _ = writeln!(html, "<tr><th>{}</th><td>{}</td></tr>", esc(label), esc(value));
    }
    html.push_str("</table>\n</section>\n");
}

fn kpis(html: &mut String, dashboard: &Dashboard) {
    html.push_str(
        "<section>\n<h2>Indicateurs</h2>\n<table>\n<tr><th>Période</th><th class=\"n\">Devis émis</th>\
         <th class=\"n\">CA prévu</th><th class=\"n\">CA facturé</th><th class=\"n\">CA réalisé</th>\
         <th class=\"n\">Conversion</th><th class=\"n\">Marge prévue</th><th class=\"n\">Marge réelle</th></tr>\n",
    );
    for line in &dashboard.kpis {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&line.label),
            line.nombre_devis,
            esc(&format::money(line.ca_prevu)),
            esc(&format::money(line.ca_facture)),
            esc(&format::money(line.ca_realise)),
            esc(&opt_percent(line.taux_conversion)),
            esc(&opt_percent(line.marge_prevue)),
            esc(&opt_percent(line.marge_reelle)),
        );
    }
    html.push_str("</table>\n</section>\n");
}

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 70.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;

fn legend(html: &mut String, items: &[(&str, &str)]) {
    html.push_str("<p class=\"legend\">");
    for (color, label) in items {
        let _ = write!(html, "<span><i style=\"background:{color}\"></i>{}</span>", esc(label));
    }
    html.push_str("</p>\n");
}

/// A vertical axis from 0 (or below the minimum, if negative) up past `max`, with a grid line at
/// each round step (1, 2 or 5 × 10ⁿ, at least 1: labels are shown to the unit). Labels never
/// repeat, even over an empty period where every value is 0.
fn axis(html: &mut String, min: f64, max: f64, label: fn(f64) -> String) -> impl Fn(f64) -> f64 + use<> {
    let step = round_step((max - min) / 3.0);
    let bottom = (min / step).floor() * step;
    let steps = ((max - bottom) / step).ceil().max(1.0);
    let span = steps * step;
    let plot = HEIGHT - BOTTOM - TOP;
    let y = move |value: f64| TOP + plot * (1.0 - (value - bottom) / span);
    for index in 0..=steps as u32 {
        let value = bottom + step * f64::from(index);
        let at = y(value);
        let _ = write!(
            html,
            "<line x1=\"{LEFT}\" y1=\"{at:.1}\" x2=\"{WIDTH}\" y2=\"{at:.1}\" stroke=\"#e4e7eb\" />\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 4.0,
            at + 4.0,
            esc(&label(value))
        );
    }
    y
}

/// The smallest of 1, 2, 5, 10, 20, 50… that is at least `rough`.
fn round_step(rough: f64) -> f64 {
    let mut step = 1.0;
    while step < rough {
        for factor in [2.0, 2.5, 2.0] {
            step *= factor;
            if step >= rough {
                break;
            }
        }
    }
    step
}

fn svg_open(html: &mut String, title: &str) {
    let _ = write!(
        html,
        "<section>\n<h2>{}</h2>\n<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        esc(title)
    );
}

/// Euros without cents: `12 346 €`.
fn short_money(value: f64) -> String {
    let mut text = format::decimal_fr(whole(value), 0);
    text.push(format::SPACE);
    text.push('€');
    text
}

/// An axis percentage, to the unit: `-12 %`, never `-0 %`.
fn short_percent(value: f64) -> String {
    format::percent(whole(value), 0)
}

fn whole(value: f64) -> Decimal {
    Decimal::from_f64_retain(value.round()).unwrap_or_default().normalize()
}

/// The month labels under a chart's slots.
fn month_labels(html: &mut String, months: &[MonthPoint], slot: f64) {
    for (index, month) in months.iter().enumerate() {
        let _ = write!(
            html,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            LEFT + slot * (index as f64 + 0.5),
            HEIGHT - 6.0,
            esc(&month.label)
        );
    }
}

fn revenue_chart(html: &mut String, months: &[MonthPoint]) {
    svg_open(html, "Chiffre d'affaires par mois : prévu, facturé, réalisé");
    let values: Vec<[f64; 3]> =
        months.iter().map(|m| [number(m.ca_prevu), number(m.ca_facture), number(m.ca_realise)]).collect();
    let max = values.iter().flatten().copied().fold(0.0, f64::max).max(1.0);
    let min = values.iter().flatten().copied().fold(0.0, f64::min);
    let y = axis(html, min, max, short_money);
    let slot = (WIDTH - LEFT) / months.len().max(1) as f64;
    let bar = slot / 4.0;
    for (index, (month, triple)) in months.iter().zip(&values).enumerate() {
        let x0 = LEFT + slot * index as f64 + bar / 2.0;
        for (serie, (value, color)) in triple.iter().zip([PREVU, FACTURE, REALISE]).enumerate() {
            let (top, bottom) = (y(value.max(0.0)), y(value.min(0.0)));
            let _ = write!(
                html,
                "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{} : {}</title></rect>",
                x0 + bar * serie as f64,
                (bottom - top).max(0.5),
                esc(&month.label),
                esc(&short_money(*value)),
            );
        }
    }
    month_labels(html, months, slot);
    html.push_str("</svg>\n");
    legend(html, &[(PREVU, "CA prévu"), (FACTURE, "CA facturé"), (REALISE, "CA réalisé")]);
    html.push_str("</section>\n");
}

fn margin_chart(html: &mut String, months: &[MonthPoint]) {
    svg_open(html, "Marge prévue et marge réelle par mois");
    let values: Vec<f64> = months.iter().flat_map(|m| [m.marge_prevue, m.marge_reelle]).flatten().map(number).collect();
    let max = values.iter().copied().fold(0.0, f64::max).max(1.0);
    let min = values.iter().copied().fold(0.0, f64::min);
    let y = axis(html, min, max, short_percent);
    let slot = (WIDTH - LEFT) / months.len().max(1) as f64;
    for (pick, color) in [(0, PREVU), (1, REELLE)] {
        let points: Vec<(f64, f64)> = months
            .iter()
            .enumerate()
            .filter_map(|(index, m)| {
                let value = if pick == 0 { m.marge_prevue } else { m.marge_reelle }?;
                Some((LEFT + slot * (index as f64 + 0.5), y(number(value))))
            })
            .collect();
        html.push_str("<polyline points=\"");
        for (index, (x, y)) in points.iter().enumerate() {
            let _ = write!(html, "{}{x:.1},{y:.1}", if index > 0 { " " } else { "" });
        }
        let _ = write!(html, "\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" />");
        for (x, y) in &points {
            let _ = write!(html, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{color}\" />");
        }
    }
    month_labels(html, months, slot);
    html.push_str("</svg>\n");
    legend(html, &[(PREVU, "Marge prévue"), (REELLE, "Marge réelle")]);
    html.push_str("</section>\n");
}

/// Horizontal bars, one per labelled value, with an optional target mark each.
fn horizontal_bars(html: &mut String, rows: &[(String, f64, String, Option<f64>)], color: &str) {
    let max = rows.iter().flat_map(|(_, v, _, t)| [Some(*v), *t]).flatten().fold(0.0, f64::max).max(f64::EPSILON);
    let row_height = (HEIGHT - TOP) / rows.len().max(1) as f64;
    let label_width = 150.0;
    let scale = (WIDTH - label_width - 110.0) / max;
    for (index, (label, value, shown, target)) in rows.iter().enumerate() {
        let top = TOP + row_height * index as f64;
        let bar = row_height * 0.6;
        let _ = write!(
            html,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_width}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{bar:.1}\" fill=\"{color}\" />\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_width - 6.0,
            top + bar * 0.75,
            esc(label),
            (value.max(0.0) * scale).max(0.5),
            label_width + value.max(0.0) * scale + 6.0,
            top + bar * 0.75,
            esc(shown),
        );
        if let Some(target) = target {
            let x = label_width + target * scale;
            let _ = write!(
                html,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#b42318\" stroke-width=\"3\" />",
                top - 2.0,
                top + bar + 2.0
            );
        }
    }
}

fn ageing_chart(html: &mut String, ageing: &[(String, Decimal)]) {
    svg_open(html, "Ancienneté du reste dû");
    let rows: Vec<(String, f64, String, Option<f64>)> =
        ageing.iter().map(|(label, amount)| (label.clone(), number(*amount), format::money(*amount), None)).collect();
    horizontal_bars(html, &rows, FACTURE);
    html.push_str("</svg>\n</section>\n");
}

fn forecast_chart(html: &mut String, weeks: &[(String, Decimal)]) {
    svg_open(html, "Encaissements attendus par semaine (13 semaines)");
    let rows: Vec<(String, f64, String, Option<f64>)> =
        weeks.iter().map(|(label, amount)| (label.clone(), number(*amount), format::money(*amount), None)).collect();
    horizontal_bars(html, &rows, FACTURE);
    html.push_str("</svg>\n</section>\n");
}

fn family_chart(html: &mut String, families: &[FamilyPoint]) {
    svg_open(html, "Coefficient moyen par famille et cible");
    let rows: Vec<(String, f64, String, Option<f64>)> = families
        .iter()
        .map(|f| (f.code.clone(), number(f.moyenne), format::decimal_fr(f.moyenne, 4), f.cible.map(number)))
        .collect();
    horizontal_bars(html, &rows, REALISE);
    html.push_str("</svg>\n");
    legend(html, &[(REALISE, "Coefficient moyen"), ("#b42318", "Cible")]);
    html.push_str("</section>\n");
}

fn late(html: &mut String, dashboard: &Dashboard) {
    let _ = write!(
        html,
        "<section>\n<h2>Factures en retard : {} pour {}</h2>\n<table>\n<tr><th>Facture</th><th>Client</th>\
         <th>Échéance</th><th class=\"n\">Retard</th><th class=\"n\">Reste dû</th></tr>\n",
        dashboard.late_count,
        esc(&format::money(dashboard.late_total))
    );
    for invoice in &dashboard.late {
        let _ = writeln!(
            html,
            "<tr class=\"late\"><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{} j</td><td class=\"n\">{}</td></tr>",
            esc(&invoice.numero),
            esc(&invoice.client),
            esc(&format::date_fr(invoice.echeance)),
            invoice.jours,
            esc(&format::money(invoice.reste_du))
        );
    }
    html.push_str("</table>\n");
    if dashboard.avoirs_count > 0 {
        let _ = writeln!(
            html,
            "<p class=\"sub\">Avoirs non imputés (jamais en retard, hors du total) : {} pour {}</p>",
            dashboard.avoirs_count,
            esc(&format::money(dashboard.avoirs_total))
        );
    }
    html.push_str("</section>\n");
    let below: Vec<&FamilyPoint> = dashboard.families.iter().filter(|f| f.sous_cible).collect();
    if !below.is_empty() {
        html.push_str(
            "<section>\n<h2>Familles sous leur cible</h2>\n<table>\n<tr><th>Famille</th><th>Libellé</th>\
            <th class=\"n\">Coefficient moyen</th><th class=\"n\">Cible</th></tr>\n",
        );
        for family in below {
            let _ = writeln!(
                html,
                "<tr class=\"alert\"><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&family.code),
                esc(&family.libelle),
                esc(&format::decimal_fr(family.moyenne, 4)),
                esc(&family.cible.map(|c| format::decimal_fr(c, 4)).unwrap_or_default())
            );
        }
        html.push_str("</table>\n</section>\n");
    }
}

fn syncs(html: &mut String, dashboard: &Dashboard) {
    html.push_str(
        "<section>\n<h2>Dernières synchronisations</h2>\n<table>\n<tr><th>Devis</th><th>Offre JLM</th>\
         <th class=\"n\">Montant HT</th><th>État</th><th>Le</th></tr>\n",
    );
    match &dashboard.syncs {
        None => {
            html.push_str("<tr><td colspan=\"5\">Magasin JLM illisible : synchronisations non affichées.</td></tr>\n");
        }
        Some(syncs) if syncs.is_empty() => {
            html.push_str("<tr><td colspan=\"5\">Aucune synchronisation enregistrée.</td></tr>\n");
        }
        Some(_) => {}
    }
    for sync in dashboard.syncs.iter().flatten() {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&sync.numero_devis),
            esc(sync.offre.as_deref().unwrap_or("—")),
            esc(&sync.montant.map(format::money).unwrap_or_default()),
            esc(&sync.sync_status),
            esc(&sync.last_sync_at.map(format::date_time_fr).unwrap_or_default())
        );
    }
    html.push_str("</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_nothing_is_fetched() {
        let dashboard = Dashboard {
            au: "31/12/2025".to_owned(),
            connection: vec![("Serveur".to_owned(), "<srv> & \"co\"".to_owned())],
            months: vec![MonthPoint { label: "janv.".to_owned(), ca_prevu: Decimal::ONE, ..MonthPoint::default() }],
            families: vec![FamilyPoint {
                code: "PORTES".to_owned(),
                libelle: "Portes".to_owned(),
                moyenne: Decimal::new(14, 1),
                cible: Some(Decimal::new(15, 1)),
                sous_cible: true,
            }],
            ..Dashboard::default()
        };
        let mut out = Vec::new();
        write(&mut out, &dashboard).expect("write");
        let html = String::from_utf8(out).expect("UTF-8");
        assert!(html.contains("&lt;srv&gt; &amp; &quot;co&quot;"));
        assert!(html.contains("Familles sous leur cible") && html.contains("1,5000"));
        assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("url("));
        assert_eq!(html.matches("<svg").count(), 5);
    }

    /// The labels of one axis, bottom to top.
    fn axis_labels(min: f64, max: f64) -> Vec<String> {
        let mut html = String::new();
        let _ = axis(&mut html, min, max, short_money);
        html.split("text-anchor=\"end\">").skip(1).map(|rest| rest.split('<').next().unwrap().to_owned()).collect()
    }

    #[test]
    fn axis_labels_are_round_and_never_repeat() {
        let euro = |n: &str| format!("{n}{}€", format::SPACE);
        // An empty period: every value 0, the chart's floor of 1 €.
        assert_eq!(axis_labels(0.0, 1.0), [euro("0"), euro("1")]);
        assert_eq!(
            axis_labels(0.0, 12_345.0),
            [euro("0"), euro("5\u{a0}000"), euro("10\u{a0}000"), euro("15\u{a0}000")]
        );
        assert_eq!(axis_labels(-180.0, 300.0), [euro("-200"), euro("0"), euro("200"), euro("400")]);
        for (rough, step) in [(0.2, "1"), (3.4, "5"), (101.0, "200"), (2_600.0, "5000")] {
            assert_eq!(round_step(rough).to_string(), step, "{rough}");
        }
    }
}
