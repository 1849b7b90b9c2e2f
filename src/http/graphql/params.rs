//! The parameters of a GraphQL-over-HTTP request (`query`, `operationName`,
//! `variables`, `extensions`) read from a GET query string or a POST JSON body.
//!
//! Anything that is not a well-formed request is refused here, before GraphQL sees
//! it, with a message naming the parameter: such a request is a 400 whatever the
//! response media type.

use serde_json::{Map, Value};

/// A well-formed request's parameters.
#[derive(Debug, Default, PartialEq)]
pub struct Params {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
    pub extensions: Map<String, Value>,
}

/// Why a request is not a well-formed GraphQL-over-HTTP request.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamsError {
    #[error("the request body is not JSON: {0}")]
    NotJson(String),
    #[error("the request body must be a JSON object")]
    NotAnObject,
    #[error("batched requests (a JSON array) are not accepted")]
    Batched,
    #[error("the `query` parameter is required")]
    MissingQuery,
    #[error("the `{0}` parameter must be {1}")]
    WrongType(&'static str, &'static str),
    #[error("the `{0}` parameter is not a JSON object: {1}")]
    NotJsonObject(&'static str, String),
    #[error("the `{0}` parameter is given more than once")]
    Repeated(String),
    #[error("the request body is empty")]
    EmptyBody,
}

/// The parameters of a POST body of type `application/json`.
pub fn from_json_body(body: &[u8]) -> Result<Params, ParamsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ParamsError::EmptyBody);
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|error| ParamsError::NotJson(error.to_string()))?;
    let mut object = match value {
        Value::Object(object) => object,
        Value::Array(_) => return Err(ParamsError::Batched),
        _ => return Err(ParamsError::NotAnObject),
    };
    let query = match object.remove("query") {
        Some(Value::String(query)) => query,
        None | Some(Value::Null) => return Err(ParamsError::MissingQuery),
        Some(_) => return Err(ParamsError::WrongType("query", "a string")),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err(ParamsError::WrongType("operationName", "a string")),
    };
    Ok(Params {
        query,
        operation_name,
        variables: map_or_null("variables", object.remove("variables"))?,
        extensions: map_or_null("extensions", object.remove("extensions"))?,
    })
}

/// The parameters of a GET query string (`variables` and `extensions` as JSON text).
pub fn from_query_string(query_string: &str) -> Result<Params, ParamsError> {
    let mut query = None;
    let mut operation_name = None;
    let mut variables = None;
    let mut extensions = None;
    for (name, value) in url::form_urlencoded::parse(query_string.as_bytes()) {
        let slot = match name.as_ref() {
            "query" => &mut query,
            "operationName" => &mut operation_name,
            "variables" => &mut variables,
            "extensions" => &mut extensions,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(ParamsError::Repeated(name.into_owned()));
        }
    }
    let parse_map = |name: &'static str, text: Option<String>| match text {
        None => Ok(Map::new()),
        Some(text) if text.trim().is_empty() => Ok(Map::new()),
        Some(text) => {
            let value: Value = serde_json::from_str(&text)
                .map_err(|error| ParamsError::NotJsonObject(name, error.to_string()))?;
            map_or_null(name, Some(value))
        }
    };
    Ok(Params {
        query: query.ok_or(ParamsError::MissingQuery)?,
        operation_name: operation_name.filter(|name| !name.is_empty()),
        variables: parse_map("variables", variables)?,
        extensions: parse_map("extensions", extensions)?,
    })
}

fn map_or_null(
    name: &'static str,
    value: Option<Value>,
) -> Result<Map<String, Value>, ParamsError> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(ParamsError::WrongType(name, "an object or null")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Result<Params, ParamsError> {
        from_json_body(value.to_string().as_bytes())
    }

    #[test]
    fn json_bodies_name_the_bad_parameter() {
        let ok = body(
            json!({"query": "{a}", "operationName": null, "variables": {"x": 1}, "extensions": null}),
        );
        assert_eq!(ok.map(|p| p.variables.len()), Ok(1));
        assert_eq!(
            from_json_body(b"NONSENSE")
                .map(|_| ())
                .map_err(|e| matches!(e, ParamsError::NotJson(_))),
            Err(true)
        );
        assert_eq!(from_json_body(b" "), Err(ParamsError::EmptyBody));
        assert_eq!(body(json!([{"query": "{a}"}])), Err(ParamsError::Batched));
        assert_eq!(body(json!({})), Err(ParamsError::MissingQuery));
        for bad in [json!(1), json!(true), json!({}), json!([])] {
            assert_eq!(
                body(json!({"query": bad})),
                Err(ParamsError::WrongType("query", "a string"))
            );
            assert!(body(json!({"query": "{a}", "operationName": bad})).is_err());
        }
        for bad in [json!("x"), json!(1), json!(true), json!([])] {
            assert_eq!(
                body(json!({"query": "{a}", "variables": bad})),
                Err(ParamsError::WrongType("variables", "an object or null"))
            );
            assert!(body(json!({"query": "{a}", "extensions": bad})).is_err());
        }
    }

    #[test]
    fn query_strings_carry_json_variables() {
        let params = from_query_string("query=%7Ba%7D&variables=%7B%22x%22%3A1%7D&operationName=");
        assert_eq!(
            params
                .as_ref()
                .map(|p| (p.query.as_str(), p.variables.len())),
            Ok(("{a}", 1))
        );
        assert_eq!(params.map(|p| p.operation_name), Ok(None));
        assert_eq!(
            from_query_string("variables=%7B%7D"),
            Err(ParamsError::MissingQuery)
        );
        assert!(matches!(
            from_query_string("query=a&variables=nope"),
            Err(ParamsError::NotJsonObject("variables", _))
        ));
        assert_eq!(
            from_query_string("query=a&query=b"),
            Err(ParamsError::Repeated("query".into()))
        );
    }
}
