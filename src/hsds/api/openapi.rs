//! The OpenAPI 3.1 document of the routes this API serves, and only those. Its
//! schemas are the official HSDS 3.0 / Open Referral UK ones, by their published
//! URLs, so a validator or a client generator reads the standard's own shapes.

use serde_json::{Value, json};

/// Where the UK profile publishes its schemas.
const SCHEMAS: &str = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema";

fn paged(item: &str, parameters: Value, description: &str) -> Value {
    json!({ "get": {
        "summary": description,
        "parameters": parameters,
        "responses": {
            "200": { "description": description, "content": { "application/json": { "schema": {
                "allOf": [{ "$ref": "#/components/schemas/Page" }],
                "properties": { "contents": { "type": "array", "items": { "$ref": format!("{SCHEMAS}/{item}") } } }
            }}}},
            "400": { "$ref": "#/components/responses/BadParameter" }
        }
    }})
}

fn one(item: &str, description: &str) -> Value {
    json!({ "get": {
        "summary": description,
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
        "responses": {
            "200": { "description": description, "content": { "application/json": { "schema": { "$ref": format!("{SCHEMAS}/{item}") } } } },
            "400": { "$ref": "#/components/responses/BadParameter" },
            "404": { "$ref": "#/components/responses/NotFound" }
        }
    }})
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": description })
}

/// The filter parameters of `/services` and `/service_at_locations`, under every
/// name each is known by.
fn service_filters() -> Vec<Value> {
    let uuid = || json!({ "type": "string", "format": "uuid" });
    let mut parameters = Vec::new();
    let mut both = |names: &[&str], schema: Value, description: &str| {
        for name in names {
            parameters.push(query(name, schema.clone(), description));
        }
    };
    both(
        &["text", "search"],
        json!({ "type": "string" }),
        "Services with every word (as a prefix) in their name, description or other text.",
    );
    both(
        &["taxonomy_term_id"],
        uuid(),
        "Services tagged with this term or a narrower one.",
    );
    both(
        &["taxonomy_id"],
        uuid(),
        "Services tagged with any term of this taxonomy.",
    );
    both(
        &["organization_id"],
        uuid(),
        "Services of this organization.",
    );
    both(
        &["modified_after"],
        json!({ "type": "string", "format": "date-time" }),
        "Services that, or anything nested in them, changed at or after this time (RFC 3339, or a date).",
    );
    both(
        &["minimal_age", "minimum_age"],
        json!({ "type": "integer", "minimum": 0, "maximum": 150 }),
        "Services whose minimum age is at least this.",
    );
    both(
        &["maximal_age", "maximum_age"],
        json!({ "type": "integer", "minimum": 0, "maximum": 150 }),
        "Services whose maximum age is at most this.",
    );
    both(
        &["postcode"],
        json!({ "type": "string" }),
        "Alone: services whose service area covers the postcode. With proximity: services at a location within that distance of it.",
    );
    both(
        &["proximity"],
        json!({ "type": "integer", "minimum": 1, "maximum": super::filters::MAX_PROXIMITY_METRES }),
        "Metres from the postcode's centre; needs postcode.",
    );
    both(
        &["full_service", "full"],
        json!({ "type": "boolean" }),
        "Whole nested objects instead of list entries.",
    );
    parameters
}

/// The document, for an API served at `server` (its absolute base URL).
pub fn document(server: &str) -> Value {
    let paging = || {
        vec![
            query(
                "page",
                json!({ "type": "integer", "minimum": 1 }),
                "Page number, from 1.",
            ),
            query(
                "per_page",
                json!({ "type": "integer", "minimum": 1, "maximum": super::page::MAX_PER_PAGE }),
                "Records per page.",
            ),
        ]
    };
    let mut term_parameters = paging();
    term_parameters.extend([
        query(
            "taxonomy_id",
            json!({ "type": "string", "format": "uuid" }),
            "Only terms of this taxonomy.",
        ),
        query(
            "parent_id",
            json!({ "type": "string", "format": "uuid" }),
            "Only children of this term.",
        ),
        query(
            "top_only",
            json!({ "type": "boolean" }),
            "Only terms without a parent.",
        ),
    ]);
    let mut service_parameters = paging();
    service_parameters.extend(service_filters());
    let mut link_parameters = paging();
    link_parameters.extend(service_filters());
    let error = json!({ "type": "object", "required": ["code", "message"], "properties": {
        "code": { "type": "integer" },
        "message": { "type": "string" },
        "parameter": { "type": "string", "description": "The query or path parameter that was wrong." }
    }});
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Signpost HSDS API",
            "version": super::VERSION,
            "description": "The directory as Human Services Data Specification 3.0 objects, Open Referral UK profile."
        },
        "servers": [{ "url": server }],
        "paths": {
            "/": { "get": {
                "summary": "What this API serves.",
                "responses": { "200": { "description": "The HSDS version, profile and this document's URL.",
                    "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "version": { "type": "string" },
                        "profile": { "type": "string", "format": "uri" },
                        "openapi_url": { "type": "string", "format": "uri" }
                    }}}}}}
            }},
            "/openapi.json": { "get": {
                "summary": "This document.",
                "responses": { "200": { "description": "OpenAPI 3.1." } }
            }},
            "/services": paged("compiled/service_list.json", Value::Array(service_parameters), "Services the caller may see, by id (nearest first with postcode and proximity). Page boundaries count hidden and deleted services too, so a page may hold fewer than per_page."),
            "/services/{id}": one("compiled/service.json", "One service with every object nested in it."),
            "/service_at_locations": paged("compiled/service_at_location_list.json", Value::Array(link_parameters), "Links of services to locations, by id; the filters apply to the link's service."),
            "/service_at_locations/{id}": one("compiled/service_at_location.json", "One link with every object nested in it."),
            "/organizations": paged("compiled/organization_list.json", Value::Array(paging()), "Organizations the caller may see, in id order."),
            "/organizations/{id}": one("compiled/organization.json", "One organization."),
            "/taxonomies": paged("taxonomy.json", Value::Array(paging()), "Taxonomies, in id order."),
            "/taxonomies/{id}": one("taxonomy.json", "One taxonomy."),
            "/taxonomy_terms": paged("taxonomy_term.json", Value::Array(term_parameters), "Taxonomy terms, in id order."),
            "/taxonomy_terms/{id}": one("taxonomy_term.json", "One taxonomy term.")
        },
        "components": {
            "schemas": {
                "Page": { "type": "object", "properties": {
                    "total_items": { "type": "integer" },
                    "total_pages": { "type": "integer" },
                    "page_number": { "type": "integer" },
                    "size": { "type": "integer" },
                    "first_page": { "type": "boolean" },
                    "last_page": { "type": "boolean" },
                    "empty": { "type": "boolean" }
                }},
                "Error": error
            },
            "responses": {
                "BadParameter": { "description": "A parameter is not valid; `parameter` names it.",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "NotFound": { "description": "No record with that id.",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        }
    })
}
