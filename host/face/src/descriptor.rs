//! The contract's tool types as plain Rust, so the face does not depend on either side's
//! bindings: the native host converts from wasmtime's, the server component from
//! wit-bindgen's, field for field (`wit/orchestra-mcp.wit` documents each).

/// `tool-descriptor`.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDescriptor {
    pub name: String,
    pub title: String,
    pub description: String,
    pub toolset: String,
    pub input_schema: String,
    pub output_schema: String,
    pub annotations: Annotations,
    pub opt_in: bool,
}

/// `tool-annotations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// `completion-target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompletionTarget {
    Prompt(String),
    ResourceTemplate(String),
}

/// `completion-request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRequest {
    pub target: CompletionTarget,
    pub argument: String,
    pub value: String,
    /// The other arguments already given, a JSON object of strings.
    pub context: String,
}

/// `completion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub values: Vec<String>,
    pub total: Option<u32>,
    pub has_more: bool,
}

/// `tool-error`.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolError {
    UnknownTool(String),
    InvalidArguments { field: String, message: String },
    Upstream(Upstream),
    EgressDenied(String),
    Timeout(String),
    Transport(String),
    UnexpectedResponse(String),
    Internal(String),
}

/// `upstream-error`.
#[derive(Debug, Clone, PartialEq)]
pub struct Upstream {
    pub status: u16,
    pub request: String,
    pub detail: String,
    pub retry_after_seconds: Option<u32>,
    pub hint: Option<String>,
}

impl ToolError {
    /// Whether the failure surely changed nothing in Orchestra: it happened before anything
    /// was sent, or Orchestra refused the request. Anything else may have taken effect.
    pub fn changed_nothing(&self) -> bool {
        match self {
            Self::InvalidArguments { .. } | Self::UnknownTool(_) | Self::EgressDenied(_) => true,
            Self::Upstream(u) => u.status < 500,
            _ => false,
        }
    }
}

/// `prompt-descriptor`.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptDescriptor {
    pub name: String,
    pub title: String,
    pub description: String,
    pub arguments: Vec<PromptArgument>,
}

/// `prompt-argument`.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptArgument {
    pub name: String,
    pub description: String,
    pub required: bool,
}

/// `prompt-message`: `user` is false for the assistant's messages.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptMessage {
    pub user: bool,
    pub text: String,
}

/// `resource-template`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceTemplate {
    pub uri_template: String,
    pub name: String,
    pub title: String,
    pub description: String,
    pub mime_type: String,
}
