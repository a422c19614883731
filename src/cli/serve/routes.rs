//! The nine routes of the original integration (`server/routes-batigest.ts`), same paths, same
//! inputs (camelCase), and the keys its page reads — with our typed figures (numbers as numbers,
//! ISO dates, text ids). Each route calls the services its command calls: the queries of
//! `batigest`, the rules of `report`, the store of `jlm`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State as Shared};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::http::{BODY_LIMIT, error_response};
use crate::batigest::connection;
use crate::batigest::queries::{self, DevisFilter};
use crate::batigest::{analytics, statuses};
use crate::cli::context::Batigest;
use crate::cli::values;
use crate::error::{Error, Kind, Result};
use crate::jlm::Store;
use crate::jlm::analytics::Analytics;
use crate::jlm::sync::{One, Relink};
use crate::model::{Devis, Facture};
use crate::output::json::{date, number as num};
use crate::report::coefficients::{self, GroupKey, Grouping};
use crate::report::factures::{OpenFacture, Totals};
use crate::report::kpi::{Granularity, Kpis, MAX_BUCKETS, Period};
use crate::report::numbers::{round_coefficient, round_money, round_rate};

/// What the routes share: the resolved Batigest settings and the store, opened on first use
/// (a store down at start-up does not stop the Batigest routes; it is tried again next time).
pub struct State {
    batigest: Batigest,
    /// Batigest connections kept open between requests.
    pool: super::pool::Pool,
    store: tokio::sync::OnceCell<Store>,
    /// One sync at a time, as two CLI runs are serialised by the store's lock.
    sync: tokio::sync::Mutex<()>,
}

impl State {
    pub fn new(batigest: Batigest) -> Result<Self> {
        let pool = super::pool::new(&batigest.target, &batigest.password.secret)?;
        Ok(Self { batigest, pool, store: tokio::sync::OnceCell::new(), sync: tokio::sync::Mutex::new(()) })
    }

    async fn store(&self) -> Result<&Store> {
        self.store.get_or_try_init(|| self.batigest.store()).await
    }

    async fn connect(&self) -> Result<super::pool::Lent> {
        super::pool::lend(&self.pool, &self.batigest.target).await
    }
}

type App = Arc<State>;

/// One route as the OpenAPI document lists it; its query parameters and body fields are the only
/// ones it accepts.
pub struct Route {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    query: &'static [&'static str],
    body: &'static [&'static str],
}

const DEVIS_QUERY: &[&str] = &["startDate", "endDate", "statut", "clientCode", "limit"];
const COEFFICIENTS_QUERY: &[&str] = &["famille"];
const FACTURES_QUERY: &[&str] = &["au", "client"];
const HISTORY_QUERY: &[&str] = &["periode", "limit"];
const INTEGRATIONS_QUERY: &[&str] = &["limit"];
const SYNC_BODY: &[&str] = &["offerId", "batigestRef", "dryRun"];
const ANALYTICS_BODY: &[&str] = &["startDate", "endDate", "periode"];

const fn route(method: &'static str, path: &'static str, summary: &'static str) -> Route {
    Route { method, path, summary, query: &[], body: &[] }
}

pub const ROUTES: [Route; 11] = [
    route("get", "/healthz", "Le service répond (sans jeton, sans appel à Batigest)"),
    route("get", "/api/batigest/openapi.json", "Ce document"),
    route("get", "/api/batigest/connection-test", "Teste la connexion à Batigest"),
    Route {
        body: SYNC_BODY,
        ..route("post", "/api/batigest/sync-offer", "Synchronise un devis Batigest vers une offre JLM ERP")
    },
    Route { query: DEVIS_QUERY, ..route("get", "/api/batigest/devis-clients", "Devis clients") },
    Route {
        query: COEFFICIENTS_QUERY,
        ..route("get", "/api/batigest/coefficients-marges", "Coefficients de marge par famille")
    },
    Route {
        query: FACTURES_QUERY,
        ..route(
            "get",
            "/api/batigest/facturations-en-cours",
            "Factures en attente de paiement ; avoirs et trop-perçus à part",
        )
    },
    Route {
        body: ANALYTICS_BODY,
        ..route("post", "/api/batigest/generate-analytics", "Calcule et enregistre les indicateurs")
    },
    Route { query: HISTORY_QUERY, ..route("get", "/api/batigest/analytics-history", "Historique des indicateurs") },
    Route { query: INTEGRATIONS_QUERY, ..route("get", "/api/batigest/integrations", "Suivi des synchronisations") },
    route("get", "/api/batigest/dashboard", "Tableau de bord consolidé"),
];

pub fn router(state: App) -> Router {
    Router::new()
        .route("/healthz", get(|| async { axum::Json(json!({ "status": "ok" })) }))
        .route("/api/batigest/openapi.json", get(openapi))
        .route("/api/batigest/connection-test", get(connection_test))
        .route("/api/batigest/sync-offer", post(sync_offer))
        .route("/api/batigest/devis-clients", get(devis_clients))
        .route("/api/batigest/coefficients-marges", get(coefficients_marges))
        .route("/api/batigest/facturations-en-cours", get(facturations_en_cours))
        .route("/api/batigest/generate-analytics", post(generate_analytics))
        .route("/api/batigest/analytics-history", get(analytics_history))
        .route("/api/batigest/integrations", get(integrations))
        .route("/api/batigest/dashboard", get(dashboard))
        .fallback(|| async {
            error_response(
                &Error::new(Kind::NotFound, "route inconnue").with_hint("GET /api/batigest/openapi.json les liste"),
            )
        })
        // The route exists, not with this method: JSON too, with the methods it takes in `Allow`.
        .method_not_allowed_fallback(|method: axum::http::Method, uri: axum::http::Uri| async move {
            let body = json!({ "success": false, "error": {
                "code": "methode_refusee",
                "message": format!("méthode {method} refusée sur {}", uri.path()),
                "hint": "l'en-tête Allow donne les méthodes acceptées ; GET /api/batigest/openapi.json décrit chaque route",
            } });
            (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
        })
        .with_state(state)
}

/// A route's answer: its JSON, or the error as JSON with its status.
fn answer(result: Result<Value>) -> Response {
    match result {
        Ok(value) => axum::Json(value).into_response(),
        Err(error) => error_response(&error),
    }
}

fn opt_num(value: Option<Decimal>) -> Value {
    value.map_or(Value::Null, num)
}

/// A rate as the commands show it: two decimals, half away from zero.
fn rate(value: Option<Decimal>) -> Value {
    opt_num(value.map(round_rate))
}

/// A coefficient as the commands show it: four decimals.
fn coef(value: Decimal) -> Value {
    num(round_coefficient(value))
}

/// ISO 8601: `2024-01-31T10:15:30.123`.
fn datetime(value: chrono::NaiveDateTime) -> Value {
    Value::String(value.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
}

fn opt_datetime(value: Option<chrono::NaiveDateTime>) -> Value {
    value.map_or(Value::Null, datetime)
}

/// A route's query parameters: each one the route knows, each at most once (`limit=1&limit=2`
/// silently took the last; a misspelt name was silently ignored).
type Params = HashMap<String, String>;

fn params(raw: Option<&str>, known: &[&str]) -> Result<Params> {
    let mut params = Params::new();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if !known.contains(&name.as_ref()) {
            return Err(unknown("paramètre", &name, known));
        }
        if params.insert(name.clone().into_owned(), value.into_owned()).is_some() {
            return Err(Error::usage(format!("paramètre {name} donné deux fois : une seule valeur est attendue")));
        }
    }
    Ok(params)
}

/// A parameter or body field the route does not know, with the one meant when only its case differs.
fn unknown(what: &str, name: &str, known: &[&str]) -> Error {
    let accepted = if known.is_empty() {
        "cette route n'en accepte aucun".to_owned()
    } else {
        format!("cette route accepte {}", known.join(", "))
    };
    let error = Error::usage(format!("{what} inconnu « {name} » : {accepted}"));
    match known.iter().find(|known| known.eq_ignore_ascii_case(name)) {
        Some(meant) => error.with_hint(format!("vouliez-vous dire {meant} ? (la casse compte)")),
        None => error.with_hint("GET /api/batigest/openapi.json décrit chaque route"),
    }
}

/// A query parameter read with the command's own parser; the error names the parameter.
fn param<T>(query: &Params, name: &str, parse: fn(&str) -> std::result::Result<T, String>) -> Result<Option<T>> {
    query
        .get(name)
        .filter(|value| !value.trim().is_empty())
        .map(|value| parse(value).map_err(|why| Error::usage(format!("paramètre {name} « {value} » invalide : {why}"))))
        .transpose()
}

/// A JSON object's members in their order, repeated names kept (serde_json's map keeps the last).
struct Members(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("un objet JSON")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    members.push((name, map.next_value()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// The JSON body, at most BODY_LIMIT bytes: an object whose every field the route knows, each
/// once. A misspelt `dryrun` was ignored (the sync ran for real), and of two `dryRun` the last won.
async fn json_body(body: Body, known: &[&str]) -> std::result::Result<Value, Response> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(json!({ "success": false, "error": { "code": "trop_gros", "message": format!("corps de requête trop gros ({BODY_LIMIT} octets au plus)") } })),
        )
            .into_response()
    })?;
    let text = if bytes.is_empty() { "{}" } else { std::str::from_utf8(&bytes).unwrap_or("\u{0}") };
    let Ok(Members(members)) = serde_json::from_str::<Members>(text) else {
        return Err(error_response(
            &Error::usage("corps de requête invalide : un objet JSON est attendu")
                .with_hint("exemple : { \"offerId\": \"…\", \"batigestRef\": \"DEVIS-2024-001\" }"),
        ));
    };
    let mut object = serde_json::Map::new();
    for (name, value) in members {
        if !known.contains(&name.as_str()) {
            return Err(error_response(&unknown("champ", &name, known)));
        }
        if object.contains_key(&name) {
            return Err(error_response(&Error::usage(format!(
                "champ {name} donné deux fois : une seule valeur est attendue"
            ))));
        }
        object.insert(name, value);
    }
    Ok(Value::Object(object))
}

fn text_field<'a>(body: &'a Value, name: &str) -> Result<Option<&'a str>> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.as_str()).filter(|text| !text.trim().is_empty())),
        Some(_) => Err(Error::usage(format!("champ {name} : une chaîne est attendue"))),
    }
}

async fn openapi() -> Response {
    let mut paths = serde_json::Map::new();
    for route in &ROUTES {
        let mut success = json!({ "description": "succès" });
        if route.path == "/api/batigest/analytics-history" {
            success["content"] = json!({ "application/json": { "schema": history_schema() } });
        }
        let mut operation = json!({
            "summary": route.summary,
            "security": if route.path == "/healthz" { json!([]) } else { json!([{ "bearer": [] }]) },
            "responses": {
                "200": success,
                "4XX": { "description": "erreur : { success: false, error: { code, message, hint } } ; un paramètre ou un champ inconnu, ou donné deux fois, est refusé (400)" },
            },
        });
        if !route.query.is_empty() {
            operation["parameters"] = route
                .query
                .iter()
                .map(|name| json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" } }))
                .collect();
        }
        if !route.body.is_empty() {
            let fields: serde_json::Map<String, Value> =
                route.body.iter().map(|name| ((*name).to_owned(), json!({}))).collect();
            operation["requestBody"] = json!({ "content": { "application/json": { "schema": {
                "type": "object", "properties": fields, "additionalProperties": false,
            } } } });
        }
        let entry = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    axum::Json(json!({
        "openapi": "3.0.3",
        "info": { "title": "jlm-batigest", "version": env!("CARGO_PKG_VERSION") },
        "components": { "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } } },
        "paths": paths,
    }))
    .into_response()
}

/// `analytics-history`'s answer. A figure with no value is `null`, never 0: a rate over nothing
/// (no devis, no cost) has none (DESIGN §5.1), and 0 would be a false figure. A screen shows it
/// as « — » (`Number(null)` is 0 and `parseFloat(null)` NaN: neither is right).
fn history_schema() -> Value {
    let nullable =
        |kind: &str, description: &str| json!({ "type": kind, "nullable": true, "description": description });
    let none = "null : aucune valeur (division par zéro, ou rien d'enregistré) ; à afficher « — », jamais 0";
    json!({
        "type": "object",
        "properties": {
            "success": { "type": "boolean" },
            "count": { "type": "integer" },
            "analytics": { "type": "array", "items": { "type": "object", "properties": {
                "id": { "type": "string" },
                "generatedAt": nullable("string", "date et heure ISO 8601 (UTC)"),
                "periode": { "type": "string", "description": "mensuel, trimestriel, annuel, ou global (sans découpage ; « personnalise » pour un tel calcul enregistré par une version antérieure de serve)" },
                "chiffreAffairesRealise": nullable("number", none),
                "chiffreAffairesPrevu": nullable("number", none),
                "tauxConversion": nullable("number", none),
                "margeReelleMoyenne": nullable("number", none),
                "margePrevueMoyenne": nullable("number", none),
                "nombreDevis": nullable("integer", none),
                "nombreFactures": nullable("integer", none),
            } } },
        },
    })
}

async fn connection_test(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    if let Err(error) = params(raw.as_deref(), &[]) {
        return error_response(&error);
    }
    let target = &app.batigest.target;
    let result = async {
        let mut client = app.connect().await?;
        Ok::<_, Error>(connection::server_status(&mut client, target).await?)
    }
    .await;
    axum::Json(match result {
        Ok(status) => json!({
            "connected": true,
            "message": format!("Connexion à Batigest réussie ({})", target.describe()),
            // What the original page shows beside the status.
            "mode": if status.sandbox { "sandbox" } else { "production" },
            "server": target.describe(),
            "version": status.version,
            "database": status.database,
            "server_time": datetime(status.server_time),
            "round_trip_ms": status.round_trip.as_millis() as u64,
        }),
        Err(error) => json!({ "connected": false, "message": error.message, "hint": error.hint }),
    })
    .into_response()
}

fn devis_json(devis: &Devis) -> Value {
    json!({
        "NUMERO_DEVIS": devis.numero,
        "REFERENCE_AFFAIRE": devis.reference_affaire,
        "CLIENT_CODE": devis.client_code,
        "CLIENT_NOM": devis.client_nom,
        "MONTANT_HT": num(devis.montant_ht),
        "MONTANT_TTC": opt_num(devis.montant_ttc),
        "TAUX_MARGE": opt_num(devis.taux_marge),
        "DATE_CREATION": datetime(devis.date_creation),
        "DATE_VALIDATION": opt_datetime(devis.date_validation),
        "STATUT": devis.statut.code(),
        "RESPONSABLE": devis.responsable,
    })
}

async fn devis_clients(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = params(raw.as_deref(), DEVIS_QUERY)?;
            let filter = DevisFilter {
                from: param(&query, "startDate", values::date)?,
                to: param(&query, "endDate", values::date)?,
                statuts: param(&query, "statut", values::statut)?.into_iter().collect(),
                client: query.get("clientCode").filter(|c| !c.trim().is_empty()).cloned(),
                limit: Some(param(&query, "limit", values::positive)?.unwrap_or(500)),
            };
            let mut client = app.connect().await?;
            if !filter.statuts.is_empty() {
                app.batigest.check_statuses(&mut client, &[statuses::DEVIS]).await?;
            }
            let mut devis = Vec::new();
            queries::devis(&mut client, &app.batigest.mapping, &filter, app.batigest.target.timeout, |d| {
                devis.push(devis_json(&d));
                Ok::<_, Error>(())
            })
            .await?;
            Ok(json!({ "success": true, "count": devis.len(), "devis": devis }))
        }
        .await,
    )
}

async fn coefficients_marges(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = params(raw.as_deref(), COEFFICIENTS_QUERY)?;
            let famille = query.get("famille").filter(|f| !f.trim().is_empty());
            let mut client = app.connect().await?;
            let mut ouvrages = Vec::new();
            queries::ouvrages(
                &mut client,
                &app.batigest.mapping,
                famille.map(String::as_str),
                app.batigest.target.timeout,
                |o| {
                    ouvrages.push(o);
                    Ok::<_, Error>(())
                },
            )
            .await?;
            let settings = app.batigest.coefficient_settings(Grouping::Famille);
            let report = coefficients::analyse(&ouvrages, &settings);
            let familles: Vec<Value> = report
                .groups
                .iter()
                .map(|group| {
                    let famille = match group.key {
                        GroupKey::Famille(classe) | GroupKey::SousFamille { famille: classe, .. } => classe,
                        GroupKey::Ouvrage(_) => None,
                    };
                    json!({
                        "famille": famille.map_or(coefficients::NON_CLASSE, |c| c.code.as_str()),
                        "libelle": famille.map(|c| c.libelle.as_str()),
                        "coefficientMoyen": coef(group.stats.moyenne),
                        "nombreElements": group.stats.nombre,
                        "ecartType": group.stats.ecart_type.map_or(Value::Null, coef),
                        "min": coef(group.stats.min),
                        "max": coef(group.stats.max),
                        "cible": group.cible.map_or(Value::Null, coef),
                        "sousCible": group.sous_cible,
                    })
                })
                .collect();
            Ok(json!({ "success": true, "coefficientsParFamille": familles, "totalOuvrages": report.ouvrages.len() }))
        }
        .await,
    )
}

fn facture_json(open: &OpenFacture<'_>) -> Value {
    let f: &Facture = open.facture;
    json!({
        "NUMERO_FACTURE": f.numero,
        "NUMERO_DEVIS": f.numero_devis,
        "CLIENT_CODE": f.client_code,
        "CLIENT_NOM": f.client_nom,
        "MONTANT_HT": num(f.montant_ht),
        "MONTANT_TTC": num(f.montant_ttc),
        "DATE_FACTURE": date(f.date_facture),
        "DATE_ECHEANCE": date(f.date_echeance),
        "STATUT_REGLEMENT": f.statut_reglement.code(),
        "MONTANT_REGLE": opt_num(f.montant_regle),
        "reste_du": num(open.reste_du),
        "jours_retard": open.jours_retard,
        "avoir": open.is_avoir(),
        "anciennete": open.anciennete(),
    })
}

/// Open invoices at `au` (default today), as `factures` lists them, summed by its rule.
async fn open_invoices(app: &State, au: NaiveDate, client_code: Option<&str>) -> Result<Vec<Facture>> {
    let mut client = app.connect().await?;
    app.batigest.check_statuses(&mut client, &[statuses::FACTURES]).await?;
    let mut factures = Vec::new();
    queries::factures_ouvertes(&mut client, &app.batigest.mapping, client_code, au, app.batigest.target.timeout, |f| {
        factures.push(f);
        Ok::<_, Error>(())
    })
    .await?;
    Ok(factures)
}

fn analyse_json(factures: &[Facture], au: NaiveDate) -> Value {
    let open: Vec<OpenFacture<'_>> = factures.iter().filter_map(|f| OpenFacture::new(f, au)).collect();
    let mut totals = Totals::default();
    let mut par_statut: BTreeMap<&str, u64> = BTreeMap::new();
    for facture in &open {
        totals.add(facture);
        if !facture.owed_to_customer() {
            *par_statut.entry(facture.facture.statut_reglement.code()).or_default() += 1;
        }
    }
    // Credit notes and overpaid invoices are owed to customers: their own list, as `factures`
    // keeps them apart (DESIGN §5.3); `factures` holds what customers owe, as `nombreFactures` counts.
    let (credits, invoices): (Vec<_>, Vec<_>) = open.iter().partition(|facture| facture.owed_to_customer());
    json!({
        "au": date(au),
        "nombreFactures": totals.nombre,
        "montantTotal": num(totals.montant_ht),
        "resteDu": num(totals.reste_du),
        "montantEnRetard": num(totals.reste_du_en_retard),
        "nombreEnRetard": totals.nombre_en_retard,
        "retardMoyen": opt_num(totals.retard_moyen()),
        "nombreAvoirs": totals.nombre_avoirs,
        "avoirs": num(totals.avoirs),
        "facturesParStatut": par_statut,
        "factures": invoices.into_iter().map(facture_json).collect::<Vec<_>>(),
        "avoirsNonImputes": credits.into_iter().map(facture_json).collect::<Vec<_>>(),
    })
}

async fn facturations_en_cours(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = params(raw.as_deref(), FACTURES_QUERY)?;
            let au = param(&query, "au", values::date)?.unwrap_or_else(|| chrono::Local::now().date_naive());
            let client_code = query.get("client").filter(|c| !c.trim().is_empty());
            let factures = open_invoices(&app, au, client_code.map(String::as_str)).await?;
            Ok(json!({ "success": true, "analyse": analyse_json(&factures, au) }))
        }
        .await,
    )
}

fn kpis_json(kpis: &Kpis) -> Value {
    json!({
        "chiffreAffairesRealise": num(round_money(kpis.ca_realise)),
        "chiffreAffairesPrevu": num(round_money(kpis.ca_prevu)),
        "chiffreAffairesFacture": num(round_money(kpis.ca_facture)),
        "tauxConversionDevis": rate(kpis.taux_conversion),
        "tauxConversionNombre": rate(kpis.taux_conversion_nombre),
        "margeReelleMoyenne": rate(kpis.marge_reelle_moyenne),
        "margePrevueMoyenne": rate(kpis.marge_prevue_moyenne),
        "ecartMarge": rate(kpis.ecart_marge),
        "nombreDevis": kpis.nombre_devis,
        "nombreFactures": kpis.nombre_factures,
    })
}

async fn generate_analytics(Shared(app): Shared<App>, RawQuery(raw): RawQuery, body: Body) -> Response {
    if let Err(error) = params(raw.as_deref(), &[]) {
        return error_response(&error);
    }
    let body = match json_body(body, ANALYTICS_BODY).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    answer(
        async {
            let field_date = |name: &str| -> Result<Option<NaiveDate>> {
                text_field(&body, name)?
                    .map(|text| {
                        values::date(text)
                            .map_err(|why| Error::usage(format!("champ {name} « {text} » invalide : {why}")))
                    })
                    .transpose()
            };
            let today = chrono::Local::now().date_naive();
            let to = field_date("endDate")?.unwrap_or(today);
            let from =
                field_date("startDate")?.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
            let period = Period::new(from, to).map_err(|e| Error::usage(e.to_string()))?;
            let periode = text_field(&body, "periode")?;
            let granularity = match periode {
                None => None,
                Some("mensuel") => Some(Granularity::Month),
                Some("trimestriel") => Some(Granularity::Quarter),
                Some("annuel") => Some(Granularity::Year),
                Some(other) => {
                    return Err(Error::usage(format!(
                        "champ periode « {other} » invalide : mensuel, trimestriel ou annuel"
                    )));
                }
            };
            if let Some(granularity) = granularity {
                period.check_buckets(granularity).map_err(|e| {
                    Error::usage(format!("champ periode : {e}")).with_hint(format!(
                        "raccourcissez la période (startDate, endDate) ou découpez-la plus large (trimestriel, annuel) : \
                         {MAX_BUCKETS} mois, trimestres ou années au plus"
                    ))
                })?;
            }
            let mut client = app.connect().await?;
            app.batigest.check_statuses(&mut client, &[statuses::DEVIS, statuses::FACTURES]).await?;
            let b = &app.batigest;
            let report = analytics::report(
                &mut client,
                &b.mapping,
                b.settings.marge_base.value,
                (period, granularity),
                b.target.timeout,
            )
            .await?;
            let en_cours = analytics::en_cours(&mut client, &b.mapping, period.to(), b.target.timeout).await?;
            let mut document = kpis_json(&report.total);
            document["du"] = date(period.from());
            document["au"] = date(period.to());
            document["facturationEnCours"] = json!({
                "montantTotal": num(en_cours.montant_ht),
                "nombreFactures": en_cours.nombre,
                "retardMoyen": opt_num(en_cours.retard_moyen()),
            });
            document["evolutionMarges"] = report
                .buckets
                .iter()
                .map(|(bucket, kpis)| {
                    json!({
                        "periode": bucket.label,
                        "margeReelle": rate(kpis.marge_reelle_moyenne),
                        "margePrevue": rate(kpis.marge_prevue_moyenne),
                        "ecart": rate(kpis.ecart_marge),
                        "indicateurs": kpis_json(kpis),
                    })
                })
                .collect();
            let total = &report.total;
            let saved = Analytics {
                // As `analytics` saves a run without buckets.
                periode: periode.unwrap_or("global").to_owned(),
                ca_realise: Some(total.ca_realise),
                ca_prevu: Some(total.ca_prevu),
                taux_conversion: total.taux_conversion,
                marge_reelle_moyenne: total.marge_reelle_moyenne,
                marge_prevue_moyenne: total.marge_prevue_moyenne,
                nombre_devis: i64::try_from(total.nombre_devis).ok(),
                nombre_factures: i64::try_from(total.nombre_factures).ok(),
                data_json: Some(document.to_string()),
            };
            let id = app.store().await?.save_analytics(&saved).await?;
            Ok(json!({ "success": true, "analytics": document, "saved": { "id": id, "periode": saved.periode } }))
        }
        .await,
    )
}

/// The `periode` of a saved run, as `analytics history --periode` takes it.
fn saved_periode(text: &str) -> std::result::Result<&'static str, String> {
    ["mensuel", "trimestriel", "annuel", "global"]
        .into_iter()
        .find(|known| *known == text.trim())
        .ok_or_else(|| "mensuel, trimestriel, annuel ou global attendu".to_owned())
}

async fn analytics_history(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = params(raw.as_deref(), HISTORY_QUERY)?;
            let limit = param(&query, "limit", values::positive)?.unwrap_or(10);
            // What `analytics history --periode` accepts: a misspelt one listed nothing, with 200.
            let periode = param(&query, "periode", saved_periode)?;
            let rows = app.store().await?.list_analytics(periode, Some(limit)).await?;
            let analytics: Vec<Value> = rows
                .iter()
                .map(|row| {
                    let a = &row.analytics;
                    json!({
                        "id": row.id,
                        "generatedAt": opt_datetime(row.generated_at),
                        "periode": a.periode,
                        "chiffreAffairesRealise": opt_num(a.ca_realise),
                        "chiffreAffairesPrevu": opt_num(a.ca_prevu),
                        "tauxConversion": opt_num(a.taux_conversion),
                        "margeReelleMoyenne": rate(a.marge_reelle_moyenne),
                        "margePrevueMoyenne": rate(a.marge_prevue_moyenne),
                        "nombreDevis": a.nombre_devis,
                        "nombreFactures": a.nombre_factures,
                    })
                })
                .collect();
            Ok(json!({ "success": true, "count": analytics.len(), "analytics": analytics }))
        }
        .await,
    )
}

async fn integrations(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = params(raw.as_deref(), INTEGRATIONS_QUERY)?;
            let limit = param(&query, "limit", values::positive)?;
            let rows = app.store().await?.integrations(None, limit).await?;
            let integrations: Vec<Value> = rows
                .iter()
                .map(|row| {
                    json!({
                        "integration": {
                            "offerId": row.offer_id,
                            "batigestRef": row.batigest_ref,
                            "numeroDevis": row.numero_devis,
                            "montantBatigest": opt_num(row.montant_batigest),
                            "tauxMarge": rate(row.taux_marge),
                            "statutBatigest": row.statut_batigest,
                            "syncStatus": row.sync_status,
                            "lastSyncAt": opt_datetime(row.last_sync_at),
                            "errorMessage": row.error_message,
                        },
                        "offer": {
                            "id": row.offer_id,
                            "reference": row.offre_reference,
                            "client": row.offre_client,
                            "status": row.offre_statut,
                            "montantFinal": opt_num(row.montant_final),
                        },
                    })
                })
                .collect();
            Ok(json!({ "success": true, "count": integrations.len(), "integrations": integrations }))
        }
        .await,
    )
}

async fn sync_offer(Shared(app): Shared<App>, RawQuery(raw): RawQuery, body: Body) -> Response {
    if let Err(error) = params(raw.as_deref(), &[]) {
        return error_response(&error);
    }
    let body = match json_body(body, SYNC_BODY).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    answer(
        async {
            let offer = text_field(&body, "offerId")?;
            let reference = text_field(&body, "batigestRef")?.ok_or_else(|| {
                Error::usage("champ batigestRef manquant : le numéro du devis Batigest ou sa référence d'affaire")
            })?;
            let dry_run = match body.get("dryRun") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(dry_run)) => *dry_run,
                Some(_) => return Err(Error::usage("champ dryRun : true ou false")),
            };
            let store = app.store().await?;
            // One sync at a time: a second request for the same devis waits, as a second CLI run does.
            let _turn = app.sync.lock().await;
            let mut client = app.connect().await?;
            let one =
                One { reference, offer, relink: Relink::Refuse, os_user: app.batigest.env.os_user.as_deref(), dry_run };
            let report = store.sync_one(&mut client, &app.batigest.mapping, app.batigest.target.timeout, &one).await?;
            let changes: Vec<Value> = report
                .changes
                .iter()
                .map(|change| json!({ "champ": change.field, "avant": change.old, "apres": change.new }))
                .collect();
            Ok(json!({
                "synchronized": matches!(report.outcome.code(), "synced" | "unchanged"),
                "outcome": report.outcome.code(),
                "message": report.note,
                "dryRun": dry_run,
                "numeroDevis": report.numero,
                "offerId": report.offer.as_ref().map(|o| o.id.clone()),
                "changes": changes,
            }))
        }
        .await,
    )
}

async fn dashboard(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            params(raw.as_deref(), &[])?;
            let today = chrono::Local::now().date_naive();
            let year = Period::new(NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today), today)
                .map_err(|e| Error::new(Kind::Unexpected, e.to_string()))?;
            let b = &app.batigest;
            let mut client = app.connect().await?;
            b.check_statuses(&mut client, &[statuses::DEVIS, statuses::FACTURES]).await?;
            let report = analytics::report(&mut client, &b.mapping, b.settings.marge_base.value, (year, None), b.target.timeout).await?;
            drop(client);
            let factures = open_invoices(&app, today, None).await?;
            let total = &report.total;
            Ok(json!({
                "success": true,
                "dashboard": {
                    "connectionStatus": { "connected": true, "message": format!("Connexion à Batigest réussie ({})", b.target.describe()) },
                    "analyse": {
                        "caRealise": num(total.ca_realise),
                        "caPrevu": num(total.ca_prevu),
                        "tauxMarge": rate(total.marge_prevue_moyenne),
                        "devisSoumis": total.nombre_devis,
                        "du": date(year.from()),
                        "au": date(year.to()),
                        "indicateurs": kpis_json(total),
                    },
                    "facturation": analyse_json(&factures, today),
                    "lastUpdate": datetime(chrono::Utc::now().naive_utc()),
                },
            }))
        }
        .await,
    )
}
