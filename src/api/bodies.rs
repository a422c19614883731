//! The typed bodies of the REST API: what each route takes (query parameters, JSON body) and
//! answers. The keys are those of the original integration (`server/routes-batigest.ts`), which
//! JLM ERP's page reads — camelCase, and Batigest's column names for devis and invoices — with
//! our typed figures: numbers as numbers (exact decimals, never through a float), ISO dates, text
//! ids. `openapi.json` is generated from these types; the query parameters and body fields a route
//! accepts are the ones its type declares.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::app::analytics::{ParMenuiserie, Run};
use crate::jlm::analytics::SavedAnalytics;
use crate::jlm::integrations::IntegrationRow;
use crate::jlm::sync::Report;
use crate::model::Devis;
use crate::output::exact;
use crate::report::coefficients::{CoefficientGroup, GroupKey, NON_CLASSE};
use crate::report::factures::{OpenFacture, Summary, Totals};
use crate::report::kpi::Kpis;
use crate::report::numbers::{round_coefficient, round_money, round_rate};

fn rate(value: Option<Decimal>) -> Option<Decimal> {
    value.map(round_rate)
}

/// A figure that may have no value: a rate over nothing (no devis, no cost) has none (DESIGN
/// §5.1), and 0 would be a false figure. `null` then; a screen shows it as « — ».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure(pub Option<Decimal>);

impl Serialize for Figure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        exact::exact_opt(&self.0, serializer)
    }
}

impl PartialSchema for Figure {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Number, Type::Null]))
            .description(Some(
                "null : aucune valeur (division par zéro, ou rien d'enregistré) ; à afficher « — », jamais 0",
            ))
            .into()
    }
}

impl ToSchema for Figure {}

// ——— Requests ———

/// `GET /devis-clients`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(non_snake_case, dead_code, reason = "the original integration's names; read by the schema only")]
pub struct DevisQuery {
    /// Créés à partir de cette date (incluse), AAAA-MM-JJ ou JJ/MM/AAAA
    startDate: Option<String>,
    /// Créés jusqu'à cette date (incluse)
    endDate: Option<String>,
    /// BROUILLON, VALIDE, ENVOYE, ACCEPTE ou REFUSE
    statut: Option<String>,
    /// Code client
    clientCode: Option<String>,
    /// Nombre maximal de devis (défaut 500)
    limit: Option<u64>,
}

/// `GET /coefficients-marges`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "read by the schema only")]
pub struct CoefficientsQuery {
    /// Seulement cette famille (code)
    famille: Option<String>,
}

/// `GET /facturations-en-cours`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "read by the schema only")]
pub struct FacturesQuery {
    /// Date du rapport (défaut : aujourd'hui)
    au: Option<String>,
    /// Seulement ce client (code)
    client: Option<String>,
}

/// `GET /analytics-history`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "read by the schema only")]
pub struct HistoryQuery {
    /// mensuel, trimestriel, annuel ou global
    periode: Option<String>,
    /// Nombre maximal de calculs (défaut 10)
    limit: Option<u64>,
}

/// `GET /analytics-menuiserie`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(non_snake_case, dead_code, reason = "the original integration's names; read by the schema only")]
pub struct MenuiserieQuery {
    /// Début de la période (incluse ; défaut : 1er janvier de l'année de endDate)
    startDate: Option<String>,
    /// Fin de la période (incluse ; défaut : aujourd'hui)
    endDate: Option<String>,
}

/// `GET /integrations`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "read by the schema only")]
pub struct IntegrationsQuery {
    /// Nombre maximal de lignes
    limit: Option<u64>,
}

/// `POST /sync-offer`.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code, reason = "the original integration's names; read by the schema only")]
pub struct SyncRequest {
    /// L'offre JLM ERP à lier (son identifiant), au lieu de la chercher par référence
    offerId: Option<String>,
    /// Numéro du devis Batigest ou sa référence d'affaire (obligatoire)
    batigestRef: Option<String>,
    /// Montre ce qui changerait sans rien écrire
    dryRun: Option<bool>,
}

/// `POST /generate-analytics`.
#[derive(ToSchema)]
#[allow(non_snake_case, dead_code, reason = "the original integration's names; read by the schema only")]
pub struct AnalyticsRequest {
    /// Début (défaut : 1er janvier de l'année de fin)
    startDate: Option<String>,
    /// Fin (défaut : aujourd'hui)
    endDate: Option<String>,
    /// mensuel, trimestriel ou annuel (sinon : la période entière, enregistrée « global »)
    periode: Option<String>,
}

// ——— Answers ———

/// `GET /healthz`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// `{ success: false, error: { code, message, hint, detail } }`, in French.
#[derive(Serialize, ToSchema)]
pub struct Failure {
    pub success: bool,
    pub error: FailureDetail,
}

#[derive(Serialize, ToSchema)]
pub struct FailureDetail {
    /// requete_invalide, introuvable, batigest_injoignable, magasin_jlm, interrompu, erreur_interne,
    /// non_autorise, trop_de_requetes, trop_gros, delai_depasse, methode_refusee, origine_refusee
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
    pub detail: Option<String>,
}

/// The same, from the HTTP layer itself (no hint beyond a method refused, no detail).
#[derive(Serialize)]
pub struct Refusal<'a> {
    pub success: bool,
    pub error: RefusalDetail<'a>,
}

#[derive(Serialize)]
pub struct RefusalDetail<'a> {
    pub code: &'static str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'static str>,
}

/// `GET /connection-test`: connected, with what the page shows beside the status, or why not.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ConnectionTest {
    Connected {
        connected: bool,
        message: String,
        /// sandbox ou production
        mode: &'static str,
        server: String,
        version: String,
        database: String,
        server_time: NaiveDateTime,
        round_trip_ms: u64,
    },
    Failed {
        connected: bool,
        message: String,
        hint: Option<String>,
    },
}

/// `POST /sync-offer`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncAnswer {
    pub synchronized: bool,
    /// synced, unchanged, manual_review
    pub outcome: &'static str,
    pub message: Option<String>,
    pub dry_run: bool,
    pub numero_devis: String,
    pub offer_id: Option<String>,
    #[schema(inline)]
    pub changes: Vec<SyncChange>,
}

#[derive(Serialize, ToSchema)]
pub struct SyncChange {
    /// offre.montant_final, integration.sync_status…
    pub champ: &'static str,
    pub avant: Option<String>,
    pub apres: Option<String>,
}

impl SyncAnswer {
    pub fn new(report: &Report, dry_run: bool) -> Self {
        let outcome = report.outcome.code();
        Self {
            synchronized: matches!(outcome, "synced" | "unchanged"),
            outcome,
            message: report.note.clone(),
            dry_run,
            numero_devis: report.numero.clone(),
            offer_id: report.offer.as_ref().map(|o| o.id.clone()),
            changes: report
                .changes
                .iter()
                .map(|change| SyncChange { champ: change.field, avant: change.old.clone(), apres: change.new.clone() })
                .collect(),
        }
    }
}

/// A devis, under Batigest's column names.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DevisItem {
    pub numero_devis: String,
    pub reference_affaire: Option<String>,
    pub client_code: Option<String>,
    pub client_nom: Option<String>,
    #[serde(serialize_with = "exact::exact")]
    pub montant_ht: Decimal,
    #[serde(serialize_with = "exact::exact_opt")]
    pub montant_ttc: Option<Decimal>,
    #[serde(serialize_with = "exact::exact_opt")]
    pub taux_marge: Option<Decimal>,
    pub date_creation: NaiveDateTime,
    pub date_validation: Option<NaiveDateTime>,
    pub statut: String,
    pub responsable: Option<String>,
}

impl From<Devis> for DevisItem {
    fn from(devis: Devis) -> Self {
        Self {
            statut: devis.statut.code().to_owned(),
            numero_devis: devis.numero,
            reference_affaire: devis.reference_affaire,
            client_code: devis.client_code,
            client_nom: devis.client_nom,
            montant_ht: devis.montant_ht,
            montant_ttc: devis.montant_ttc,
            taux_marge: devis.taux_marge,
            date_creation: devis.date_creation,
            date_validation: devis.date_validation,
            responsable: devis.responsable,
        }
    }
}

/// `GET /devis-clients`.
#[derive(Serialize, ToSchema)]
pub struct DevisList {
    pub success: bool,
    pub count: usize,
    #[schema(inline)]
    pub devis: Vec<DevisItem>,
}

/// A famille's coefficients, to four decimals.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FamilleItem {
    pub famille: String,
    pub libelle: Option<String>,
    #[serde(serialize_with = "exact::exact")]
    pub coefficient_moyen: Decimal,
    pub nombre_elements: u64,
    #[serde(serialize_with = "exact::exact_opt")]
    pub ecart_type: Option<Decimal>,
    #[serde(serialize_with = "exact::exact")]
    pub min: Decimal,
    #[serde(serialize_with = "exact::exact")]
    pub max: Decimal,
    #[serde(serialize_with = "exact::exact_opt")]
    pub cible: Option<Decimal>,
    pub sous_cible: bool,
}

impl From<&CoefficientGroup<'_>> for FamilleItem {
    fn from(group: &CoefficientGroup<'_>) -> Self {
        let famille = match group.key {
            GroupKey::Famille(classe) | GroupKey::SousFamille { famille: classe, .. } => classe,
            GroupKey::Ouvrage(_) => None,
        };
        Self {
            famille: famille.map_or(NON_CLASSE, |c| c.code.as_str()).to_owned(),
            libelle: famille.map(|c| c.libelle.clone()),
            coefficient_moyen: round_coefficient(group.stats.moyenne),
            nombre_elements: group.stats.nombre,
            ecart_type: group.stats.ecart_type.map(round_coefficient),
            min: round_coefficient(group.stats.min),
            max: round_coefficient(group.stats.max),
            cible: group.cible.map(round_coefficient),
            sous_cible: group.sous_cible,
        }
    }
}

/// `GET /coefficients-marges`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoefficientsAnswer {
    pub success: bool,
    #[schema(inline)]
    pub coefficients_par_famille: Vec<FamilleItem>,
    pub total_ouvrages: usize,
}

/// An open invoice (or credit note), under Batigest's column names, with what the rules add.
#[derive(Serialize, ToSchema)]
pub struct FactureItem {
    #[serde(rename = "NUMERO_FACTURE")]
    pub numero_facture: String,
    #[serde(rename = "NUMERO_DEVIS")]
    pub numero_devis: Option<String>,
    #[serde(rename = "CLIENT_CODE")]
    pub client_code: String,
    #[serde(rename = "CLIENT_NOM")]
    pub client_nom: String,
    #[serde(rename = "MONTANT_HT", serialize_with = "exact::exact")]
    pub montant_ht: Decimal,
    #[serde(rename = "MONTANT_TTC", serialize_with = "exact::exact")]
    pub montant_ttc: Decimal,
    #[serde(rename = "DATE_FACTURE")]
    pub date_facture: NaiveDate,
    #[serde(rename = "DATE_ECHEANCE")]
    pub date_echeance: NaiveDate,
    #[serde(rename = "STATUT_REGLEMENT")]
    pub statut_reglement: &'static str,
    #[serde(rename = "MONTANT_REGLE", serialize_with = "exact::exact_opt")]
    pub montant_regle: Option<Decimal>,
    #[serde(serialize_with = "exact::exact")]
    pub reste_du: Decimal,
    pub jours_retard: u32,
    pub avoir: bool,
    /// non_echu, 1-30, 31-60, 61-90, 90+, avoir, trop_percu
    pub anciennete: &'static str,
}

impl From<&OpenFacture<'_>> for FactureItem {
    fn from(open: &OpenFacture<'_>) -> Self {
        let f = open.facture;
        Self {
            numero_facture: f.numero.clone(),
            numero_devis: f.numero_devis.clone(),
            client_code: f.client_code.clone(),
            client_nom: f.client_nom.clone(),
            montant_ht: f.montant_ht,
            montant_ttc: f.montant_ttc,
            date_facture: f.date_facture,
            date_echeance: f.date_echeance,
            statut_reglement: f.statut_reglement.code(),
            montant_regle: f.montant_regle,
            reste_du: open.reste_du,
            jours_retard: open.jours_retard,
            avoir: open.is_avoir(),
            anciennete: open.anciennete(),
        }
    }
}

/// Open invoices at a date, summed as `factures` sums them; credit notes and overpayments (money
/// owed to customers) in their own list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Analyse {
    pub au: NaiveDate,
    pub nombre_factures: u64,
    #[serde(serialize_with = "exact::exact")]
    pub montant_total: Decimal,
    #[serde(serialize_with = "exact::exact")]
    pub reste_du: Decimal,
    #[serde(serialize_with = "exact::exact")]
    pub montant_en_retard: Decimal,
    pub nombre_en_retard: u64,
    #[serde(serialize_with = "exact::exact_opt")]
    pub retard_moyen: Option<Decimal>,
    pub nombre_avoirs: u64,
    #[serde(serialize_with = "exact::exact")]
    pub avoirs: Decimal,
    pub factures_par_statut: BTreeMap<&'static str, u64>,
    #[schema(inline)]
    pub factures: Vec<FactureItem>,
    #[schema(inline)]
    pub avoirs_non_imputes: Vec<FactureItem>,
}

impl Analyse {
    /// `items` are the open invoices as read, each marked whether it is owed to the customer.
    pub fn new(au: NaiveDate, summary: &Summary, items: Vec<(bool, FactureItem)>) -> Self {
        let totals: &Totals = &summary.totals;
        let (credits, invoices): (Vec<_>, Vec<_>) = items.into_iter().partition(|(owed, _)| *owed);
        Self {
            au,
            nombre_factures: totals.nombre,
            montant_total: totals.montant_ht,
            reste_du: totals.reste_du,
            montant_en_retard: totals.reste_du_en_retard,
            nombre_en_retard: totals.nombre_en_retard,
            retard_moyen: totals.retard_moyen(),
            nombre_avoirs: totals.nombre_avoirs,
            avoirs: totals.avoirs,
            factures_par_statut: summary
                .par_statut
                .iter()
                .filter(|status| status.totals.nombre > 0)
                .map(|status| (status.statut.code(), status.totals.nombre))
                .collect(),
            factures: invoices.into_iter().map(|(_, item)| item).collect(),
            avoirs_non_imputes: credits.into_iter().map(|(_, item)| item).collect(),
        }
    }
}

/// `GET /facturations-en-cours`.
#[derive(Serialize, ToSchema)]
pub struct FacturesAnswer {
    pub success: bool,
    #[schema(inline)]
    pub analyse: Analyse,
}

/// The KPIs of a period, amounts to the cent and rates to two decimals.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KpisItem {
    #[serde(serialize_with = "exact::exact")]
    pub chiffre_affaires_realise: Decimal,
    #[serde(serialize_with = "exact::exact")]
    pub chiffre_affaires_prevu: Decimal,
    #[serde(serialize_with = "exact::exact")]
    pub chiffre_affaires_facture: Decimal,
    #[schema(inline)]
    pub taux_conversion_devis: Figure,
    #[schema(inline)]
    pub taux_conversion_nombre: Figure,
    #[schema(inline)]
    pub marge_reelle_moyenne: Figure,
    #[schema(inline)]
    pub marge_prevue_moyenne: Figure,
    #[schema(inline)]
    pub ecart_marge: Figure,
    pub nombre_devis: u64,
    pub nombre_factures: u64,
}

impl From<&Kpis> for KpisItem {
    fn from(kpis: &Kpis) -> Self {
        Self {
            chiffre_affaires_realise: round_money(kpis.ca_realise),
            chiffre_affaires_prevu: round_money(kpis.ca_prevu),
            chiffre_affaires_facture: round_money(kpis.ca_facture),
            taux_conversion_devis: Figure(rate(kpis.taux_conversion)),
            taux_conversion_nombre: Figure(rate(kpis.taux_conversion_nombre)),
            marge_reelle_moyenne: Figure(rate(kpis.marge_reelle_moyenne)),
            marge_prevue_moyenne: Figure(rate(kpis.marge_prevue_moyenne)),
            ecart_marge: Figure(rate(kpis.ecart_marge)),
            nombre_devis: kpis.nombre_devis,
            nombre_factures: kpis.nombre_factures,
        }
    }
}

/// Invoicing in progress at the period's end.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnCoursItem {
    #[serde(serialize_with = "exact::exact")]
    pub montant_total: Decimal,
    pub nombre_factures: u64,
    #[serde(serialize_with = "exact::exact_opt")]
    pub retard_moyen: Option<Decimal>,
}

/// One bucket's margins, and its KPIs.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketItem {
    /// 2024-01, 2024-T1, 2024
    pub periode: String,
    #[serde(serialize_with = "exact::exact_opt")]
    pub marge_reelle: Option<Decimal>,
    #[serde(serialize_with = "exact::exact_opt")]
    pub marge_prevue: Option<Decimal>,
    #[serde(serialize_with = "exact::exact_opt")]
    pub ecart: Option<Decimal>,
    #[schema(inline)]
    pub indicateurs: KpisItem,
}

/// The KPIs of a run, its period, invoicing in progress and the evolution by bucket.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsItem {
    #[serde(flatten)]
    #[schema(inline)]
    pub total: KpisItem,
    pub du: NaiveDate,
    pub au: NaiveDate,
    #[schema(inline)]
    pub facturation_en_cours: EnCoursItem,
    #[schema(inline)]
    pub evolution_marges: Vec<BucketItem>,
}

impl From<&Run> for AnalyticsItem {
    fn from(run: &Run) -> Self {
        let report = &run.report;
        Self {
            total: KpisItem::from(&report.total),
            du: report.period.from(),
            au: report.period.to(),
            facturation_en_cours: EnCoursItem {
                montant_total: run.en_cours.montant_ht,
                nombre_factures: run.en_cours.nombre,
                retard_moyen: run.en_cours.retard_moyen(),
            },
            evolution_marges: report
                .buckets
                .iter()
                .map(|(bucket, kpis)| BucketItem {
                    periode: bucket.label.clone(),
                    marge_reelle: rate(kpis.marge_reelle_moyenne),
                    marge_prevue: rate(kpis.marge_prevue_moyenne),
                    ecart: rate(kpis.ecart_marge),
                    indicateurs: KpisItem::from(kpis),
                })
                .collect(),
        }
    }
}

/// The run as saved: its id and `periode` label.
#[derive(Serialize, ToSchema)]
pub struct SavedItem {
    pub id: String,
    /// mensuel, trimestriel, annuel ou global
    pub periode: &'static str,
}

/// The KPIs of the devis of one `menuiserie_type`.
#[derive(Serialize, ToSchema)]
pub struct MenuiserieItem {
    /// Le type de menuiserie des offres ; null : devis rattachés à aucune offre et factures sans devis
    pub menuiserie: Option<String>,
    #[schema(inline)]
    pub indicateurs: KpisItem,
}

/// `GET /analytics-menuiserie`: one item per type, the period's total, the devis whose offers
/// disagree on the type (counted under `null`).
#[derive(Serialize, ToSchema)]
pub struct MenuiserieAnswer {
    pub success: bool,
    pub du: NaiveDate,
    pub au: NaiveDate,
    #[schema(inline)]
    pub menuiseries: Vec<MenuiserieItem>,
    #[schema(inline)]
    pub total: KpisItem,
    pub ambigus: Vec<String>,
}

impl From<&ParMenuiserie> for MenuiserieAnswer {
    fn from(par: &ParMenuiserie) -> Self {
        Self {
            success: true,
            du: par.period.from(),
            au: par.period.to(),
            menuiseries: par
                .groups
                .iter()
                .map(|(menuiserie, kpis)| MenuiserieItem {
                    menuiserie: menuiserie.clone(),
                    indicateurs: KpisItem::from(kpis),
                })
                .collect(),
            total: KpisItem::from(&par.total),
            ambigus: par.ambiguous.clone(),
        }
    }
}

/// `POST /generate-analytics`.
#[derive(Serialize, ToSchema)]
pub struct AnalyticsAnswer {
    pub success: bool,
    #[schema(inline)]
    pub analytics: AnalyticsItem,
    #[schema(inline)]
    pub saved: SavedItem,
}

/// A saved run. A figure with no value is `null`, never 0: a rate over nothing (no devis, no
/// cost) has none (DESIGN §5.1), and 0 would be a false figure; a screen shows it as « — ».
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub id: String,
    /// date et heure ISO 8601 (UTC)
    #[schema(nullable)]
    pub generated_at: Option<NaiveDateTime>,
    /// mensuel, trimestriel, annuel, ou global (sans découpage ; un tel calcul enregistré « personnalise » par une
    /// version antérieure de serve est lu « global »)
    pub periode: String,
    #[schema(inline)]
    pub chiffre_affaires_realise: Figure,
    #[schema(inline)]
    pub chiffre_affaires_prevu: Figure,
    #[schema(inline)]
    pub taux_conversion: Figure,
    #[schema(inline)]
    pub marge_reelle_moyenne: Figure,
    #[schema(inline)]
    pub marge_prevue_moyenne: Figure,
    /// null : aucune valeur (division par zéro, ou rien d'enregistré) ; à afficher « — », jamais 0
    #[schema(nullable)]
    pub nombre_devis: Option<i64>,
    /// null : aucune valeur (division par zéro, ou rien d'enregistré) ; à afficher « — », jamais 0
    #[schema(nullable)]
    pub nombre_factures: Option<i64>,
}

impl From<&SavedAnalytics> for HistoryItem {
    fn from(row: &SavedAnalytics) -> Self {
        let a = &row.analytics;
        Self {
            id: row.id.clone(),
            generated_at: row.generated_at,
            periode: a.periode.clone(),
            chiffre_affaires_realise: Figure(a.ca_realise),
            chiffre_affaires_prevu: Figure(a.ca_prevu),
            taux_conversion: Figure(a.taux_conversion),
            marge_reelle_moyenne: Figure(rate(a.marge_reelle_moyenne)),
            marge_prevue_moyenne: Figure(rate(a.marge_prevue_moyenne)),
            nombre_devis: a.nombre_devis,
            nombre_factures: a.nombre_factures,
        }
    }
}

/// `GET /analytics-history`.
#[derive(Serialize, ToSchema)]
pub struct HistoryAnswer {
    pub success: bool,
    pub count: usize,
    #[schema(inline)]
    pub analytics: Vec<HistoryItem>,
}

/// A synced devis' integration row.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationItem {
    pub offer_id: Option<String>,
    pub batigest_ref: Option<String>,
    pub numero_devis: String,
    #[serde(serialize_with = "exact::exact_opt")]
    pub montant_batigest: Option<Decimal>,
    #[serde(serialize_with = "exact::exact_opt")]
    pub taux_marge: Option<Decimal>,
    pub statut_batigest: Option<String>,
    /// pending, synced, error, manual_review
    pub sync_status: String,
    pub last_sync_at: Option<NaiveDateTime>,
    pub error_message: Option<String>,
}

/// Its JLM ERP offer, when the store has `offers`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfferItem {
    pub id: Option<String>,
    pub reference: Option<String>,
    pub client: Option<String>,
    pub status: Option<String>,
    #[serde(serialize_with = "exact::exact_opt")]
    pub montant_final: Option<Decimal>,
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationEntry {
    #[schema(inline)]
    pub integration: IntegrationItem,
    #[schema(inline)]
    pub offer: OfferItem,
}

impl From<IntegrationRow> for IntegrationEntry {
    fn from(row: IntegrationRow) -> Self {
        Self {
            offer: OfferItem {
                id: row.offer_id.clone(),
                reference: row.offre_reference,
                client: row.offre_client,
                status: row.offre_statut,
                montant_final: row.montant_final,
            },
            integration: IntegrationItem {
                offer_id: row.offer_id,
                batigest_ref: row.batigest_ref,
                numero_devis: row.numero_devis,
                montant_batigest: row.montant_batigest,
                taux_marge: rate(row.taux_marge),
                statut_batigest: row.statut_batigest,
                sync_status: row.sync_status,
                last_sync_at: row.last_sync_at,
                error_message: row.error_message,
            },
        }
    }
}

/// `GET /integrations`.
#[derive(Serialize, ToSchema)]
pub struct IntegrationsAnswer {
    pub success: bool,
    pub count: usize,
    #[schema(inline)]
    pub integrations: Vec<IntegrationEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionStatus {
    pub connected: bool,
    pub message: String,
}

/// The year's KPIs as the original page reads them.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct YearItem {
    #[serde(serialize_with = "exact::exact")]
    pub ca_realise: Decimal,
    #[serde(serialize_with = "exact::exact")]
    pub ca_prevu: Decimal,
    #[serde(serialize_with = "exact::exact_opt")]
    pub taux_marge: Option<Decimal>,
    pub devis_soumis: u64,
    pub du: NaiveDate,
    pub au: NaiveDate,
    #[schema(inline)]
    pub indicateurs: KpisItem,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardItem {
    #[schema(inline)]
    pub connection_status: ConnectionStatus,
    #[schema(inline)]
    pub analyse: YearItem,
    #[schema(inline)]
    pub facturation: Analyse,
    pub last_update: NaiveDateTime,
}

/// `GET /dashboard`.
#[derive(Serialize, ToSchema)]
pub struct DashboardAnswer {
    pub success: bool,
    #[schema(inline)]
    pub dashboard: DashboardItem,
}

/// `GET /openapi.json`: this document.
#[derive(ToSchema)]
#[allow(dead_code, reason = "read by the schema only")]
pub struct Document {
    openapi: String,
}

/// `GET /sync-status`: the automatic sync that `serve --sync-interval` runs, as of its last pass.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether this server runs the automatic sync (`serve --sync-interval`).
    pub active: bool,
    /// The time between two passes, in seconds (fractions for less than a second).
    pub interval_seconds: Option<f64>,
    /// Passes made since the server started, failed ones included.
    pub passes: u64,
    /// Failed passes in a row (0 after a pass that went through).
    pub consecutive_failures: u32,
    /// Another watcher keeps the store current: this server waits for its turn.
    pub waiting: bool,
    #[schema(inline)]
    pub last_pass: Option<SyncPass>,
    #[schema(inline)]
    pub last_error: Option<SyncFailure>,
}

/// The last pass that went through (UTC times).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncPass {
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    /// Months of devis read again (0: nothing had changed in Batigest).
    pub months_read: usize,
    /// Devis that changed in JLM ERP.
    pub changed: usize,
    pub synced: i64,
    pub manual_review: i64,
    pub errors: i64,
}

/// The last failed pass (UTC time), and when the next is tried.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncFailure {
    pub at: NaiveDateTime,
    pub message: String,
    pub hint: Option<String>,
    pub next_attempt_in_seconds: f64,
}
