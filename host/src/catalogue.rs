//! The tool catalogue as MCP publishes it, read once from the component at start-up and
//! filtered by the operator's exposure choices, with a compiled input-schema validator per
//! exposed tool.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, bail};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

use crate::exposure::{Exposure, ToolFacts};
use crate::sandbox::ToolDescriptor;

pub struct Catalogue {
    tools: Vec<Tool>,
    validators: HashMap<String, jsonschema::Validator>,
    toolsets: HashMap<String, String>,
    /// Tools the component has that this configuration leaves out.
    hidden: Vec<String>,
}

impl Catalogue {
    /// Converts the descriptors of the tools `exposure` lets through; a malformed schema
    /// fails start-up, loudly. Switches that name no tool or toolset are logged.
    pub fn new(descriptors: Vec<ToolDescriptor>, exposure: &Exposure) -> anyhow::Result<Self> {
        let facts: Vec<ToolFacts> = descriptors
            .iter()
            .map(|d| ToolFacts {
                name: &d.name,
                toolset: &d.toolset,
                read_only: d.annotations.read_only,
                opt_in: d.opt_in,
            })
            .collect();
        for warning in exposure.unknown_names(facts.iter()) {
            tracing::warn!("{warning}");
        }
        let exposed = exposure.exposed(&facts);
        drop(facts);
        let mut tools = Vec::with_capacity(descriptors.len());
        let mut validators = HashMap::new();
        let mut toolsets = HashMap::new();
        let mut hidden = Vec::new();
        for (d, exposed) in descriptors.into_iter().zip(exposed) {
            if !exposed {
                hidden.push(d.name);
                continue;
            }
            let input = schema_object(&d.name, "input", &d.input_schema)?;
            let output = schema_object(&d.name, "output", &d.output_schema)?;
            let validator = jsonschema::validator_for(&Value::Object(input.clone()))
                .map_err(|e| anyhow::anyhow!("{}: invalid input schema: {e}", d.name))?;
            if validators.insert(d.name.clone(), validator).is_some() {
                bail!("the component lists the tool {} twice", d.name);
            }
            toolsets.insert(d.name.clone(), d.toolset.clone());
            let annotations = ToolAnnotations::with_title(d.title.clone())
                .read_only(d.annotations.read_only)
                .destructive(d.annotations.destructive)
                .idempotent(d.annotations.idempotent)
                .open_world(d.annotations.open_world);
            tools.push(
                Tool::new(d.name, d.description, Arc::new(input))
                    .with_title(d.title)
                    .with_raw_output_schema(Arc::new(output))
                    .with_annotations(annotations),
            );
        }
        Ok(Self { tools, validators, toolsets, hidden })
    }

    /// Whether the component has this tool but the configuration leaves it out.
    pub fn is_hidden(&self, name: &str) -> bool {
        self.hidden.iter().any(|h| h == name)
    }

    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    pub fn get(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// Whether the tool's input schema declares this argument.
    pub fn takes(&self, name: &str, argument: &str) -> bool {
        self.get(name).and_then(|t| t.input_schema.get("properties")).is_some_and(|p| p.get(argument).is_some())
    }

    pub fn toolset(&self, name: &str) -> Option<&str> {
        self.toolsets.get(name).map(String::as_str)
    }

    /// Checks arguments against the tool's input schema. Each problem names the argument
    /// (as a JSON pointer below the arguments object) and what is wrong with it.
    pub fn validate(&self, name: &str, arguments: &Value) -> Result<(), Vec<String>> {
        let Some(validator) = self.validators.get(name) else {
            return Err(vec![format!("unknown tool {name}")]);
        };
        let problems: Vec<String> = validator
            .iter_errors(arguments)
            .map(|error| {
                let path = error.instance_path().as_str().trim_start_matches('/').to_string();
                let field = if path.is_empty() { "(arguments)".to_string() } else { path };
                let mut message = match error.kind() {
                    // The default wording lists only two options; a model needs them all.
                    jsonschema::error::ValidationErrorKind::Enum { options } => {
                        format!("{} is not one of {options}", error.instance())
                    }
                    _ => error.to_string(),
                };
                if message.len() > 300 {
                    let cut = (0..=300).rev().find(|i| message.is_char_boundary(*i)).unwrap_or(0);
                    message.truncate(cut);
                    message.push('…');
                }
                format!("{field}: {message}")
            })
            .collect();
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

fn schema_object(tool: &str, which: &str, text: &str) -> anyhow::Result<JsonObject> {
    let value: Value = serde_json::from_str(text).with_context(|| format!("{tool}: {which} schema is not JSON"))?;
    match value {
        Value::Object(object) => Ok(object),
        _ => bail!("{tool}: {which} schema is not a JSON object"),
    }
}
