//! `GET /api/batigest/openapi.json`: the document made from the route list and the bodies' types —
//! every query parameter, request body and answer with its schema, the error body of every route.
//!
//! Written as OpenAPI 3.0.3, as since the first `serve`: JLM ERP's tooling reads 3.0. utoipa writes
//! 3.1, whose one construct these schemas use that 3.0 lacks — a type list with `null` for a value
//! that may be missing — is written back as 3.0's `nullable: true`.

use axum::http::Method;
use axum::routing::MethodRouter;
use serde_json::Value;
use utoipa::PartialSchema;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, Parameter, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApiBuilder, PathsBuilder, RefOr, ResponseBuilder, Schema,
};

use super::App;
use super::bodies::Failure;

const JSON: &str = "application/json";

/// One route: how it is called, what it takes and answers (for `openapi.json`), and its handler.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub summary: &'static str,
    /// Answered without the token.
    pub public: bool,
    pub query: Vec<Parameter>,
    pub body: Option<RefOr<Schema>>,
    pub answer: RefOr<Schema>,
    pub handler: MethodRouter<App>,
}

/// The whole document, for `routes`.
pub fn document(routes: Vec<Route>) -> Value {
    let mut paths = PathsBuilder::new();
    for route in routes {
        let method = if route.method == Method::POST { HttpMethod::Post } else { HttpMethod::Get };
        let success = ResponseBuilder::new()
            .description("succès")
            .content(JSON, ContentBuilder::new().schema(Some(route.answer)).build());
        let failure = ResponseBuilder::new()
            .description(
                "erreur : { success: false, error: { code, message, hint } } ; un paramètre ou un champ inconnu, ou \
                 donné deux fois, est refusé (400)",
            )
            .content(JSON, ContentBuilder::new().schema(Some(Failure::schema())).build());
        let mut operation = OperationBuilder::new()
            .summary(Some(route.summary))
            .response("200", success)
            .response("4XX", failure)
            .parameters(Some(route.query));
        operation = if route.public {
            operation.securities(Some(Vec::<SecurityRequirement>::new()))
        } else {
            operation.security(SecurityRequirement::new("bearer", Vec::<String>::new()))
        };
        if let Some(body) = route.body {
            let content = ContentBuilder::new().schema(Some(body)).build();
            operation = operation.request_body(Some(RequestBodyBuilder::new().content(JSON, content).build()));
        }
        paths = paths.path(route.path, PathItem::new(method, operation));
    }
    let bearer = SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer));
    let document = OpenApiBuilder::new()
        .info(InfoBuilder::new().title("jlm-batigest").version(env!("CARGO_PKG_VERSION")))
        .paths(paths)
        .components(Some(ComponentsBuilder::new().security_scheme("bearer", bearer).build()))
        .build();
    let mut value = serde_json::to_value(&document).unwrap_or(Value::Null);
    value["openapi"] = Value::from("3.0.3");
    as_3_0(&mut value);
    strict_bodies(&mut value);
    value
}

/// `"type": ["number", "null"]` → `"type": "number", "nullable": true`, everywhere.
fn as_3_0(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(types)) = object.get("type") {
                let kept: Vec<Value> = types.iter().filter(|kind| *kind != "null").cloned().collect();
                if kept.len() < types.len() {
                    object.insert("nullable".to_owned(), Value::Bool(true));
                }
                let kind = if kept.len() == 1 { kept[0].clone() } else { Value::Array(kept) };
                object.insert("type".to_owned(), kind);
            }
            object.values_mut().for_each(as_3_0);
        }
        Value::Array(items) => items.iter_mut().for_each(as_3_0),
        _ => {}
    }
}

/// A request body's fields are the only ones its route accepts.
fn strict_bodies(document: &mut Value) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for operation in item.values_mut() {
            if let Some(schema) = operation.pointer_mut("/requestBody/content/application~1json/schema") {
                schema["additionalProperties"] = Value::Bool(false);
            }
        }
    }
}
