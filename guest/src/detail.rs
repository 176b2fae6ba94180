//! How much of each Orchestra object a list returns. Compact, the default, keeps the fields
//! an agent reads to triage and to pick its next call (ids, names, statuses, messages,
//! links, times) and leaves out nulls; full is exactly what Orchestra sent. Lists of runs,
//! task runs, operations and assets are the results that fill a context window, and most
//! of their bytes are parameters, definitions, costs and lineage an agent rarely needs
//! from a list.

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::api::models::{Asset, Operation, PipelineRun, TaskRun};

/// The `detail` argument of the list tools. The variants carry no doc comments so the
/// schema stays a plain `enum` (a `oneOf` of consts trips simpler schema dialects); the
/// argument's own description explains them.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Detail {
    #[default]
    Compact,
    Full,
}

impl Detail {
    /// The items of a list at this level.
    pub fn items<T: Compact + Serialize>(self, items: Vec<T>) -> Vec<Item<T>> {
        items.into_iter().map(|item| Item::new(&item, self)).collect()
    }

    /// The note a compact list carries, naming what it left out and how to get it.
    pub fn note<T: Compact>(self, items: &[T]) -> Option<String> {
        (self == Self::Compact && !items.is_empty())
            .then(|| format!("compact detail: {} left out; detail \"full\" has every field", T::LEFT_OUT))
    }
}

/// An Orchestra object whose compact form keeps only some of its fields.
pub trait Compact {
    /// The fields (as Orchestra spells them) a compact item keeps when they are not null.
    const KEPT: &'static [&'static str];
    /// What the compact form leaves out, in words for the note.
    const LEFT_OUT: &'static str;
}

/// One item of a list at the detail asked for. Its schema is the object's, with only the
/// kept fields that are never null required, so both levels validate against it.
pub struct Item<T>(Value, PhantomData<T>);

impl<T: Compact + Serialize> Item<T> {
    fn new(item: &T, detail: Detail) -> Self {
        let mut value = serde_json::to_value(item).unwrap_or(Value::Null);
        if let (Detail::Compact, Value::Object(fields)) = (detail, &mut value) {
            fields.retain(|key, field| !field.is_null() && T::KEPT.contains(&key.as_str()));
        }
        Self(value, PhantomData)
    }
}

impl<T> std::fmt::Debug for Item<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> Serialize for Item<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: Compact + JsonSchema> JsonSchema for Item<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = T::json_schema(generator);
        let nullable = |property: Option<&Value>| property.is_none_or(allows_null);
        if let Some(object) = schema.as_object_mut() {
            let properties = object.get("properties").cloned().unwrap_or_default();
            if let Some(Value::Array(required)) = object.get_mut("required") {
                required.retain(|name| {
                    let name = name.as_str().unwrap_or_default();
                    T::KEPT.contains(&name) && !nullable(properties.get(name))
                });
            }
        }
        schema
    }
}

/// Whether a property's schema admits null (`type: [X, "null"]` or an `anyOf` with null).
fn allows_null(schema: &Value) -> bool {
    let is_null = |t: &Value| t == "null";
    match (schema.get("type"), schema.get("anyOf")) {
        (Some(Value::Array(types)), _) => types.iter().any(is_null),
        (Some(t), _) => is_null(t),
        (None, Some(Value::Array(branches))) => branches.iter().any(allows_null),
        (None, _) => false,
    }
}

impl Compact for PipelineRun {
    const KEPT: &'static [&'static str] = &[
        "id",
        "pipelineId",
        "pipelineName",
        "envId",
        "envName",
        "runStatus",
        "message",
        "hasAnomalies",
        "anomalies",
        "triggeredBy",
        "childPipelineRuns",
        "pipelineVersionNumber",
        "createdAt",
        "startedAt",
        "completedAt",
        "branch",
        "commit",
    ];
    const LEFT_OUT: &'static str =
        "the definition the run used (data), accountId, updatedAt, gitLink, nulls and fields outside the spec";
}

impl Compact for TaskRun {
    const KEPT: &'static [&'static str] = &[
        "id",
        "pipelineRunId",
        "pipelineId",
        "taskId",
        "taskName",
        "integration",
        "integrationJob",
        "status",
        "message",
        "externalStatus",
        "externalMessage",
        "platformLink",
        "numberOfAttempts",
        "dependsOn",
        "createdAt",
        "startedAt",
        "completedAt",
        // Duration anomalies are triage evidence, though the spec does not list them yet.
        "hasAnomalies",
        "anomalies",
    ];
    const LEFT_OUT: &'static str = "taskParameters, runParameters, connectionId, computeResourceId, matrix fields, \
                                    accountId, updatedAt, nulls and fields outside the spec";
}

impl Compact for Operation {
    const KEPT: &'static [&'static str] = &[
        "id",
        "pipelineRunId",
        "taskRunId",
        "operationName",
        "operationType",
        "operationStatus",
        "message",
        "externalStatus",
        "externalDetail",
        "externalId",
        "assetExternalId",
        "integration",
        "startedAt",
        "completedAt",
        "operationDuration",
        "rowsAffected",
    ];
    const LEFT_OUT: &'static str =
        "cost and credit fields, meta, tags, dependencies, integrationJob, insertedAt, accountId and nulls";
}

impl Compact for Asset {
    const KEPT: &'static [&'static str] = &[
        "assetId",
        "assetName",
        "assetType",
        "integration",
        "status",
        "externalId",
        "databaseName",
        "schemaName",
        "tableName",
        "workspaceName",
        "owner",
        "rowCount",
        "url",
        "lastUpdatedInIntegration",
        "lastSuccessfulRun",
    ];
    const LEFT_OUT: &'static str = "lineage (upstream and downstream dependencies), usage, freshness settings, meta, \
                                    description, connection, integrationAccountId, accountId, created and updated \
                                    times and nulls";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task_run() -> TaskRun {
        serde_json::from_value(json!({
            "id": "t1", "pipelineRunId": "r1", "taskName": "dbt build", "taskId": "dbt", "accountId": "a",
            "pipelineId": "p", "integration": "DBT_CORE", "integrationJob": "DBT_CORE_EXECUTE", "status": "FAILED",
            "message": "boom", "externalMessage": null, "taskParameters": {"commands": "dbt build"},
            "runParameters": {"x": 1}, "matrixParent": false, "createdAt": "2026-11-30T10:00:00Z",
            "updatedAt": "2026-11-30T10:05:00Z", "anomalies": {"task_duration_above_baseline": {}}, "somethingNew": 1
        }))
        .unwrap()
    }

    #[test]
    fn compact_keeps_what_triage_reads_and_full_keeps_everything() {
        let full = serde_json::to_value(Detail::Full.items(vec![task_run()])).unwrap();
        assert_eq!(full[0], serde_json::to_value(task_run()).unwrap());
        assert_eq!(full[0]["externalMessage"], Value::Null, "full keeps nulls");

        let compact = serde_json::to_value(Detail::Compact.items(vec![task_run()])).unwrap();
        let fields: Vec<&str> = compact[0].as_object().unwrap().keys().map(String::as_str).collect();
        for kept in ["id", "status", "message", "taskName", "createdAt", "anomalies"] {
            assert!(fields.contains(&kept), "{kept} missing from {fields:?}");
        }
        for dropped in ["taskParameters", "accountId", "updatedAt", "matrixParent", "somethingNew", "externalMessage"] {
            assert!(!fields.contains(&dropped), "{dropped} kept in {fields:?}");
        }
    }

    #[test]
    fn the_item_schema_requires_only_kept_fields_that_are_never_null() {
        let schema = crate::schema::output::<Vec<Item<TaskRun>>>();
        let required: Vec<&str> =
            schema["items"]["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(required.contains(&"id") && required.contains(&"status"), "{required:?}");
        assert!(!required.contains(&"accountId") && !required.contains(&"updatedAt"), "{required:?}");
        assert!(!required.contains(&"message"), "nullable, so dropped when null: {required:?}");
        assert!(schema["items"]["properties"].get("taskParameters").is_some(), "full fields stay described");
    }

    #[test]
    fn only_a_compact_non_empty_list_carries_the_note() {
        assert!(Detail::Compact.note(&[task_run()]).unwrap().contains("detail \"full\""));
        assert_eq!(Detail::Full.note(&[task_run()]), None);
        assert_eq!(Detail::Compact.note::<TaskRun>(&[]), None);
    }
}
