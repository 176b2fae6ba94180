//! The editable details of an asset, shared by `create_asset` and `update_asset`: read
//! from snake_case arguments, sent in the API's camelCase.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::invalid;
use crate::wit::ToolError;

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all(deserialize = "snake_case", serialize = "camelCase"))]
pub struct AssetDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Owners, e.g. e-mail addresses; the first is shown as the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<String>>,
    /// A link to the asset in its own tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Map<String, Value>>,
    /// When the asset was created in its tool (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_in_integration: Option<String>,
    /// When the asset last changed in its tool (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_in_integration: Option<String>,
}

impl AssetDetails {
    /// The details as the API's JSON object, times checked first.
    pub fn wire(&self) -> Result<Map<String, Value>, ToolError> {
        for (field, time) in [
            ("details/created_in_integration", &self.created_in_integration),
            ("details/last_updated_in_integration", &self.last_updated_in_integration),
        ] {
            if let Some(time) = time
                && time.parse::<jiff::Timestamp>().is_err()
            {
                return Err(invalid(field, format!("{time:?} is not an RFC 3339 time such as 2026-11-20T02:00:00Z")));
            }
        }
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(ToolError::Internal("asset details do not serialize to an object".into())),
        }
    }
}
