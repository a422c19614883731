//! Reading a request and writing its answer: each query parameter and body field the route's type
//! declares, each at most once; every answer in JSON, an error as `{ success: false, error }`
//! with the HTTP status of its kind (classified in `crate::error`).

use std::collections::HashMap;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};

use super::bodies::{Failure, FailureDetail, Refusal, RefusalDetail};
use crate::error::{Error, Result};

/// Largest request body accepted (413 beyond).
pub const BODY_LIMIT: usize = 64 * 1024;

/// `{ "success": false, "error": { "code", "message", "hint", "detail" } }`, in French; never a
/// driver's raw text beyond its « détail ».
pub fn error_response(error: &Error) -> Response {
    let code = error.kind.api_code();
    let body = Failure {
        success: false,
        error: FailureDetail {
            code,
            message: error.message.clone(),
            hint: error.hint.clone(),
            detail: error.detail.clone(),
        },
    };
    (error.kind.http_status(), axum::Json(body)).into_response()
}

/// A refusal of the HTTP layer itself: `{ "success": false, "error": { "code", "message" } }`.
pub fn refusal(status: StatusCode, code: &'static str, message: &str, hint: Option<&'static str>) -> Response {
    (status, axum::Json(Refusal { success: false, error: RefusalDetail { code, message, hint } })).into_response()
}

/// A route's answer: its JSON, or the error as JSON with its status.
pub fn answer<T: Serialize>(result: Result<T>) -> Response {
    match result {
        Ok(value) => axum::Json(value).into_response(),
        Err(error) => error_response(&error),
    }
}

/// The property names of a body type's schema: the only fields its route accepts.
pub fn fields(schema: &RefOr<Schema>) -> Vec<String> {
    match schema {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// A route's query parameters: each one the route knows, each at most once (`limit=1&limit=2`
/// silently took the last; a misspelt name was silently ignored).
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn read(raw: Option<&str>, known: &[String]) -> Result<Self> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if !known.iter().any(|known| *known == name) {
                return Err(unknown("paramètre", &name, known));
            }
            if params.insert(name.clone().into_owned(), value.into_owned()).is_some() {
                return Err(Error::usage(format!("paramètre {name} donné deux fois : une seule valeur est attendue")));
            }
        }
        Ok(Self(params))
    }

    /// A parameter's text, `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|value| !value.trim().is_empty())
    }

    /// A parameter read with the command's own parser; the error names the parameter.
    pub fn parse<T>(&self, name: &str, parse: fn(&str) -> std::result::Result<T, String>) -> Result<Option<T>> {
        self.text(name)
            .map(|value| {
                parse(value).map_err(|why| Error::usage(format!("paramètre {name} « {value} » invalide : {why}")))
            })
            .transpose()
    }
}

/// A parameter or body field the route does not know, with the one meant when only its case differs.
fn unknown(what: &str, name: &str, known: &[String]) -> Error {
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

/// A JSON body: an object whose every field the route knows, each once.
pub struct Fields(serde_json::Map<String, Value>);

impl Fields {
    /// At most BODY_LIMIT bytes. A misspelt `dryrun` was ignored (the sync ran for real), and of
    /// two `dryRun` the last won.
    pub async fn read(body: Body, known: &[String]) -> std::result::Result<Self, Response> {
        let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
            let message = format!("corps de requête trop gros ({BODY_LIMIT} octets au plus)");
            refusal(StatusCode::PAYLOAD_TOO_LARGE, "trop_gros", &message, None)
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
            if !known.contains(&name) {
                return Err(error_response(&unknown("champ", &name, known)));
            }
            if object.contains_key(&name) {
                return Err(error_response(&Error::usage(format!(
                    "champ {name} donné deux fois : une seule valeur est attendue"
                ))));
            }
            object.insert(name, value);
        }
        Ok(Self(object))
    }

    /// A text field, `None` when absent, null or blank.
    pub fn text(&self, name: &str) -> Result<Option<&str>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.as_str()).filter(|text| !text.trim().is_empty())),
            Some(_) => Err(Error::usage(format!("champ {name} : une chaîne est attendue"))),
        }
    }

    /// A text field read with the command's own parser; the error names the field.
    pub fn parse<T>(&self, name: &str, parse: fn(&str) -> std::result::Result<T, String>) -> Result<Option<T>> {
        self.text(name)?
            .map(|text| parse(text).map_err(|why| Error::usage(format!("champ {name} « {text} » invalide : {why}"))))
            .transpose()
    }

    /// A boolean field, `false` when absent or null.
    pub fn flag(&self, name: &str) -> Result<bool> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(value)) => Ok(*value),
            Some(_) => Err(Error::usage(format!("champ {name} : true ou false"))),
        }
    }
}
