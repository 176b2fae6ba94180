//! Prompts and resources as MCP publishes them: the component's prompt descriptors and
//! resource templates to rmcp's types, a prompt's messages and a resource's text to their
//! results, completions of their arguments, and a failed prompt, read or completion to the
//! JSON-RPC error that fits it.

use rmcp::model::{
    CompleteRequestParams, CompleteResult, CompletionInfo, ErrorCode, ErrorData, GetPromptResult, Prompt,
    PromptArgument, PromptMessage, ReadResourceResult, Reference, ResourceContents, Role,
};

use crate::descriptor::{self, ToolError};

pub fn prompt(d: &descriptor::PromptDescriptor) -> Prompt {
    let arguments = d
        .arguments
        .iter()
        .map(|a| PromptArgument::new(&a.name).with_description(&a.description).with_required(a.required))
        .collect();
    Prompt::new(&d.name, Some(&d.description), Some(arguments)).with_title(&d.title)
}

pub fn resource_template(t: &descriptor::ResourceTemplate) -> rmcp::model::ResourceTemplate {
    rmcp::model::ResourceTemplate::new(&t.uri_template, &t.name)
        .with_title(&t.title)
        .with_description(&t.description)
        .with_mime_type(&t.mime_type)
}

/// A prompt nobody has: the names there are.
pub fn unknown_prompt(name: &str, prompts: &[Prompt]) -> ErrorData {
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    ErrorData::invalid_params(format!("no prompt is named {name:?}; this server has: {}", names.join(", ")), None)
}

pub fn prompt_result(prompt: &Prompt, messages: Vec<descriptor::PromptMessage>) -> GetPromptResult {
    let messages = messages
        .into_iter()
        .map(|m| PromptMessage::new_text(if m.user { Role::User } else { Role::Assistant }, m.text))
        .collect();
    let mut result = GetPromptResult::new(messages);
    result.description = prompt.description.clone();
    result
}

pub fn resource_result(uri: String, mime_type: String, text: String) -> ReadResourceResult {
    ReadResourceResult::new(vec![ResourceContents::text(text, uri).with_mime_type(mime_type)])
}

/// Whether any prompt or resource template has an argument to complete, which is when
/// the server declares `completions`.
pub fn has_arguments(prompts: &[Prompt], templates: &[rmcp::model::ResourceTemplate]) -> bool {
    prompts.iter().any(|p| p.arguments.as_ref().is_some_and(|a| !a.is_empty()))
        || templates.iter().any(|t| t.uri_template.contains('{'))
}

/// `completion/complete`'s parameters as the component takes them.
pub fn completion_request(params: &CompleteRequestParams) -> Result<descriptor::CompletionRequest, ErrorData> {
    let target = match &params.r#ref {
        Reference::Prompt(prompt) => descriptor::CompletionTarget::Prompt(prompt.name.clone()),
        Reference::Resource(template) => descriptor::CompletionTarget::ResourceTemplate(template.uri.clone()),
        other => {
            let kind = other.reference_type();
            return Err(ErrorData::invalid_params(
                format!("completions are for \"ref/prompt\" and \"ref/resource\", not {kind:?}"),
                None,
            ));
        }
    };
    let given = params.context.as_ref().and_then(|c| c.arguments.clone()).unwrap_or_default();
    Ok(descriptor::CompletionRequest {
        target,
        argument: params.argument.name.clone(),
        value: params.argument.value.clone(),
        context: serde_json::json!(given).to_string(),
    })
}

/// The component's values as the result; more than MCP allows are cut and counted.
pub fn completion_result(completion: descriptor::Completion) -> CompleteResult {
    let mut values = completion.values;
    let cut = values.len() > CompletionInfo::MAX_VALUES;
    values.truncate(CompletionInfo::MAX_VALUES);
    let mut info = CompletionInfo::new(values).unwrap_or_default();
    info.total = completion.total;
    info.has_more = Some(completion.has_more || cut);
    CompleteResult::new(info)
}

/// The JSON-RPC error for a failed prompt or read, worded in `message`: a 404 is "not
/// found", a refused argument or unknown name "invalid params", anything else internal.
pub fn step_error(error: Option<&ToolError>, message: String) -> ErrorData {
    match error {
        Some(ToolError::Upstream(u)) if u.status == 404 => ErrorData::resource_not_found(message, None),
        Some(ToolError::InvalidArguments { .. } | ToolError::UnknownTool(_)) => {
            ErrorData::invalid_params(message, None)
        }
        _ => ErrorData::internal_error(message, None),
    }
}

/// A read of a resource that does not exist (or a URI no template matches) names the URI
/// in `data`, as SEP-2164 asks.
pub fn naming_the_uri(mut error: ErrorData, uri: &str) -> ErrorData {
    if error.code == ErrorCode::RESOURCE_NOT_FOUND || error.code == ErrorCode::INVALID_PARAMS {
        error.data = Some(serde_json::json!({ "uri": uri }));
    }
    error
}
