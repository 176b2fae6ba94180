//! Fits a tool's result into a character budget, so one answer cannot flood an agent's
//! context window. Only lists are shortened (the longest first, by as many items as the
//! excess needs); texts keep the bounds their tools give them, and summary lists the tool
//! names are never cut. A result that was cut says so in `resultCut`: which lists lost
//! items, and how to get the rest; its counters then describe what it holds (`returned`
//! is the length of the cut list, `truncated` is true).

use serde::Serialize;
use serde_json::{Value, json};

/// Characters a result may take unless `ORCHESTRA_MCP_MAX_RESULT_CHARS` says otherwise.
pub const DEFAULT_MAX_RESULT_CHARS: usize = 40_000;
/// The field a cut result carries.
pub const NOTE: &str = "resultCut";
/// Room kept for the note itself.
const NOTE_ROOM: usize = 600;

/// The budget the host configured, or the default.
pub fn from_env() -> usize {
    std::env::var("ORCHESTRA_MCP_MAX_RESULT_CHARS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_RESULT_CHARS)
}

/// A list that lost items.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Cut {
    /// JSON Pointer to the list, e.g. `/runs`.
    list: String,
    kept: usize,
    of: usize,
}

fn chars(value: &Value) -> usize {
    value.to_string().chars().count()
}

/// The list to shorten next, as (JSON Pointer, characters, items): the longest one with
/// at least two items (cutting a one-item list would drop all it holds, nested lists
/// included), else the longest with any.
fn longest_list(value: &Value, at: &str, keep: &[&str]) -> Option<(String, usize, usize)> {
    let mut best: Option<(String, usize, usize)> = None;
    let rank = |c: &(String, usize, usize)| (c.2 >= 2, c.1);
    let mut consider = |candidate: Option<(String, usize, usize)>| {
        if let Some(c) = candidate
            && best.as_ref().is_none_or(|b| rank(&c) > rank(b))
        {
            best = Some(c);
        }
    };
    match value {
        Value::Array(items) => {
            if !items.is_empty() {
                consider(Some((at.to_string(), chars(value), items.len())));
            }
            for (i, item) in items.iter().enumerate() {
                consider(longest_list(item, &format!("{at}/{i}"), keep));
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                if at.is_empty() && keep.contains(&key.as_str()) {
                    continue;
                }
                let key = key.replace('~', "~0").replace('/', "~1");
                consider(longest_list(field, &format!("{at}/{key}"), keep));
            }
        }
        _ => {}
    }
    best
}

/// Shortens the longest lists (never the top-level lists named in `keep`) until `result`
/// fits in `budget` characters, and notes what was cut. A result that fits, or that is not
/// an object, is returned as it is.
pub fn fit(mut result: Value, budget: usize, keep: &[&str]) -> Value {
    let original = chars(&result);
    if original <= budget || !result.is_object() {
        return result;
    }
    let target = budget.saturating_sub(NOTE_ROOM);
    let mut cuts: Vec<Cut> = Vec::new();
    let mut size = original;
    while size > target {
        // Lists inside items that are cut away go with them, so the search runs again each time.
        let Some((pointer, list_chars, len)) = longest_list(&result, "", keep) else { break };
        let per_item = (list_chars / len).max(1);
        let drop = (size - target).div_ceil(per_item).clamp(1, len);
        let Some(items) = result.pointer_mut(&pointer).and_then(Value::as_array_mut) else { break };
        items.truncate(len - drop);
        match cuts.iter_mut().find(|c| c.list == pointer) {
            Some(cut) => cut.kept = len - drop,
            None => cuts.push(Cut { list: pointer, kept: len - drop, of: len }),
        }
        size = chars(&result);
    }
    // A cut list inside another cut list's dropped items is not worth reporting.
    cuts.retain(|c| result.pointer(&c.list).is_some());
    if let Some(fields) = result.as_object_mut() {
        // The counters of a list result describe what it now holds.
        if let Some(top) = cuts.iter().find(|c| c.list.matches('/').count() == 1)
            && fields.get("returned").is_some_and(Value::is_u64)
        {
            fields.insert("returned".to_string(), json!(top.kept));
        }
        if fields.get("truncated").is_some_and(Value::is_boolean) && !cuts.is_empty() {
            fields.insert("truncated".to_string(), json!(true));
        }
        fields.insert(
            NOTE.to_string(),
            json!({
                "budgetChars": budget,
                "originalChars": original,
                "lists": cuts,
                "howToGetTheRest": "Narrow the filters or the time window, lower `limit`, or ask for the items left out \
                                    by id. The operator can raise ORCHESTRA_MCP_MAX_RESULT_CHARS.",
            }),
        );
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(n: usize) -> Value {
        json!({"total": n, "runs": (0..n).map(|i| json!({"id": i, "message": "x".repeat(90)})).collect::<Vec<_>>()})
    }

    #[test]
    fn a_result_within_budget_is_untouched() {
        let small = runs(3);
        assert_eq!(fit(small.clone(), 10_000, &[]), small);
    }

    #[test]
    fn the_longest_list_is_cut_to_fit_and_the_cut_is_noted() {
        let out = fit(runs(200), 5_000, &[]);
        assert!(chars(&out) <= 5_000, "{} chars", chars(&out));
        let kept = out["runs"].as_array().unwrap().len();
        assert!((20..=45).contains(&kept), "kept {kept}: as many as fit, not half");
        assert_eq!(out[NOTE]["lists"], json!([{"list": "/runs", "kept": kept, "of": 200}]));
        assert_eq!(out["total"], 200, "other fields stay");
    }

    #[test]
    fn nested_lists_are_found_and_texts_are_left_alone() {
        let value = json!({"failures": [{"tasks": (0..300).map(|i| json!({"n": i})).collect::<Vec<_>>()}],
                           "log": "y".repeat(3_000)});
        let out = fit(value, 4_000, &[]);
        assert_eq!(out["log"].as_str().unwrap().len(), 3_000);
        assert_eq!(out[NOTE]["lists"][0]["list"], "/failures/0/tasks");
    }

    #[test]
    fn counters_follow_the_cut_and_summary_lists_stay_whole() {
        let mut value = runs(150);
        value["returned"] = json!(150);
        value["truncated"] = json!(false);
        value["pipelines"] = json!((0..40).map(|i| json!({"pipeline": i, "name": "p".repeat(80)})).collect::<Vec<_>>());
        let out = fit(value, 9_000, &["pipelines"]);
        let kept = out["runs"].as_array().unwrap().len();
        assert!(kept < 150);
        assert_eq!(out["returned"], kept, "returned counts what the result holds");
        assert_eq!(out["truncated"], true);
        assert_eq!(out["total"], 150, "the window's count stays");
        assert_eq!(out["pipelines"].as_array().unwrap().len(), 40, "a summary list is never cut");
    }

    #[test]
    fn a_result_that_cannot_fit_keeps_its_texts_and_empties_its_lists() {
        let out = fit(json!({"log": "z".repeat(10_000), "lines": ["a", "b"]}), 1_000, &[]);
        assert_eq!(out["lines"], json!([]));
        assert_eq!(out["log"].as_str().unwrap().len(), 10_000);
    }
}
