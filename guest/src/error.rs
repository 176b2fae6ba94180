//! Constructors for the typed errors of the WIT contract.

use crate::wit::{InvalidArgument, ToolError};

/// An argument the tool refuses before anything is sent.
pub fn invalid(field: &str, message: impl Into<String>) -> ToolError {
    ToolError::InvalidArguments(InvalidArgument { field: field.to_string(), message: message.into() })
}

/// Orchestra answered with something the API does not promise.
pub fn unexpected(message: impl Into<String>) -> ToolError {
    ToolError::UnexpectedResponse(message.into())
}
