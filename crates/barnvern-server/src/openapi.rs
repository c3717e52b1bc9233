//! `GET /v1/openapi.json`: OpenAPI 3.1, generated from the handlers' annotations and types
//! (utoipa) with the case bundle's JSON Schema, its events', the child's and the referral's
//! as `barnvern-case` generates them (schemars), placed under `components/schemas`. Never
//! written by hand.

use std::borrow::Cow;
use std::sync::OnceLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

/// Stands for the case bundle in the annotations (`#/components/schemas/CaseBundle`).
pub struct CaseBundleRef;
impl PartialSchema for CaseBundleRef {
    fn schema() -> RefOr<Schema> {
        Ref::from_schema_name("CaseBundle").into()
    }
}
impl ToSchema for CaseBundleRef {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CaseBundleRef")
    }
}

/// Stands for one workflow event or an array of them.
pub struct EventsRef;
impl PartialSchema for EventsRef {
    fn schema() -> RefOr<Schema> {
        let one: RefOr<Schema> = Ref::from_schema_name("CaseEvent").into();
        let many = utoipa::openapi::schema::ArrayBuilder::new()
            .items(Ref::from_schema_name("CaseEvent"))
            .build();
        RefOr::T(Schema::OneOf(
            utoipa::openapi::schema::OneOfBuilder::new()
                .item(one)
                .item(many)
                .build(),
        ))
    }
}
impl ToSchema for EventsRef {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CaseEvents")
    }
}

/// `#/components/schemas/Child`.
pub fn child_ref() -> RefOr<Schema> {
    Ref::from_schema_name("Child").into()
}

/// `#/components/schemas/Referral`.
pub fn referral_ref() -> RefOr<Schema> {
    Ref::from_schema_name("Referral").into()
}

struct BearerAuth;
impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT signed with EdDSA or RS256; claims iss, aud, exp, sub (staff id), \
                         role (caseworker, team_leader, auditor, data_steward, intake_system), \
                         municipalities",
                    ))
                    .build(),
            ),
        );
    }
}

/// The annotated API.
#[derive(OpenApi)]
#[openapi(
    info(title = "barnvern case service", description = "Cases as tamper-evident event streams, \
        statutory deadlines, the access log and the intake of Norway's digital reports of \
        concern. Errors are RFC 9457 application/problem+json."),
    paths(
        crate::api::open_case,
        crate::api::get_case,
        crate::api::append_events,
        crate::api::history,
        crate::api::deadlines,
        crate::api::worklist,
        crate::api::access_log,
        crate::intake::fiks_bekymringsmelding,
        crate::api::healthz,
        crate::api::readyz,
    ),
    components(schemas(crate::problem::Problem, crate::problem::ProblemFinding)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

fn case_schemas() -> serde_json::Map<String, serde_json::Value> {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    let bundle = generator.subschema_for::<barnvern_case::CaseData>();
    let event = generator.subschema_for::<barnvern_case::CaseEvent>();
    let child = generator.subschema_for::<barnvern_case::person::Child>();
    let referral = generator.subschema_for::<barnvern_case::referral::Referral>();
    let mut defs = generator.take_definitions(true);
    for (name, schema) in [
        ("CaseBundle", bundle),
        ("CaseEvent", event),
        ("Child", child),
        ("Referral", referral),
    ] {
        let value = schema.to_value();
        // Where schemars defined the type under its own name, alias it.
        if defs.get(name).is_none() {
            defs.insert(name.to_owned(), value);
        }
    }
    defs
}

/// The OpenAPI document as JSON.
pub fn openapi_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(|v| v.as_object_mut())
    {
        for (k, v) in case_schemas() {
            schemas.entry(k).or_insert(v);
        }
    }
    doc
}

/// `GET /v1/openapi.json` (no token: the document holds no data).
pub async fn serve_openapi() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = DOC.get_or_init(|| openapi_json().to_string()).clone();
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}
