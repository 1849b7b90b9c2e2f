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
