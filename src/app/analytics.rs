//! The KPIs of a period and their evolution (DESIGN §5.1): computed (`run`), saved to the history
//! (`save`: one row, the same through every face), listed and read back (`history`, `get`).
//!
//! A saved run's `periode` is its bucket size, or `global` for a run without buckets, and its
//! `data_json` is the [`Document`] — the records `analytics --format json` prints. Rows an earlier
//! `serve` saved (`periode` « personnalise », a document of the API's own keys) are never rewritten:
//! the table is JLM ERP's, on its own database; they are read through their second shape
//! ([`stored_document`]), and « personnalise » reads as `global`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Context;

use crate::batigest::analytics::{self, devis_key};
use crate::batigest::connection::Connection;
use crate::batigest::statuses;
use crate::error::{Error, Kind, Result};
use crate::jlm::Store;
use crate::jlm::analytics::{Analytics, SavedAnalytics};
use crate::jlm::integrations::MenuiserieLinks;
use crate::output::exact as json;
use crate::output::format::date_fr;
use crate::report::coefficients::{self, Grouping, NON_CLASSE, Settings};
use crate::report::factures::Totals;
use crate::report::kpi::{Granularity, Kpis, Period, Report, Sums};

/// What to compute: a period, whole or cut into calendar buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub period: Period,
    pub granularity: Option<Granularity>,
}

impl Request {
    /// From `from` (default: 1 January of `to`'s year) to `to` (default: `today`). The faces word
    /// the errors in their own terms (`--from`, `startDate`).
    pub fn new(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        granularity: Option<Granularity>,
        today: NaiveDate,
    ) -> Result<Self, RequestError> {
        use chrono::Datelike;
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
        let period = Period::new(from, to).map_err(RequestError::Period)?;
        if let Some(granularity) = granularity {
            period.check_buckets(granularity).map_err(RequestError::Buckets)?;
        }
        Ok(Self { period, granularity })
    }
}

/// Why a request cannot be computed.
#[derive(Debug)]
pub enum RequestError {
    Period(crate::report::kpi::InvalidPeriod),
    Buckets(crate::report::kpi::TooManyBuckets),
}

/// The `periode` column of a saved run: its bucket size, or `Global` for a whole period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Periode {
    Mensuel,
    Trimestriel,
    Annuel,
    Global,
}

impl Periode {
    pub const ALL: [Periode; 4] = [Periode::Mensuel, Periode::Trimestriel, Periode::Annuel, Periode::Global];

    pub fn code(self) -> &'static str {
        match self {
            Periode::Mensuel => "mensuel",
            Periode::Trimestriel => "trimestriel",
            Periode::Annuel => "annuel",
            Periode::Global => "global",
        }
    }

    /// The bucket size a request names (`mensuel`, `trimestriel`, `annuel`); `None` otherwise.
    pub fn granularity_of(code: &str) -> Option<Granularity> {
        match code {
            "mensuel" => Some(Granularity::Month),
            "trimestriel" => Some(Granularity::Quarter),
            "annuel" => Some(Granularity::Year),
            _ => None,
        }
    }

    /// A saved run's label as a filter takes it.
    pub fn of_code(code: &str) -> Option<Periode> {
        Periode::ALL.into_iter().find(|periode| periode.code() == code)
    }
}

impl From<Option<Granularity>> for Periode {
    fn from(granularity: Option<Granularity>) -> Self {
        match granularity {
            Some(Granularity::Month) => Periode::Mensuel,
            Some(Granularity::Quarter) => Periode::Trimestriel,
            Some(Granularity::Year) => Periode::Annuel,
            None => Periode::Global,
        }
    }
}

/// A computed run: the KPIs, invoicing in progress at the period's end, and the coefficient rules
/// its families are judged by.
pub struct Run {
    pub report: Report,
    pub en_cours: Totals,
    pub coefficients: Settings,
}

/// Computes the KPIs of `request` and invoicing in progress at its end (no figure on a status
/// the mapping cannot read).
pub async fn run(ctx: &Context, client: &mut Connection, request: Request) -> Result<Run> {
    ctx.check_statuses(client, &[statuses::DEVIS, statuses::FACTURES]).await?;
    let report = kpis(ctx, client, request).await?;
    let en_cours = analytics::en_cours(client, &ctx.mapping, request.period.to(), ctx.target.timeout).await?;
    Ok(Run { report, en_cours, coefficients: ctx.coefficient_settings(Grouping::Famille) })
}

/// The KPIs alone, statuses already checked by the caller.
pub async fn kpis(ctx: &Context, client: &mut Connection, request: Request) -> Result<Report> {
    let marge_base = ctx.settings.marge_base.value;
    let (period, granularity) = (request.period, request.granularity);
    Ok(analytics::report(client, &ctx.mapping, marge_base, (period, granularity), ctx.target.timeout).await?)
}

/// The families of the report's ouvrages, their mean coefficient against their target.
pub fn families(report: &Report, settings: &Settings) -> Vec<FamilleCoefficient> {
    coefficients::analyse(&report.ouvrages, settings)
        .groups
        .iter()
        .map(|group| FamilleCoefficient {
            famille: group.key.code().unwrap_or(NON_CLASSE).to_owned(),
            libelle: group.key.libelle().to_owned(),
            nombre: group.stats.nombre,
            coefficient_moyen: Some(group.stats.moyenne),
            cible: group.cible,
            sous_cible: group.cible.map(|_| group.sous_cible),
        })
        .collect()
}

/// One row of KPIs: a bucket, or the whole period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicateurs {
    pub periode: String,
    pub du: NaiveDate,
    pub au: NaiveDate,
    pub nombre_devis: u64,
    pub nombre_factures: u64,
    #[serde(serialize_with = "json::money")]
    pub ca_prevu: Decimal,
    #[serde(serialize_with = "json::money")]
    pub ca_facture: Decimal,
    #[serde(serialize_with = "json::money")]
    pub ca_realise: Decimal,
    #[serde(serialize_with = "json::rate")]
    pub taux_conversion: Option<Decimal>,
    #[serde(serialize_with = "json::rate")]
    pub taux_conversion_nombre: Option<Decimal>,
    #[serde(serialize_with = "json::rate")]
    pub marge_prevue_moyenne: Option<Decimal>,
    #[serde(serialize_with = "json::rate")]
    pub marge_reelle_moyenne: Option<Decimal>,
    #[serde(serialize_with = "json::rate")]
    pub ecart_marge: Option<Decimal>,
}

impl Indicateurs {
    fn new(periode: String, period: Period, kpis: &Kpis) -> Self {
        Self {
            periode,
            du: period.from(),
            au: period.to(),
            nombre_devis: kpis.nombre_devis,
            nombre_factures: kpis.nombre_factures,
            ca_prevu: kpis.ca_prevu,
            ca_facture: kpis.ca_facture,
            ca_realise: kpis.ca_realise,
            taux_conversion: kpis.taux_conversion,
            taux_conversion_nombre: kpis.taux_conversion_nombre,
            marge_prevue_moyenne: kpis.marge_prevue_moyenne,
            marge_reelle_moyenne: kpis.marge_reelle_moyenne,
            ecart_marge: kpis.ecart_marge,
        }
    }
}

/// Invoicing in progress at the period's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnCours {
    pub nombre: u64,
    #[serde(serialize_with = "json::money")]
    pub montant_ht: Decimal,
    #[serde(serialize_with = "json::money")]
    pub reste_du: Decimal,
    pub nombre_en_retard: u64,
    #[serde(serialize_with = "json::money")]
    pub reste_du_en_retard: Decimal,
    #[serde(serialize_with = "json::days")]
    pub retard_moyen: Option<Decimal>,
}

/// A famille's mean coefficient against its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilleCoefficient {
    pub famille: String,
    pub libelle: String,
    pub nombre: u64,
    #[serde(serialize_with = "json::coefficient")]
    pub coefficient_moyen: Option<Decimal>,
    #[serde(serialize_with = "json::coefficient")]
    pub cible: Option<Decimal>,
    /// `None` where the famille has no target.
    pub sous_cible: Option<bool>,
}

/// A run as `analytics --format json` prints it and `data_json` keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// One row per bucket, or one for the whole period.
    pub indicateurs: Vec<Indicateurs>,
    pub facturation_en_cours: Vec<EnCours>,
    pub coefficients: Vec<FamilleCoefficient>,
}

impl Run {
    /// `01/01/2024 → 31/12/2024`.
    fn whole(&self) -> String {
        format!("{} → {}", date_fr(self.report.period.from()), date_fr(self.report.period.to()))
    }

    pub fn periode(&self) -> Periode {
        Periode::from(self.report.granularity)
    }

    /// The period's totals as a row of its own, for a run cut into buckets (a table shows it last).
    pub fn total(&self) -> Option<Indicateurs> {
        self.report
            .granularity
            .map(|_| Indicateurs::new(format!("Total {}", self.whole()), self.report.period, &self.report.total))
    }

    pub fn document(&self) -> Document {
        let report = &self.report;
        let indicateurs = if report.granularity.is_some() {
            report
                .buckets
                .iter()
                .map(|(bucket, kpis)| Indicateurs::new(bucket.label.clone(), bucket.period, kpis))
                .collect()
        } else {
            vec![Indicateurs::new(self.whole(), report.period, &report.total)]
        };
        let en_cours = &self.en_cours;
        Document {
            indicateurs,
            facturation_en_cours: vec![EnCours {
                nombre: en_cours.nombre,
                montant_ht: en_cours.montant_ht,
                reste_du: en_cours.reste_du,
                nombre_en_retard: en_cours.nombre_en_retard,
                reste_du_en_retard: en_cours.reste_du_en_retard,
                retard_moyen: en_cours.retard_moyen(),
            }],
            coefficients: families(report, &self.coefficients),
        }
    }
}

/// The KPIs of a period per JLM ERP `menuiserie_type`: the devis of the offers of each type (and
/// their invoices), then the devis linked to no offer with the invoices of no devis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParMenuiserie {
    pub period: Period,
    /// One row per type, by name; the last one, labelled `None`, holds what no offer claims.
    pub groups: Vec<(Option<String>, Kpis)>,
    /// The whole period: the groups add up to it.
    pub total: Kpis,
    /// Devis whose offers name different types, without an integration row to decide: counted
    /// with the devis of no offer rather than with a guessed type.
    pub ambiguous: Vec<String>,
}

impl ParMenuiserie {
    /// One row per group, then the whole period (a table's last row).
    pub fn rows(&self) -> (Vec<Indicateurs>, Indicateurs) {
        let rows = self
            .groups
            .iter()
            .map(|(kind, kpis)| {
                Indicateurs::new(kind.clone().unwrap_or_else(|| NON_RATTACHE.to_owned()), self.period, kpis)
            })
            .collect();
        let whole = format!("Total {} → {}", date_fr(self.period.from()), date_fr(self.period.to()));
        (rows, Indicateurs::new(whole, self.period, &self.total))
    }
}

/// The label of the devis linked to no offer (not a value of the ERP's enum).
pub const NON_RATTACHE: &str = "(non rattaché)";

/// The KPIs of `period` per `menuiserie_type` of the JLM ERP offers the devis are linked to
/// (DESIGN §5.1 rules, the sums computed by the server per devis). The store must be JLM ERP's,
/// with its `offers` table: checked first, before Batigest is read.
pub async fn par_menuiserie(
    ctx: &Context,
    client: &mut Connection,
    store: &Store,
    period: Period,
) -> Result<ParMenuiserie> {
    if !store.has_offers().await? {
        return Err(Error::usage(
            "le magasin JLM n'a pas de table « offers » : l'analyse par menuiserie regroupe les devis par le type \
             de menuiserie des offres de JLM ERP auxquelles ils sont rattachés",
        )
        .with_hint("indiquez la base de JLM ERP (--jlm-db postgres://… ou JLM_DATABASE_URL)"));
    }
    let (types, ambiguous) = link_types(&store.menuiserie_links().await?);
    ctx.check_statuses(client, &[statuses::DEVIS, statuses::FACTURES]).await?;
    let range = (period.from(), period.to());
    let (marge_base, timeout) = (ctx.settings.marge_base.value, ctx.target.timeout);
    let group_of = |numero: Option<&str>| numero.and_then(|numero| types.get(numero).cloned());
    let sums = analytics::sums_by_devis(client, &ctx.mapping, range, marge_base, timeout, group_of).await?;
    // Every devis and invoice is in exactly one group: the groups add up to the period.
    let mut whole = Sums::default();
    for value in sums.values() {
        whole += *value;
    }
    let mut groups: Vec<(Option<String>, Kpis)> = sums.into_iter().map(|(kind, sums)| (kind, sums.kpis())).collect();
    // `None` sorts first in the map: what no offer claims goes last.
    let unclaimed = usize::from(groups.first().is_some_and(|(kind, _)| kind.is_none()));
    groups.rotate_left(unclaimed);
    Ok(ParMenuiserie { period, groups, total: whole.kpis(), ambiguous })
}

/// Each linked devis' type, keyed as the server compares numbers. The sync's integration row
/// decides; otherwise the offers naming the devis in `batigest_ref`, when they agree — when they
/// do not, the devis is ambiguous and its type is not guessed.
fn link_types(links: &MenuiserieLinks) -> (HashMap<String, String>, Vec<String>) {
    let mut types: HashMap<String, String> = HashMap::new();
    for (numero, kind) in &links.integrations {
        types.insert(devis_key(numero), kind.clone());
    }
    let mut named: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (numero, kind) in &links.offers {
        named.entry(devis_key(numero)).or_default().insert(kind);
    }
    let mut ambiguous = Vec::new();
    for (numero, kinds) in named {
        if types.contains_key(&numero) {
            continue;
        }
        match kinds.into_iter().collect::<Vec<_>>()[..] {
            [kind] => {
                types.insert(numero, kind.to_owned());
            }
            _ => ambiguous.push(numero),
        }
    }
    (types, ambiguous)
}

/// A run saved to the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
    pub periode: Periode,
}

/// Saves a run: its totals in the columns, its [`Document`] in `data_json`. The same request saves
/// the same row whichever face asks.
pub async fn save(store: &Store, run: &Run) -> Result<Saved> {
    let document = serde_json::to_string(&run.document())
        .map_err(|e| Error::new(Kind::Unexpected, format!("indicateurs non sérialisables : {e}")))?;
    let total = &run.report.total;
    let periode = run.periode();
    let row = Analytics {
        periode: periode.code().to_owned(),
        ca_realise: Some(total.ca_realise),
        ca_prevu: Some(total.ca_prevu),
        taux_conversion: total.taux_conversion,
        marge_reelle_moyenne: total.marge_reelle_moyenne,
        marge_prevue_moyenne: total.marge_prevue_moyenne,
        nombre_devis: i64::try_from(total.nombre_devis).ok(),
        nombre_factures: i64::try_from(total.nombre_factures).ok(),
        data_json: Some(document),
    };
    Ok(Saved { id: store.save_analytics(&row).await?, periode })
}

/// Saved runs, newest first, of one `periode` or all.
pub async fn history(store: &Store, periode: Option<Periode>, limit: Option<u64>) -> Result<Vec<SavedAnalytics>> {
    Ok(store.list_analytics(periode.map(Periode::code), limit).await?)
}

/// One saved run, with its document in the current shape (`Value::Null` when none was kept).
pub async fn get(store: &Store, id: &str) -> Result<(SavedAnalytics, Value)> {
    let saved = store.get_analytics(id).await?.ok_or_else(|| {
        Error::new(Kind::NotFound, format!("aucun calcul « {id} » dans l'historique"))
            .with_hint("« jlm-batigest analytics history » liste les calculs enregistrés")
    })?;
    let document = saved.analytics.data_json.as_deref().map_or(Value::Null, stored_document);
    Ok((saved, document))
}

/// A stored `data_json` in the current shape: a [`Document`] as it is, or a document an earlier
/// `serve` saved (the API's keys) with the figures it holds put in their place.
pub fn stored_document(text: &str) -> Value {
    let Ok(value) = serde_json::from_str::<Value>(text) else { return Value::Null };
    if value.get("indicateurs").is_some() {
        return value;
    }
    match serde_json::from_value::<ServeDocument>(value.clone()) {
        Ok(serve) if value.get("chiffreAffairesPrevu").is_some() => serve.current(),
        _ => value,
    }
}

/// The document an earlier `serve` saved in `data_json`: the KPIs under the API's keys, rounded.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServeDocument {
    du: Option<NaiveDate>,
    au: Option<NaiveDate>,
    #[serde(flatten)]
    total: ServeKpis,
    facturation_en_cours: Option<ServeEnCours>,
    #[serde(default)]
    evolution_marges: Vec<ServeBucket>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServeKpis {
    chiffre_affaires_realise: Option<Value>,
    chiffre_affaires_prevu: Option<Value>,
    chiffre_affaires_facture: Option<Value>,
    taux_conversion_devis: Option<Value>,
    taux_conversion_nombre: Option<Value>,
    marge_reelle_moyenne: Option<Value>,
    marge_prevue_moyenne: Option<Value>,
    ecart_marge: Option<Value>,
    nombre_devis: Option<Value>,
    nombre_factures: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServeEnCours {
    montant_total: Option<Value>,
    nombre_factures: Option<Value>,
    retard_moyen: Option<Value>,
}

#[derive(Deserialize)]
struct ServeBucket {
    periode: String,
    indicateurs: ServeKpis,
}

impl ServeKpis {
    fn row(self, periode: &str, du: Option<NaiveDate>, au: Option<NaiveDate>) -> Value {
        let date = |date: Option<NaiveDate>| date.map_or(Value::Null, |date| Value::String(date.to_string()));
        let figure = |value: Option<Value>| value.unwrap_or(Value::Null);
        serde_json::json!({
            "periode": periode,
            "du": date(du),
            "au": date(au),
            "nombre_devis": figure(self.nombre_devis),
            "nombre_factures": figure(self.nombre_factures),
            "ca_prevu": figure(self.chiffre_affaires_prevu),
            "ca_facture": figure(self.chiffre_affaires_facture),
            "ca_realise": figure(self.chiffre_affaires_realise),
            "taux_conversion": figure(self.taux_conversion_devis),
            "taux_conversion_nombre": figure(self.taux_conversion_nombre),
            "marge_prevue_moyenne": figure(self.marge_prevue_moyenne),
            "marge_reelle_moyenne": figure(self.marge_reelle_moyenne),
            "ecart_marge": figure(self.ecart_marge),
        })
    }
}

impl ServeDocument {
    /// What it holds, in the current shape: the buckets' KPIs (their dates were not kept) or the
    /// period's; invoicing in progress without what it did not keep; no coefficients.
    fn current(self) -> Value {
        let indicateurs: Vec<Value> = if self.evolution_marges.is_empty() {
            let label = match (self.du, self.au) {
                (Some(du), Some(au)) => format!("{} → {}", date_fr(du), date_fr(au)),
                _ => String::new(),
            };
            vec![self.total.row(&label, self.du, self.au)]
        } else {
            self.evolution_marges
                .into_iter()
                .map(|bucket| bucket.indicateurs.row(&bucket.periode, None, None))
                .collect()
        };
        let en_cours: Vec<Value> = self
            .facturation_en_cours
            .into_iter()
            .map(|en_cours| {
                serde_json::json!({
                    "nombre": en_cours.nombre_factures.unwrap_or(Value::Null),
                    "montant_ht": en_cours.montant_total.unwrap_or(Value::Null),
                    "reste_du": Value::Null,
                    "nombre_en_retard": Value::Null,
                    "reste_du_en_retard": Value::Null,
                    "retard_moyen": en_cours.retard_moyen.unwrap_or(Value::Null),
                })
            })
            .collect();
        serde_json::json!({ "indicateurs": indicateurs, "facturation_en_cours": en_cours, "coefficients": [] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_saved_by_an_earlier_serve_reads_in_the_current_shape() {
        let old = r#"{"chiffreAffairesRealise":100,"chiffreAffairesPrevu":200.5,"chiffreAffairesFacture":150,
            "tauxConversionDevis":50,"tauxConversionNombre":null,"margeReelleMoyenne":null,"margePrevueMoyenne":30,
            "ecartMarge":null,"nombreDevis":2,"nombreFactures":1,"du":"2024-01-01","au":"2024-12-31",
            "facturationEnCours":{"montantTotal":80,"nombreFactures":3,"retardMoyen":12.5},"evolutionMarges":[]}"#;
        let current = stored_document(old);
        let row = &current["indicateurs"][0];
        assert_eq!(row["periode"], "01/01/2024 → 31/12/2024");
        assert_eq!(row["ca_prevu"].to_string(), "200.5");
        assert_eq!(row["du"], "2024-01-01");
        assert_eq!(row["taux_conversion"].to_string(), "50");
        assert_eq!(current["facturation_en_cours"][0]["montant_ht"].to_string(), "80");
        assert_eq!(current["facturation_en_cours"][0]["reste_du"], Value::Null, "not kept then");

        let buckets = r#"{"chiffreAffairesPrevu":1,"evolutionMarges":[{"periode":"2024-T1","margeReelle":null,
            "indicateurs":{"chiffreAffairesPrevu":1,"nombreDevis":1}}]}"#;
        let current = stored_document(buckets);
        assert_eq!(current["indicateurs"][0]["periode"], "2024-T1");
        assert_eq!(current["indicateurs"][0]["nombre_devis"], 1);

        let document = r#"{"indicateurs":[{"periode":"x"}],"facturation_en_cours":[],"coefficients":[]}"#;
        assert_eq!(stored_document(document)["indicateurs"][0]["periode"], "x", "the current shape as it is");
        assert_eq!(stored_document("not json"), Value::Null);
    }

    #[test]
    fn a_devis_type_comes_from_its_integration_row_then_from_offers_that_agree() {
        let pair = |numero: &str, kind: &str| (numero.to_owned(), kind.to_owned());
        let links = MenuiserieLinks {
            integrations: vec![pair("DEV-1", "fenetre")],
            offers: vec![
                // The integration row decides over an offer naming another type.
                pair("dev-1 ", "porte"),
                pair("DEV-2", "volet"),
                pair("DEV-2", "volet"),
                pair("DEV-3", "porte"),
                pair("DEV-3", "portail"),
            ],
        };
        let (types, ambiguous) = link_types(&links);
        assert_eq!(types.get("DEV-1").map(String::as_str), Some("fenetre"));
        assert_eq!(types.get("DEV-2").map(String::as_str), Some("volet"));
        assert_eq!(types.get("DEV-3"), None, "two types: not guessed");
        assert_eq!(ambiguous, ["DEV-3"]);
    }
}
