//! What every pipeline write (create, update, import, storage settings) answers: the
//! pipeline as Orchestra now has it, without echoing the definition the agent just sent,
//! plus the version saved and the commit that holds it.

use schemars::JsonSchema;
use serde::Serialize;

use crate::api::Client;
use crate::api::models::{Pipeline, SavedPipeline};
use crate::wit::ToolError;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    /// The pipeline, JSON-string fields parsed. Its definition is left out:
    /// `get_pipeline_definition` reads it.
    pub pipeline: Pipeline,
    /// The version this write saved.
    pub version: Option<i64>,
    /// True when the saved version is the published one, which scheduled and started
    /// runs use; false for a draft.
    pub published: bool,
    /// The git commit now holding the definition, for git-backed pipelines.
    pub commit_sha: Option<String>,
    /// The pipeline's page in the Orchestra UI.
    pub edit_url: String,
}

pub fn saved(client: &Client, answer: SavedPipeline) -> Saved {
    let pipeline = answer.pipeline;
    let version = answer.current_version_number.or(pipeline.latest_version_number);
    Saved {
        published: version.is_some() && version == pipeline.published_version_number,
        version,
        commit_sha: answer.new_commit_sha.or(answer.latest_file_sha),
        edit_url: client.pipeline_url(&pipeline.id),
        pipeline,
    }
}

/// Orchestra's 422 locates problems at `body.data...`; the agent wrote them in the
/// `definition` argument, so that is where the message points.
pub fn at_definition(error: ToolError) -> ToolError {
    match error {
        ToolError::Upstream(mut e) => {
            e.detail = e.detail.replace("body.data.", "definition.").replace("body.data:", "definition:");
            ToolError::Upstream(e)
        }
        other => other,
    }
}
