//! Output shaping shared by the tools: durations from Orchestra's timestamps, duration
//! anomalies flattened into one shape, and text bounded so one long message cannot fill a
//! model's context.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

/// Seconds between two of Orchestra's timestamps (`2025-05-01T11:16:39.421992+00:00`).
pub fn duration_seconds(started: Option<&str>, completed: Option<&str>) -> Option<f64> {
    let start: jiff::Timestamp = started?.parse().ok()?;
    let end: jiff::Timestamp = completed?.parse().ok()?;
    let seconds = end.duration_since(start).as_secs_f64();
    (seconds >= 0.0).then(|| (seconds * 10.0).round() / 10.0)
}

/// A duration anomaly: the run or task took much longer than its usual runs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Anomaly {
    /// `pipeline_duration_above_baseline` or `task_duration_above_baseline`.
    pub kind: String,
    pub observed_seconds: Option<i64>,
    /// The duration above which Orchestra calls it an anomaly.
    pub threshold_seconds: Option<i64>,
    pub percentage_above_baseline: Option<i64>,
    /// How many earlier runs the baseline was computed from.
    pub compared_runs: Option<i64>,
}

/// Reads an `anomalies` map (id → `{type, data}`). The spec writes the data snake_case and
/// newer API versions camelCase; both are read.
pub fn anomalies(map: Option<&Map<String, Value>>) -> Vec<Anomaly> {
    let Some(map) = map else { return Vec::new() };
    map.values()
        .map(|anomaly| {
            let data = anomaly.get("data").unwrap_or(&Value::Null);
            let number = |snake: &str, camel: &str| data.get(snake).or_else(|| data.get(camel)).and_then(Value::as_i64);
            Anomaly {
                kind: anomaly.get("type").and_then(Value::as_str).unwrap_or("unknown").to_string(),
                observed_seconds: number("observed_seconds", "observedSeconds"),
                threshold_seconds: number("threshold_seconds", "thresholdSeconds"),
                percentage_above_baseline: number("percentage_above_baseline", "percentageAboveBaseline"),
                compared_runs: number("compared_runs", "comparedRuns"),
            }
        })
        .collect()
}

/// Cuts `text` to at most `max_chars` characters, saying how long it was.
pub fn bounded(text: &str, max_chars: usize) -> String {
    let count = text.chars().count();
    if count <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    format!("{cut}… ({count} characters in all)")
}

/// `text` without terminal escape sequences (colours, cursor moves), as a model reads it.
pub fn without_ansi(text: &str) -> String {
    if !text.contains('\u{1b}') {
        return text.to_string();
    }
    String::from_utf8_lossy(&strip_ansi_escapes::strip(text)).into_owned()
}

/// `bounded` for an optional text.
pub fn bounded_opt(text: Option<&str>, max_chars: usize) -> Option<String> {
    text.map(|t| bounded(t, max_chars))
}

/// Bounds every string inside a JSON value (parameters can hold whole SQL scripts).
pub fn bound_strings(value: &mut Value, max_chars: usize) {
    match value {
        Value::String(s) if s.chars().count() > max_chars => *s = bounded(s, max_chars),
        Value::Array(items) => items.iter_mut().for_each(|v| bound_strings(v, max_chars)),
        Value::Object(map) => map.values_mut().for_each(|v| bound_strings(v, max_chars)),
        _ => {}
    }
}

/// The median of some values, or `None` for none.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let m = if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] };
    Some((m * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn colour_codes_are_removed_and_the_text_kept() {
        let dbt = "41 of 42 ERROR ... [\u{1b}[31mERROR\u{1b}[0m in 1.92s]\n\u{1b}[0m12:00:01  Done.";
        assert_eq!(without_ansi(dbt), "41 of 42 ERROR ... [ERROR in 1.92s]\n12:00:01  Done.");
        assert_eq!(without_ansi("plain ✓ text"), "plain ✓ text");
    }

    #[test]
    fn durations_come_from_orchestra_timestamps() {
        let d = duration_seconds(Some("2025-05-01T11:16:44.841252+00:00"), Some("2025-05-01T11:17:01.280976+00:00"));
        assert_eq!(d, Some(16.4));
        assert_eq!(duration_seconds(None, Some("2025-05-01T11:17:01Z")), None);
        assert_eq!(duration_seconds(Some("garbage"), Some("2025-05-01T11:17:01Z")), None);
    }

    #[test]
    fn anomalies_are_read_in_either_casing() {
        let map = json!({
            "a": {"type": "pipeline_duration_above_baseline", "data": {"observed_seconds": 1104, "threshold_seconds": 600}},
            "b": {"type": "task_duration_above_baseline", "data": {"observedSeconds": 90, "comparedRuns": 10}},
        });
        let found = anomalies(map.as_object());
        assert_eq!(found[0].observed_seconds, Some(1104));
        assert_eq!(found[1].compared_runs, Some(10));
    }

    #[test]
    fn text_is_bounded_on_character_boundaries() {
        assert_eq!(bounded("héllo", 10), "héllo");
        assert_eq!(bounded("héllo", 2), "hé… (5 characters in all)");
        let mut v = json!({"sql": "x".repeat(50), "n": [1, "yy"]});
        bound_strings(&mut v, 10);
        assert!(v["sql"].as_str().unwrap().starts_with("xxxxxxxxxx…"));
        assert_eq!(v["n"][1], "yy");
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
