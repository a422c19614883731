//! The HTML dashboard: one self-contained file (inline CSS and SVG, nothing fetched, no script),
//! French labels and numbers, readable printed on A4. The page is `dashboard.html`, a minijinja
//! template ([`super::template`]) that escapes every value; this module lays out its figures and
//! the geometry of its charts.

use std::io::{self, Write};
use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime};
use minijinja::value::Serde;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::{format, template};

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

/// The page, compiled once.
static PAGE: LazyLock<minijinja::Environment<'static>> = LazyLock::new(|| {
    let mut env = template::environment(true);
    env.add_template("dashboard.html", include_str!("dashboard.html")).expect("the dashboard template");
    env
});

const PREVU: &str = "#9fb3c8";
const FACTURE: &str = "#2680c2";
const REALISE: &str = "#2f8132";
const REELLE: &str = "#d64545";
const CIBLE: &str = "#b42318";

fn opt_percent(value: Option<Decimal>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format::percent(v, 2))
}

fn number(value: Decimal) -> f64 {
    value.to_f64().unwrap_or_default()
}

/// A coordinate as the SVG carries it: one decimal.
fn at(value: f64) -> String {
    format!("{value:.1}")
}

/// What the template shows: every figure already in its French form.
#[derive(Serialize)]
struct Page<'a> {
    au: &'a str,
    /// The SVG frame, as Rust writes a whole `f64` (`480`; the engine would write `480.0`).
    width: String,
    height: String,
    left: String,
    connection: Vec<Labelled<'a>>,
    kpis: Vec<KpiRow<'a>>,
    charts: Vec<Chart>,
    late_count: u64,
    late_total: String,
    late: Vec<LateRow<'a>>,
    avoirs: Option<Avoirs>,
    below: Vec<FamilyRow<'a>>,
    syncs_unreadable: bool,
    syncs: Vec<SyncRow<'a>>,
}

#[derive(Serialize)]
struct Labelled<'a> {
    label: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct KpiRow<'a> {
    label: &'a str,
    nombre_devis: u64,
    ca_prevu: String,
    ca_facture: String,
    ca_realise: String,
    taux_conversion: String,
    marge_prevue: String,
    marge_reelle: String,
}

#[derive(Serialize)]
struct LateRow<'a> {
    numero: &'a str,
    client: &'a str,
    echeance: String,
    jours: u32,
    reste_du: String,
}

#[derive(Serialize)]
struct Avoirs {
    count: u64,
    total: String,
}

#[derive(Serialize)]
struct FamilyRow<'a> {
    code: &'a str,
    libelle: &'a str,
    moyenne: String,
    cible: String,
}

#[derive(Serialize)]
struct SyncRow<'a> {
    numero_devis: &'a str,
    offre: &'a str,
    montant: String,
    etat: &'a str,
    le: String,
}

/// One chart: a titled SVG and its legend. Each kind fills the parts it draws.
#[derive(Serialize, Default)]
struct Chart {
    title: &'static str,
    /// Grid lines of the vertical axis, with their labels.
    ticks: Vec<Tick>,
    /// Vertical bars.
    bars: Vec<Bar>,
    /// Lines through points.
    lines: Vec<Line>,
    /// Horizontal bars, one per labelled value.
    rows: Vec<Row>,
    /// The month labels under the slots.
    months: Vec<MonthLabel>,
    legend: Vec<LegendItem>,
}

#[derive(Serialize)]
struct Tick {
    y: String,
    label_x: String,
    label_y: String,
    label: String,
}

#[derive(Serialize)]
struct Bar {
    x: String,
    y: String,
    width: String,
    height: String,
    color: &'static str,
    title: String,
}

#[derive(Serialize)]
struct Line {
    points: String,
    color: &'static str,
    circles: Vec<Point>,
}

#[derive(Serialize)]
struct Point {
    x: String,
    y: String,
}

#[derive(Serialize)]
struct Row {
    label_x: String,
    text_y: String,
    label: String,
    x: String,
    y: String,
    width: String,
    height: String,
    color: &'static str,
    value_x: String,
    shown: String,
    target: Option<Target>,
}

#[derive(Serialize)]
struct Target {
    x: String,
    y1: String,
    y2: String,
}

#[derive(Serialize)]
struct MonthLabel {
    x: String,
    y: String,
    label: String,
}

#[derive(Serialize)]
struct LegendItem {
    color: &'static str,
    label: &'static str,
}

fn legend(items: &[(&'static str, &'static str)]) -> Vec<LegendItem> {
    items.iter().map(|&(color, label)| LegendItem { color, label }).collect()
}

/// Writes the whole document.
pub fn write(out: &mut dyn Write, dashboard: &Dashboard) -> io::Result<()> {
    let page = Page {
        au: &dashboard.au,
        width: WIDTH.to_string(),
        height: HEIGHT.to_string(),
        left: LEFT.to_string(),
        connection: dashboard.connection.iter().map(|(label, value)| Labelled { label, value }).collect(),
        kpis: dashboard
            .kpis
            .iter()
            .map(|line| KpiRow {
                label: &line.label,
                nombre_devis: line.nombre_devis,
                ca_prevu: format::money(line.ca_prevu),
                ca_facture: format::money(line.ca_facture),
                ca_realise: format::money(line.ca_realise),
                taux_conversion: opt_percent(line.taux_conversion),
                marge_prevue: opt_percent(line.marge_prevue),
                marge_reelle: opt_percent(line.marge_reelle),
            })
            .collect(),
        charts: vec![
            revenue_chart(&dashboard.months),
            margin_chart(&dashboard.months),
            ageing_chart(&dashboard.ageing),
            forecast_chart(&dashboard.forecast),
            family_chart(&dashboard.families),
        ],
        late_count: dashboard.late_count,
        late_total: format::money(dashboard.late_total),
        late: dashboard
            .late
            .iter()
            .map(|invoice| LateRow {
                numero: &invoice.numero,
                client: &invoice.client,
                echeance: format::date_fr(invoice.echeance),
                jours: invoice.jours,
                reste_du: format::money(invoice.reste_du),
            })
            .collect(),
        avoirs: (dashboard.avoirs_count > 0)
            .then(|| Avoirs { count: dashboard.avoirs_count, total: format::money(dashboard.avoirs_total) }),
        below: dashboard
            .families
            .iter()
            .filter(|f| f.sous_cible)
            .map(|family| FamilyRow {
                code: &family.code,
                libelle: &family.libelle,
                moyenne: format::decimal_fr(family.moyenne, 4),
                cible: family.cible.map(|c| format::decimal_fr(c, 4)).unwrap_or_default(),
            })
            .collect(),
        syncs_unreadable: dashboard.syncs.is_none(),
        syncs: dashboard
            .syncs
            .iter()
            .flatten()
            .map(|sync| SyncRow {
                numero_devis: &sync.numero_devis,
                offre: sync.offre.as_deref().unwrap_or("—"),
                montant: sync.montant.map(format::money).unwrap_or_default(),
                etat: &sync.sync_status,
                le: sync.last_sync_at.map(format::date_time_fr).unwrap_or_default(),
            })
            .collect(),
    };
    let html = PAGE
        .get_template("dashboard.html")
        .and_then(|template| template.render(Serde(&page)))
        .map_err(|e| io::Error::other(format!("tableau de bord : {}", template::reason(&e))))?;
    out.write_all(html.as_bytes())
}

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 70.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;

/// A vertical axis from 0 (or below the minimum, if negative) up past `max`, with a grid line at
/// each round step (1, 2 or 5 × 10ⁿ, at least 1: labels are shown to the unit). Labels never
/// repeat, even over an empty period where every value is 0.
fn axis(ticks: &mut Vec<Tick>, min: f64, max: f64, label: fn(f64) -> String) -> impl Fn(f64) -> f64 + use<> {
    let step = round_step((max - min) / 3.0);
    let bottom = (min / step).floor() * step;
    let steps = ((max - bottom) / step).ceil().max(1.0);
    let span = steps * step;
    let plot = HEIGHT - BOTTOM - TOP;
    let y = move |value: f64| TOP + plot * (1.0 - (value - bottom) / span);
    for index in 0..=steps as u32 {
        let value = bottom + step * f64::from(index);
        let height = y(value);
        ticks.push(Tick { y: at(height), label_x: at(LEFT - 4.0), label_y: at(height + 4.0), label: label(value) });
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
fn month_labels(months: &[MonthPoint], slot: f64) -> Vec<MonthLabel> {
    months
        .iter()
        .enumerate()
        .map(|(index, month)| MonthLabel {
            x: at(LEFT + slot * (index as f64 + 0.5)),
            y: at(HEIGHT - 6.0),
            label: month.label.clone(),
        })
        .collect()
}

fn revenue_chart(months: &[MonthPoint]) -> Chart {
    let mut chart = Chart { title: "Chiffre d'affaires par mois : prévu, facturé, réalisé", ..Chart::default() };
    let values: Vec<[f64; 3]> =
        months.iter().map(|m| [number(m.ca_prevu), number(m.ca_facture), number(m.ca_realise)]).collect();
    let max = values.iter().flatten().copied().fold(0.0, f64::max).max(1.0);
    let min = values.iter().flatten().copied().fold(0.0, f64::min);
    let y = axis(&mut chart.ticks, min, max, short_money);
    let slot = (WIDTH - LEFT) / months.len().max(1) as f64;
    let bar = slot / 4.0;
    for (index, (month, triple)) in months.iter().zip(&values).enumerate() {
        let x0 = LEFT + slot * index as f64 + bar / 2.0;
        for (serie, (value, color)) in triple.iter().zip([PREVU, FACTURE, REALISE]).enumerate() {
            let (top, bottom) = (y(value.max(0.0)), y(value.min(0.0)));
            chart.bars.push(Bar {
                x: at(x0 + bar * serie as f64),
                y: at(top),
                width: at(bar),
                height: at((bottom - top).max(0.5)),
                color,
                title: format!("{} : {}", month.label, short_money(*value)),
            });
        }
    }
    chart.months = month_labels(months, slot);
    chart.legend = legend(&[(PREVU, "CA prévu"), (FACTURE, "CA facturé"), (REALISE, "CA réalisé")]);
    chart
}

fn margin_chart(months: &[MonthPoint]) -> Chart {
    let mut chart = Chart { title: "Marge prévue et marge réelle par mois", ..Chart::default() };
    let values: Vec<f64> = months.iter().flat_map(|m| [m.marge_prevue, m.marge_reelle]).flatten().map(number).collect();
    let max = values.iter().copied().fold(0.0, f64::max).max(1.0);
    let min = values.iter().copied().fold(0.0, f64::min);
    let y = axis(&mut chart.ticks, min, max, short_percent);
    let slot = (WIDTH - LEFT) / months.len().max(1) as f64;
    for (pick, color) in [(0, PREVU), (1, REELLE)] {
        let circles: Vec<Point> = months
            .iter()
            .enumerate()
            .filter_map(|(index, m)| {
                let value = if pick == 0 { m.marge_prevue } else { m.marge_reelle }?;
                Some(Point { x: at(LEFT + slot * (index as f64 + 0.5)), y: at(y(number(value))) })
            })
            .collect();
        let points = circles.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
        chart.lines.push(Line { points, color, circles });
    }
    chart.months = month_labels(months, slot);
    chart.legend = legend(&[(PREVU, "Marge prévue"), (REELLE, "Marge réelle")]);
    chart
}

/// Horizontal bars, one per labelled value, with an optional target mark each.
fn horizontal_bars(rows: &[(String, f64, String, Option<f64>)], color: &'static str) -> Vec<Row> {
    let max = rows.iter().flat_map(|(_, v, _, t)| [Some(*v), *t]).flatten().fold(0.0, f64::max).max(f64::EPSILON);
    let row_height = (HEIGHT - TOP) / rows.len().max(1) as f64;
    let label_width = 150.0;
    let scale = (WIDTH - label_width - 110.0) / max;
    rows.iter()
        .enumerate()
        .map(|(index, (label, value, shown, target))| {
            let top = TOP + row_height * index as f64;
            let bar = row_height * 0.6;
            Row {
                label_x: at(label_width - 6.0),
                text_y: at(top + bar * 0.75),
                label: label.clone(),
                x: label_width.to_string(),
                y: at(top),
                width: at((value.max(0.0) * scale).max(0.5)),
                height: at(bar),
                color,
                value_x: at(label_width + value.max(0.0) * scale + 6.0),
                shown: shown.clone(),
                target: target.map(|target| Target {
                    x: at(label_width + target * scale),
                    y1: at(top - 2.0),
                    y2: at(top + bar + 2.0),
                }),
            }
        })
        .collect()
}

fn ageing_chart(ageing: &[(String, Decimal)]) -> Chart {
    let rows: Vec<(String, f64, String, Option<f64>)> =
        ageing.iter().map(|(label, amount)| (label.clone(), number(*amount), format::money(*amount), None)).collect();
    Chart { title: "Ancienneté du reste dû", rows: horizontal_bars(&rows, FACTURE), ..Chart::default() }
}

fn forecast_chart(weeks: &[(String, Decimal)]) -> Chart {
    let rows: Vec<(String, f64, String, Option<f64>)> =
        weeks.iter().map(|(label, amount)| (label.clone(), number(*amount), format::money(*amount), None)).collect();
    Chart {
        title: "Encaissements attendus par semaine (13 semaines)",
        rows: horizontal_bars(&rows, FACTURE),
        ..Chart::default()
    }
}

fn family_chart(families: &[FamilyPoint]) -> Chart {
    let rows: Vec<(String, f64, String, Option<f64>)> = families
        .iter()
        .map(|f| (f.code.clone(), number(f.moyenne), format::decimal_fr(f.moyenne, 4), f.cible.map(number)))
        .collect();
    Chart {
        title: "Coefficient moyen par famille et cible",
        rows: horizontal_bars(&rows, REALISE),
        legend: legend(&[(REALISE, "Coefficient moyen"), (CIBLE, "Cible")]),
        ..Chart::default()
    }
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
        let mut ticks = Vec::new();
        let _ = axis(&mut ticks, min, max, short_money);
        ticks.into_iter().map(|tick| tick.label).collect()
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
