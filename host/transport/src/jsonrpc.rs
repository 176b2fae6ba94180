//! What the transports answer to input that is not a message rmcp can serve, so no
//! client waits for an answer that never comes: unparsable text is -32700 (id null), a
//! value that is not a JSON-RPC message or a message over the size limit is -32600 (with
//! the id when it can be read), and a standard method with malformed params is -32602
//! (rmcp alone would take it for an unknown custom method and answer -32601).

use rmcp::model::{ClientJsonRpcMessage, ClientRequest, ErrorCode, JsonRpcMessage};
use serde_json::{Value, json};

/// Methods of the MCP spec this server answers: a request for one of them whose params
/// rmcp cannot read is a malformed call (-32602), not an unknown method.
const STANDARD_METHODS: [&str; 13] = [
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "prompts/list",
    "prompts/get",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "completion/complete",
    "logging/setLevel",
];

/// What one input message is.
#[derive(Debug)]
pub enum Read {
    Message(Box<ClientJsonRpcMessage>),
    /// Not a message rmcp can serve: the JSON-RPC error to answer with (over stdio, a
    /// notification gets none).
    Malformed {
        reply: String,
        notification: bool,
    },
    /// Only whitespace.
    Blank,
}

fn error_line(id: Value, code: ErrorCode, message: String) -> String {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code.0, "message": message}}).to_string()
}

/// The id of a request, when it is a JSON-RPC id (a number or a string).
fn id_of(object: &serde_json::Map<String, Value>) -> Option<Value> {
    object.get("id").filter(|id| id.is_number() || id.is_string()).cloned()
}

/// The answer to a message cut at `limit` bytes, with its id when its start holds one.
pub fn too_long(prefix: &str, limit: usize) -> String {
    let limit = if limit.is_multiple_of(1 << 20) { format!("{} MiB", limit >> 20) } else { format!("{limit} bytes") };
    error_line(
        id_in_prefix(prefix),
        ErrorCode::INVALID_REQUEST,
        format!("the message is longer than the {limit} this server reads; send less"),
    )
}

/// The answer to an empty body.
pub fn empty() -> String {
    error_line(Value::Null, ErrorCode::PARSE_ERROR, "the body is empty; send one JSON-RPC message".to_string())
}

/// The answer to a request refused before its body is read (for example for one of its
/// HTTP headers), with the reason.
pub fn invalid_request(message: &str) -> String {
    error_line(Value::Null, ErrorCode::INVALID_REQUEST, message.to_string())
}

/// The id at the start of a message cut at the limit, when it can be read there.
fn id_in_prefix(prefix: &str) -> Value {
    let Some(at) = prefix.find("\"id\"") else { return Value::Null };
    let rest = prefix[at + 4..].trim_start().strip_prefix(':').map(str::trim_start).unwrap_or("");
    let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    match values.next() {
        Some(Ok(id)) if id.is_number() || id.is_string() => id,
        _ => Value::Null,
    }
}

/// Reads one message (a stdin line, an HTTP body) as rmcp would, or says how to answer it.
pub fn read(text: &str) -> Read {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Read::Blank;
    }
    let malformed = |id: Option<Value>, code: ErrorCode, message: String, notification: bool| Read::Malformed {
        reply: error_line(id.unwrap_or(Value::Null), code, message),
        notification,
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => return malformed(None, ErrorCode::PARSE_ERROR, format!("not JSON: {e}"), false),
    };
    let Value::Object(object) = &value else {
        let message = "expected one JSON-RPC message, an object (batches are not part of MCP)".to_string();
        return malformed(None, ErrorCode::INVALID_REQUEST, message, false);
    };
    let id = id_of(object);
    let method = object.get("method").and_then(Value::as_str).map(str::to_string);
    // A message with a method and no id is a notification.
    let notification = method.is_some() && !object.contains_key("id");
    match serde_json::from_value::<ClientJsonRpcMessage>(value.clone()) {
        Ok(JsonRpcMessage::Request(request))
            if matches!(request.request, ClientRequest::CustomRequest(_))
                && method.as_deref().is_some_and(|m| STANDARD_METHODS.contains(&m)) =>
        {
            let method = method.unwrap_or_default();
            let message = format!(
                "the params of {method} do not have the shape the MCP specification gives them{}",
                shape(&method)
            );
            malformed(id, ErrorCode::INVALID_PARAMS, message, false)
        }
        Ok(message) => Read::Message(Box::new(message)),
        Err(e) => {
            let message = format!(
                "not a JSON-RPC message ({e}): it needs \"jsonrpc\": \"2.0\" and a method (with an id, for a \
                 request) or a result"
            );
            malformed(id, ErrorCode::INVALID_REQUEST, message, notification)
        }
    }
}

/// The expected params of the methods that take some, for the -32602 message.
fn shape(method: &str) -> &'static str {
    match method {
        "tools/call" => ": {\"name\": string, \"arguments\": object}",
        "prompts/get" => ": {\"name\": string, \"arguments\": object of strings}",
        "resources/read" => ": {\"uri\": string}",
        "completion/complete" => ": {\"ref\": object, \"argument\": {\"name\": string, \"value\": string}}",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> Value {
        match read(text) {
            Read::Malformed { reply, .. } => serde_json::from_str(&reply).unwrap(),
            other => panic!("{text:?} was not answered with an error: {other:?}"),
        }
    }

    #[test]
    fn every_malformed_line_is_answered_with_its_json_rpc_error() {
        let parse = reply("{not json");
        assert_eq!((parse["error"]["code"].as_i64(), &parse["id"]), (Some(-32700), &Value::Null));
        let params = reply(r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":5}}"#);
        assert_eq!((params["error"]["code"].as_i64(), &params["id"]), (Some(-32602), &json!(7)));
        let batch = reply("[1,2]");
        assert_eq!(batch["error"]["code"], -32600);
        let long: Value =
            serde_json::from_str(&too_long(r#"{"jsonrpc":"2.0","id":"abc","method":"tools/call","params":{"#, 8 << 20))
                .unwrap();
        assert_eq!((long["error"]["code"].as_i64(), &long["id"]), (Some(-32600), &json!("abc")));
        assert!(long["error"]["message"].as_str().unwrap().contains("8 MiB"));
        assert!(matches!(read("  \n"), Read::Blank));
        assert!(matches!(read(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#), Read::Message(_)));
        // An unknown method is rmcp's to answer (-32601), so it passes.
        assert!(matches!(read(r#"{"jsonrpc":"2.0","id":1,"method":"x/y"}"#), Read::Message(_)));
        let no_version = read(r#"{"method":"notifications/initialized"}"#);
        assert!(matches!(no_version, Read::Malformed { notification: true, .. }), "{no_version:?}");
    }
}
