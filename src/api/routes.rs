//! The routes of the original integration (`server/routes-batigest.ts`), same paths, same inputs
//! (camelCase): each turns its request into a use case call (`app`) and the typed result into its
//! body (`bodies`). [`routes`] lists them once: the router and `openapi.json` are both made from it.

use axum::body::Body;
use axum::extract::{RawQuery, State as Shared};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use chrono::NaiveDate;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::{IntoParams, PartialSchema};

use super::answer::{Fields, Params, answer, error_response, fields};
use super::bodies::{
    Analyse, AnalyticsAnswer, AnalyticsItem, AnalyticsRequest, CoefficientsAnswer, CoefficientsQuery, ConnectionStatus,
    ConnectionTest, DashboardAnswer, DashboardItem, DevisItem, DevisList, DevisQuery, Document, FactureItem,
    FacturesAnswer, FacturesQuery, FamilleItem, Health, HistoryAnswer, HistoryItem, HistoryQuery, IntegrationEntry,
    IntegrationsAnswer, IntegrationsQuery, KpisItem, MenuiserieAnswer, MenuiserieQuery, SavedItem, SyncAnswer,
    SyncRequest, SyncStatus, YearItem,
};
use super::openapi::{self, Route};
use super::{App, State};
use crate::app::analytics::{self, Periode, Request, RequestError};
use crate::app::{coefficients, dashboard, devis, factures, integrations, sync};
use crate::error::{Error, Result};
use crate::jlm::sync::Relink;
use crate::report::coefficients::Grouping;
use crate::report::factures::Selection;
use crate::report::kpi::MAX_BUCKETS;
use crate::report::numbers::round_rate;
use crate::values;

fn route<A: PartialSchema>(
    (method, path): (Method, &'static str),
    summary: &'static str,
    handler: MethodRouter<App>,
) -> Route {
    Route { method, path, summary, public: false, query: Vec::new(), body: None, answer: A::schema(), handler }
}

fn query<Q: IntoParams>() -> Vec<Parameter> {
    Q::into_params(|| Some(ParameterIn::Query))
}

fn names(parameters: &[Parameter]) -> Vec<String> {
    parameters.iter().map(|parameter| parameter.name.clone()).collect()
}

/// Every route, in the order `openapi.json` lists them.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            public: true,
            ..route::<Health>(
                (Method::GET, "/healthz"),
                "Le service répond (sans jeton, sans appel à Batigest)",
                get(|| async { axum::Json(Health { status: "ok" }) }),
            )
        },
        route::<Document>(
            (Method::GET, "/api/batigest/openapi.json"),
            "Ce document",
            get(|| async { axum::Json(openapi::document(routes())) }),
        ),
        route::<ConnectionTest>(
            (Method::GET, "/api/batigest/connection-test"),
            "Teste la connexion à Batigest",
            get(connection_test),
        ),
        route::<SyncStatus>(
            (Method::GET, "/api/batigest/sync-status"),
            "État de la synchronisation automatique (serve --sync-interval) : dernière passe, dernière erreur",
            get(sync_status),
        ),
        Route {
            body: Some(SyncRequest::schema()),
            ..route::<SyncAnswer>(
                (Method::POST, "/api/batigest/sync-offer"),
                "Synchronise un devis Batigest vers une offre JLM ERP",
                post(sync_offer),
            )
        },
        Route {
            query: query::<DevisQuery>(),
            ..route::<DevisList>((Method::GET, "/api/batigest/devis-clients"), "Devis clients", get(devis_clients))
        },
        Route {
            query: query::<CoefficientsQuery>(),
            ..route::<CoefficientsAnswer>(
                (Method::GET, "/api/batigest/coefficients-marges"),
                "Coefficients de marge par famille",
                get(coefficients_marges),
            )
        },
        Route {
            query: query::<FacturesQuery>(),
            ..route::<FacturesAnswer>(
                (Method::GET, "/api/batigest/facturations-en-cours"),
                "Factures en attente de paiement ; avoirs et trop-perçus à part",
                get(facturations_en_cours),
            )
        },
        Route {
            body: Some(AnalyticsRequest::schema()),
            ..route::<AnalyticsAnswer>(
                (Method::POST, "/api/batigest/generate-analytics"),
                "Calcule et enregistre les indicateurs",
                post(generate_analytics),
            )
        },
        Route {
            query: query::<HistoryQuery>(),
            ..route::<HistoryAnswer>(
                (Method::GET, "/api/batigest/analytics-history"),
                "Historique des indicateurs",
                get(analytics_history),
            )
        },
        Route {
            query: query::<MenuiserieQuery>(),
            ..route::<MenuiserieAnswer>(
                (Method::GET, "/api/batigest/analytics-menuiserie"),
                "Indicateurs par type de menuiserie des offres de JLM ERP (non enregistrés)",
                get(analytics_menuiserie),
            )
        },
        Route {
            query: query::<IntegrationsQuery>(),
            ..route::<IntegrationsAnswer>(
                (Method::GET, "/api/batigest/integrations"),
                "Suivi des synchronisations",
                get(integrations),
            )
        },
        route::<DashboardAnswer>((Method::GET, "/api/batigest/dashboard"), "Tableau de bord consolidé", get(dashboard)),
    ]
}

async fn sync_status(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    if let Err(error) = Params::read(raw.as_deref(), &[]) {
        return error_response(&error);
    }
    axum::Json(app.status()).into_response()
}

async fn connection_test(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    if let Err(error) = Params::read(raw.as_deref(), &[]) {
        return error_response(&error);
    }
    let target = &app.batigest.target;
    let result = async {
        let mut client = app.connect().await?;
        crate::app::server_status(&app.batigest, &mut client).await
    }
    .await;
    axum::Json(match result {
        Ok(status) => ConnectionTest::Connected {
            connected: true,
            message: format!("Connexion à Batigest réussie ({})", target.describe()),
            // What the original page shows beside the status.
            mode: if status.sandbox { "sandbox" } else { "production" },
            server: target.describe(),
            version: status.version,
            database: status.database,
            server_time: status.server_time,
            round_trip_ms: status.round_trip.as_millis() as u64,
        },
        Err(error) => ConnectionTest::Failed { connected: false, message: error.message, hint: error.hint },
    })
    .into_response()
}

async fn devis_clients(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = Params::read(raw.as_deref(), &names(&self::query::<DevisQuery>()))?;
            let filter = devis::Filter {
                from: query.parse("startDate", values::date)?,
                to: query.parse("endDate", values::date)?,
                statuts: query.parse("statut", values::statut)?.into_iter().collect(),
                client: query.text("clientCode").map(str::to_owned),
                limit: Some(query.parse("limit", values::positive)?.unwrap_or(500)),
            };
            let mut client = app.connect().await?;
            let mut list = Vec::new();
            devis::list(&app.batigest, &mut client, &filter, |devis| {
                list.push(DevisItem::from(devis));
                Ok(())
            })
            .await?;
            Ok(DevisList { success: true, count: list.len(), devis: list })
        }
        .await,
    )
}

async fn coefficients_marges(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = Params::read(raw.as_deref(), &names(&self::query::<CoefficientsQuery>()))?;
            let mut client = app.connect().await?;
            let loaded =
                coefficients::load(&app.batigest, &mut client, query.text("famille"), Grouping::Famille).await?;
            let report = loaded.report();
            Ok(CoefficientsAnswer {
                success: true,
                coefficients_par_famille: report.groups.iter().map(FamilleItem::from).collect(),
                total_ouvrages: report.ouvrages.len(),
            })
        }
        .await,
    )
}

/// The open invoices at `au` (one client's, or all), as `factures` lists and sums them.
async fn open_invoices(app: &State, au: NaiveDate, client: Option<&str>) -> Result<Analyse> {
    let mut connection = app.connect().await?;
    let mut items = Vec::new();
    let request = factures::Request { client, au, selection: Selection::Open };
    let summary = factures::open(&app.batigest, &mut connection, request, |open| {
        items.push((open.owed_to_customer(), FactureItem::from(open)));
        Ok(())
    })
    .await?;
    Ok(Analyse::new(au, &summary, items))
}

async fn facturations_en_cours(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = Params::read(raw.as_deref(), &names(&self::query::<FacturesQuery>()))?;
            let au = query.parse("au", values::date)?.unwrap_or_else(|| chrono::Local::now().date_naive());
            let analyse = open_invoices(&app, au, query.text("client")).await?;
            Ok(FacturesAnswer { success: true, analyse })
        }
        .await,
    )
}

async fn generate_analytics(Shared(app): Shared<App>, RawQuery(raw): RawQuery, body: Body) -> Response {
    if let Err(error) = Params::read(raw.as_deref(), &[]) {
        return error_response(&error);
    }
    let body = match Fields::read(body, &fields(&AnalyticsRequest::schema())).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    answer(
        async {
            let to = body.parse("endDate", values::date)?;
            let from = body.parse("startDate", values::date)?;
            let granularity = match body.text("periode")? {
                None => None,
                Some(periode) => Some(Periode::granularity_of(periode).ok_or_else(|| {
                    Error::usage(format!("champ periode « {periode} » invalide : mensuel, trimestriel ou annuel"))
                })?),
            };
            let today = chrono::Local::now().date_naive();
            let request = Request::new(from, to, granularity, today).map_err(|e| match e {
                RequestError::Period(e) => Error::usage(e.to_string()),
                RequestError::Buckets(e) => Error::usage(format!("champ periode : {e}")).with_hint(format!(
                    "raccourcissez la période (startDate, endDate) ou découpez-la plus large (trimestriel, annuel) : \
                     {MAX_BUCKETS} mois, trimestres ou années au plus"
                )),
            })?;
            let mut client = app.connect().await?;
            let run = analytics::run(&app.batigest, &mut client, request).await?;
            drop(client);
            let saved = analytics::save(app.store().await?, &run).await?;
            Ok(AnalyticsAnswer {
                success: true,
                analytics: AnalyticsItem::from(&run),
                saved: SavedItem { id: saved.id, periode: saved.periode.code() },
            })
        }
        .await,
    )
}

async fn analytics_history(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = Params::read(raw.as_deref(), &names(&self::query::<HistoryQuery>()))?;
            let limit = query.parse("limit", values::positive)?.unwrap_or(10);
            // What `analytics history --periode` accepts: a misspelt one listed nothing, with 200.
            let periode = query.parse("periode", |text| {
                Periode::of_code(text.trim()).ok_or_else(|| "mensuel, trimestriel, annuel ou global attendu".to_owned())
            })?;
            let rows = analytics::history(app.store().await?, periode, Some(limit)).await?;
            let analytics: Vec<HistoryItem> = rows.iter().map(HistoryItem::from).collect();
            Ok(HistoryAnswer { success: true, count: analytics.len(), analytics })
        }
        .await,
    )
}

async fn analytics_menuiserie(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = Params::read(raw.as_deref(), &names(&self::query::<MenuiserieQuery>()))?;
            let to = query.parse("endDate", values::date)?;
            let from = query.parse("startDate", values::date)?;
            let today = chrono::Local::now().date_naive();
            let request = Request::new(from, to, None, today).map_err(|e| match e {
                RequestError::Period(e) => Error::usage(e.to_string()),
                RequestError::Buckets(e) => Error::usage(e.to_string()),
            })?;
            let store = app.store().await?;
            let mut client = app.connect().await?;
            let par = analytics::par_menuiserie(&app.batigest, &mut client, store, request.period).await?;
            Ok(MenuiserieAnswer::from(&par))
        }
        .await,
    )
}

async fn integrations(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            let query = Params::read(raw.as_deref(), &names(&self::query::<IntegrationsQuery>()))?;
            let limit = query.parse("limit", values::positive)?;
            let rows = integrations::list(app.store().await?, None, limit).await?;
            let integrations: Vec<IntegrationEntry> = rows.into_iter().map(IntegrationEntry::from).collect();
            Ok(IntegrationsAnswer { success: true, count: integrations.len(), integrations })
        }
        .await,
    )
}

async fn sync_offer(Shared(app): Shared<App>, RawQuery(raw): RawQuery, body: Body) -> Response {
    if let Err(error) = Params::read(raw.as_deref(), &[]) {
        return error_response(&error);
    }
    let body = match Fields::read(body, &fields(&SyncRequest::schema())).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    answer(
        async {
            let offer = body.text("offerId")?;
            let reference = body.text("batigestRef")?.ok_or_else(|| {
                Error::usage("champ batigestRef manquant : le numéro du devis Batigest ou sa référence d'affaire")
            })?;
            let dry_run = body.flag("dryRun")?;
            let store = app.store().await?;
            // One sync at a time: a second request for the same devis waits, as a second CLI run does.
            let _turn = app.sync.lock().await;
            let mut client = app.connect().await?;
            let one = sync::One { reference, offer, relink: Relink::Refuse, dry_run };
            let report = sync::one(&app.batigest, store, &mut client, one).await?;
            Ok(SyncAnswer::new(&report, dry_run))
        }
        .await,
    )
}

async fn dashboard(Shared(app): Shared<App>, RawQuery(raw): RawQuery) -> Response {
    answer(
        async {
            Params::read(raw.as_deref(), &[])?;
            let today = chrono::Local::now().date_naive();
            let b = &app.batigest;
            let mut client = app.connect().await?;
            let report = dashboard::year_to_date(b, &mut client, today, None).await?;
            let year = report.period;
            drop(client);
            let facturation = open_invoices(&app, today, None).await?;
            let total = &report.total;
            Ok(DashboardAnswer {
                success: true,
                dashboard: DashboardItem {
                    connection_status: ConnectionStatus {
                        connected: true,
                        message: format!("Connexion à Batigest réussie ({})", b.target.describe()),
                    },
                    analyse: YearItem {
                        ca_realise: total.ca_realise,
                        ca_prevu: total.ca_prevu,
                        taux_marge: total.marge_prevue_moyenne.map(round_rate),
                        devis_soumis: total.nombre_devis,
                        du: year.from(),
                        au: year.to(),
                        indicateurs: KpisItem::from(total),
                    },
                    facturation,
                    last_update: chrono::Utc::now().naive_utc(),
                },
            })
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn every_route_has_its_bodies_described() {
        let document = openapi::document(routes());
        assert_eq!(document["openapi"], "3.0.3");
        let paths = document["paths"].as_object().expect("paths");
        assert_eq!(paths.len(), routes().len());
        for (path, item) in paths {
            for (method, operation) in item.as_object().expect("operations") {
                let answer = &operation["responses"]["200"]["content"]["application/json"]["schema"];
                assert!(answer.is_object() && answer != &Value::Object(serde_json::Map::new()), "{method} {path}");
                assert!(operation["responses"]["4XX"]["content"]["application/json"]["schema"].is_object());
                if method == "post" {
                    let body = &operation["requestBody"]["content"]["application/json"]["schema"];
                    assert_eq!(body["additionalProperties"], false, "{path}");
                    assert!(body["properties"].as_object().is_some_and(|fields| !fields.is_empty()), "{path}");
                }
            }
        }
        let history = &document["paths"]["/api/batigest/analytics-history"]["get"];
        let rate = &history["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["analytics"]["items"]
            ["properties"]["tauxConversion"];
        assert_eq!((&rate["type"], &rate["nullable"]), (&Value::from("number"), &Value::Bool(true)), "{rate}");
        assert_eq!(history["parameters"].as_array().map(Vec::len), Some(2));
        assert_eq!(document["paths"]["/healthz"]["get"]["security"], serde_json::json!([]));
        assert_eq!(
            document["paths"]["/api/batigest/dashboard"]["get"]["security"],
            serde_json::json!([{ "bearer": [] }])
        );
    }
}
