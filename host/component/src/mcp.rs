//! MCP messages to answers, for both transports of the component and both protocol eras:
//! the 2025-11-25 era (`initialize`, then requests) and the stateless 2026-07-28 era
//! (`server/discover`, and the version in every request's `_meta`). Each message is
//! answered on its own; nothing is kept between them, so any instance can answer any
//! request. Messages are rmcp's model types, serialized as the native host's are.

use orchestra_mcp_face::{documents, wording};
use rmcp::model::{
    CallToolRequestParams, CompleteRequestParams, DiscoverResult, ErrorData, GetPromptRequestParams, Implementation,
    InitializeResult, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    NumberOrString, ProgressNotificationParam, ProgressToken, PromptsCapability, ProtocolVersion,
    ReadResourceRequestParams, ResourcesCapability, ServerCapabilities, ServerJsonRpcMessage, ServerNotification,
    ServerResult, ToolsCapability,
};
use serde_json::{Value, json};

use crate::calls;

/// Where a 2026-07-28 request carries its protocol version.
const VERSION_META: &str = "io.modelcontextprotocol/protocolVersion";

/// The versions this server speaks: the stateless era and every era with `initialize`.
fn supported() -> Vec<ProtocolVersion> {
    vec![
        ProtocolVersion::V_2026_07_28,
        ProtocolVersion::V_2025_11_25,
        ProtocolVersion::V_2025_06_18,
        ProtocolVersion::V_2025_03_26,
        ProtocolVersion::V_2024_11_05,
    ]
}

/// One incoming message, as far as the transports need to know it.
pub struct Message {
    pub id: Option<Value>,
    pub method: Option<String>,
    pub params: Value,
}

impl Message {
    /// Reads one JSON-RPC message; what is not one gets the JSON-RPC error to send back.
    pub fn parse(text: &[u8]) -> Result<Self, Value> {
        let value: Value = serde_json::from_slice(text)
            .map_err(|e| error_message(None, ErrorData::parse_error(format!("the message is not JSON: {e}"), None)))?;
        let Value::Object(mut object) = value else {
            return Err(error_message(
                None,
                ErrorData::invalid_request("a message must be one JSON-RPC object (batches are not part of MCP)", None),
            ));
        };
        let id = object.remove("id");
        let method = match object.remove("method") {
            Some(Value::String(m)) => Some(m),
            None => None,
            Some(_) => return Err(error_message(id, ErrorData::invalid_request("method must be a string", None))),
        };
        if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Err(error_message(id, ErrorData::invalid_request("jsonrpc must be \"2.0\"", None)));
        }
        Ok(Self { id, method, params: object.remove("params").unwrap_or(Value::Null) })
    }

    /// The version a 2026-07-28 era request names in its `_meta`, if it names one.
    pub fn stateless_version(&self) -> Option<&str> {
        self.params.get("_meta")?.get(VERSION_META)?.as_str()
    }

    /// A request expects an answer; a notification (or a client's response) does not.
    pub fn is_request(&self) -> bool {
        self.id.is_some() && self.method.is_some()
    }
}

/// Answers one message. `notify` sends a notification before the answer, where the
/// transport can (progress during a long call over stdio). `None` for notifications.
pub fn answer(surface: &calls::Surface, message: Message, notify: &mut dyn FnMut(Value)) -> Option<Value> {
    if !message.is_request() {
        return None;
    }
    let id = message.id.clone();
    let result = respond(surface, &message, notify);
    Some(match result {
        Ok(result) => response(id, result),
        Err(error) => error_message(id, error),
    })
}

fn respond(
    surface: &calls::Surface,
    message: &Message,
    notify: &mut dyn FnMut(Value),
) -> Result<ServerResult, ErrorData> {
    let method = message.method.as_deref().unwrap_or_default();
    let catalogue = &surface.catalogue;
    let stateless = match message.stateless_version() {
        Some(version) => {
            let version = protocol_version(version);
            if version.has_initialize() || !supported().contains(&version) {
                return Err(ErrorData::unsupported_protocol_version(version, &supported()));
            }
            true
        }
        None => false,
    };
    let mut result = match method {
        "initialize" => {
            let requested =
                protocol_version(message.params.get("protocolVersion").and_then(Value::as_str).unwrap_or_default());
            let version = if requested.has_initialize() && supported().contains(&requested) {
                requested
            } else {
                ProtocolVersion::LATEST_WITH_INITIALIZE
            };
            ServerResult::InitializeResult(
                InitializeResult::new(capabilities(surface))
                    .with_protocol_version(version)
                    .with_server_info(server_info())
                    .with_instructions(wording::INSTRUCTIONS),
            )
        }
        "server/discover" => {
            let mut discovered =
                DiscoverResult::new(supported(), capabilities(surface)).with_server_info(server_info());
            discovered.instructions = Some(wording::INSTRUCTIONS.to_string());
            ServerResult::DiscoverResult(discovered)
        }
        "ping" => ServerResult::EmptyResult(().into()),
        "tools/list" => ServerResult::ListToolsResult(ListToolsResult::with_all_items(catalogue.tools().to_vec())),
        "tools/call" => {
            let params: CallToolRequestParams = serde_json::from_value(message.params.clone()).map_err(|e| {
                ErrorData::invalid_params(format!("tools/call needs a tool name and arguments: {e}"), None)
            })?;
            if let Some(why) = catalogue.unavailable(&params.name) {
                return Err(ErrorData::invalid_params(why, None));
            }
            let token = params.meta.as_ref().and_then(|m| m.get_progress_token());
            let mut progress = |(progress, total, text): calls::Progress| {
                if let Some(token) = &token {
                    notify(progress_notification(token.clone(), progress, total, text));
                }
            };
            let arguments = Value::Object(params.arguments.unwrap_or_default());
            ServerResult::CallToolResult(calls::run(catalogue, &params.name, arguments, &mut progress))
        }
        "prompts/list" if !surface.prompts.is_empty() => {
            ServerResult::ListPromptsResult(ListPromptsResult::with_all_items(surface.prompts.clone()))
        }
        "prompts/get" if !surface.prompts.is_empty() => {
            let params: GetPromptRequestParams = serde_json::from_value(message.params.clone())
                .map_err(|e| ErrorData::invalid_params(format!("prompts/get needs a prompt name: {e}"), None))?;
            let arguments = Value::Object(params.arguments.unwrap_or_default());
            ServerResult::GetPromptResult(calls::prompt(surface, &params.name, &arguments)?)
        }
        // Documents are reached through templates; there is no fixed list of them.
        "resources/list" if !surface.resource_templates.is_empty() => {
            ServerResult::ListResourcesResult(ListResourcesResult::with_all_items(Vec::new()))
        }
        "resources/templates/list" if !surface.resource_templates.is_empty() => {
            ServerResult::ListResourceTemplatesResult(ListResourceTemplatesResult::with_all_items(
                surface.resource_templates.clone(),
            ))
        }
        "resources/read" if !surface.resource_templates.is_empty() => {
            let params: ReadResourceRequestParams = serde_json::from_value(message.params.clone())
                .map_err(|e| ErrorData::invalid_params(format!("resources/read needs a uri: {e}"), None))?;
            ServerResult::ReadResourceResult(calls::read(&params.uri)?)
        }
        "completion/complete" if surface.completes() => {
            let params: CompleteRequestParams = serde_json::from_value(message.params.clone()).map_err(|e| {
                ErrorData::invalid_params(format!("completion/complete needs a ref and an argument: {e}"), None)
            })?;
            ServerResult::CompleteResult(calls::complete(&documents::completion_request(&params)?)?)
        }
        other => {
            return Err(ErrorData::new(
                rmcp::model::ErrorCode::METHOD_NOT_FOUND,
                format!("this server does not serve the method {other:?}"),
                None,
            ));
        }
    };
    if stateless {
        result.fill_missing_cache_hints();
    }
    Ok(result)
}

/// Only what is served: prompts and resources when the component has some, completions
/// when any of them has an argument.
fn capabilities(surface: &calls::Surface) -> ServerCapabilities {
    let mut capabilities = ServerCapabilities::default();
    capabilities.tools = Some(ToolsCapability::default());
    if !surface.prompts.is_empty() {
        capabilities.prompts = Some(PromptsCapability::default());
    }
    if !surface.resource_templates.is_empty() {
        capabilities.resources = Some(ResourcesCapability::default());
    }
    if surface.completes() {
        capabilities.completions = Some(Default::default());
    }
    capabilities
}

/// A version as the client spelled it (any text: unknown versions are refused by name).
fn protocol_version(text: &str) -> ProtocolVersion {
    serde_json::from_value(Value::String(text.to_string())).unwrap_or_default()
}

fn server_info() -> Implementation {
    Implementation::new(wording::SERVER_NAME, env!("CARGO_PKG_VERSION")).with_title(wording::SERVER_TITLE)
}

fn progress_notification(token: ProgressToken, progress: f64, total: Option<f64>, message: Option<String>) -> Value {
    let mut params = ProgressNotificationParam::new(token, progress);
    params.total = total;
    params.message = message;
    let notification = ServerJsonRpcMessage::notification(ServerNotification::ProgressNotification(
        rmcp::model::Notification::new(params),
    ));
    serde_json::to_value(notification).unwrap_or(Value::Null)
}

fn response(id: Option<Value>, result: ServerResult) -> Value {
    match request_id(id.clone()) {
        Some(id) => serde_json::to_value(ServerJsonRpcMessage::response(result, id)).unwrap_or(Value::Null),
        None => error_message(id, ErrorData::invalid_request("the request id must be a string or an integer", None)),
    }
}

/// A JSON-RPC error for `id` (`null` when it cannot be read).
pub fn error_message(id: Option<Value>, error: ErrorData) -> Value {
    json!({"jsonrpc": "2.0", "id": id.unwrap_or(Value::Null), "error": error})
}

fn request_id(id: Option<Value>) -> Option<NumberOrString> {
    serde_json::from_value(id?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_one_json_rpc_message_gets_the_error_for_it() {
        let code = |text: &str| Message::parse(text.as_bytes()).err().map(|e| e["error"]["code"].as_i64().unwrap());
        assert_eq!(code("{not json"), Some(-32700));
        assert_eq!(code(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#), Some(-32600));
        assert_eq!(code(r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#), Some(-32600));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":7}"#), Some(-32600));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#), None);
        let error = Message::parse(br#"{"jsonrpc":"1.0","id":"a-1","method":"ping"}"#).err().unwrap();
        assert_eq!(error["id"], "a-1", "the id is kept when it can be read");
        let notification = Message::parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap();
        assert!(!notification.is_request());
    }
}
