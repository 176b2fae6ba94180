//! Argument handling shared by the tools: the 7-day time window, multi-value filters,
//! and the id and filename checks that keep user input out of URL structure.

use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::invalid;
use crate::wit::ToolError;

/// The widest window Orchestra accepts on run-history endpoints ("the maximum time range
/// is 7 days"): a span of exactly this is asked for as it is.
pub const MAX_WINDOW: SignedDuration = SignedDuration::from_secs(7 * 24 * 3600);
/// What a wider span is narrowed to, and the default span: one second under the limit, so
/// a window this server chose can never be rejected by a boundary check on the server.
const CLAMPED_WINDOW: SignedDuration = SignedDuration::from_secs(MAX_WINDOW.as_secs() - 1);

/// The window actually queried, reported back so the model knows what it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    /// Start of the window (RFC 3339, UTC).
    pub from: String,
    /// End of the window (RFC 3339, UTC).
    pub to: String,
}

/// A resolved window and the notes explaining any adjustment made to it.
pub struct ResolvedWindow {
    pub from: Timestamp,
    pub to: Timestamp,
    pub notes: Vec<String>,
}

impl ResolvedWindow {
    pub fn report(&self) -> Window {
        Window { from: format_time(self.from), to: format_time(self.to) }
    }
}

/// Formats a timestamp the way Orchestra's docs write them, `2025-04-01T00:00:00Z`:
/// whole seconds, cut down. A window's end goes through [`end_of_second`] first, so
/// cutting never leaves out the last moments of a window that ends now.
pub fn format_time(t: Timestamp) -> String {
    start_of_second(t).to_string()
}

/// The whole second at or before `t`, for the start of a window.
pub fn start_of_second(t: Timestamp) -> Timestamp {
    let down = jiff::TimestampRound::new().smallest(jiff::Unit::Second).mode(jiff::RoundMode::Trunc);
    t.round(down).unwrap_or(t)
}

/// The next whole second at or after `t`, for the end of a window.
pub fn end_of_second(t: Timestamp) -> Timestamp {
    let up = jiff::TimestampRound::new().smallest(jiff::Unit::Second).mode(jiff::RoundMode::Ceil);
    t.round(up).unwrap_or(t)
}

/// Parses one bound: RFC 3339 (`2026-11-20T08:00:00Z`, any offset), a date (`2026-11-20`,
/// midnight UTC), `now`, `today`, `yesterday`, or a duration before now (`90m`, `24h`,
/// `3d`, `1w`).
pub fn parse_time(field: &str, text: &str, now: Timestamp) -> Result<Timestamp, ToolError> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let midnight = |t: Timestamp| -> Timestamp {
        let date = t.to_zoned(jiff::tz::TimeZone::UTC).date();
        date.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp()).unwrap_or(t)
    };
    match lower.as_str() {
        "now" => return Ok(now),
        "today" => return Ok(midnight(now)),
        "yesterday" => return shift(field, text, midnight(now), -SignedDuration::from_hours(24)),
        _ => {}
    }
    if let Some(d) = parse_relative(&lower) {
        return shift(field, text, now, -d);
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>()
        && let Ok(z) = date.to_zoned(jiff::tz::TimeZone::UTC)
    {
        return Ok(z.timestamp());
    }
    Err(invalid(
        field,
        format!(
            "cannot read {text:?} as a time: use RFC 3339 such as 2026-11-20T08:00:00Z, \
             a date such as 2026-11-20, now, today, yesterday, or a span before now such as 90m, 24h, 3d or 1w"
        ),
    ))
}

/// `at + by`, or a named error when that leaves the range of representable times (years
/// -9999 to 9999): a span such as `99999999w` must not panic the guest.
fn shift(field: &str, text: &str, at: Timestamp, by: SignedDuration) -> Result<Timestamp, ToolError> {
    at.checked_add(by).map_err(|_| invalid(field, format!("{text:?} is too far from now to be a time Orchestra keeps")))
}

/// `90m`, `24h`, `3d`, `1w` (optionally with an `ago` suffix or a leading `-`).
fn parse_relative(text: &str) -> Option<SignedDuration> {
    let text = text.strip_suffix("ago").unwrap_or(text).trim();
    let text = text.strip_prefix('-').unwrap_or(text);
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(unit_at);
    let n: i64 = number.parse().ok()?;
    let secs = match unit.trim() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        _ => return None,
    };
    Some(SignedDuration::from_secs(n.checked_mul(secs)?))
}

/// Turns the optional bounds of a run-history query into a window Orchestra accepts:
/// both bounds set, no wider than 7 days. Nothing given means the API's own default, the
/// last 7 days. `time_from` alone runs to now; `time_to` alone starts 7 days before it. A
/// span over 7 days keeps its newest 7 days (`time_to` stays) with a note saying how to
/// read the earlier part, instead of letting the API answer 4xx.
pub fn resolve_window(
    time_from: Option<&str>,
    time_to: Option<&str>,
    now: Timestamp,
) -> Result<ResolvedWindow, ToolError> {
    // Whole seconds from here on, the start cut down and the end rounded up: what is sent
    // is exactly what was checked, and a window ending now keeps this second's runs.
    let now = end_of_second(now);
    let from = time_from.map(|t| parse_time("time_from", t, now)).transpose()?.map(start_of_second);
    let to = time_to.map(|t| parse_time("time_to", t, now)).transpose()?.map(end_of_second);
    let mut notes = Vec::new();
    let (from, to) = match (from, to) {
        (None, None) => (shift("time_from", "now", now, -CLAMPED_WINDOW)?, now),
        (Some(from), None) => (from, now),
        (None, Some(to)) => (shift("time_to", &format_time(to), to, -CLAMPED_WINDOW)?, to),
        (Some(from), Some(to)) => (from, to),
    };
    if from > to {
        return Err(invalid(
            "time_from",
            format!("time_from ({}) is after time_to ({})", format_time(from), format_time(to)),
        ));
    }
    if to.duration_since(from) > MAX_WINDOW {
        let clamped = shift("time_to", &format_time(to), to, -CLAMPED_WINDOW)?;
        notes.push(format!(
            "Orchestra answers at most 7 days per query, so only the newest 7 days were read: from {} instead of {}; \
             for the earlier part, call again with time_from={} and time_to={}",
            format_time(clamped),
            format_time(from),
            format_time(from),
            format_time(clamped)
        ));
        return Ok(ResolvedWindow { from: clamped, to, notes });
    }
    Ok(ResolvedWindow { from, to, notes })
}

/// The wire spelling of an argument enum's value, from its serde name (`REVERSE_ETL`,
/// `created_in_integration`).
pub fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Joins a multi-value filter the way the API takes it (`FAILED,WARNING`).
pub fn csv<T: AsRef<str>>(values: &[T]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().map(|v| v.as_ref().trim()).collect::<Vec<_>>().join(","))
}

/// Checks an Orchestra id (a UUID) before it is placed in a URL path.
pub fn uuid(field: &str, value: &str) -> Result<String, ToolError> {
    let v = value.trim();
    let ok = v.len() == 36
        && v.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        Ok(v.to_ascii_lowercase())
    } else {
        Err(invalid(
            field,
            format!("{value:?} is not an Orchestra id: expected a UUID such as 286cb489-54f0-499b-b531-b84e3909ac9b"),
        ))
    }
}

/// Checks each id of a multi-value id filter.
pub fn uuids(field: &str, values: &[Id]) -> Result<Vec<String>, ToolError> {
    values.iter().enumerate().map(|(i, v)| uuid(&format!("{field}/{i}"), &v.0)).collect()
}

/// Checks a pipeline reference: a UUID or an alias (`[A-Za-z0-9_]`, at most 255 characters).
pub fn pipeline_id_or_alias(field: &str, value: &str) -> Result<String, ToolError> {
    if let Ok(id) = uuid(field, value) {
        return Ok(id);
    }
    let v = value.trim();
    if !v.is_empty() && v.len() <= 255 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(v.to_string())
    } else {
        Err(invalid(
            field,
            format!("{value:?} is neither a pipeline id (UUID) nor an alias (letters, digits and _, at most 255)"),
        ))
    }
}

/// Refuses the first of these (field, value) arguments that is empty or only spaces.
pub fn not_blank(fields: &[(&str, &str)]) -> Result<(), ToolError> {
    match fields.iter().find(|(_, value)| value.trim().is_empty()) {
        Some((field, _)) => Err(invalid(field, "must not be blank")),
        None => Ok(()),
    }
}

/// Checks a log or artifact filename, which travels as a query parameter.
pub fn filename(field: &str, value: &str) -> Result<String, ToolError> {
    if value.is_empty() || value.len() > 512 || value.chars().any(|c| c.is_control()) {
        return Err(invalid(
            field,
            "expected a filename as listed by the matching list tool (no control characters, at most 512 bytes)",
        ));
    }
    Ok(value.to_string())
}

/// Everything but RFC 3986's unreserved characters is encoded in a query value.
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Percent-encodes a value placed as one path segment: `/`, `.` and everything else
/// outside the unreserved characters are encoded, so `..` or `a/b` cannot change the path.
pub fn encode_segment(value: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

/// Builds a query string from the parameters that are set.
pub fn query(params: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> =
        params.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode(v)))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// The query selecting one pipeline (`GET /pipeline`, `GET /pipelines/data`): its id or
/// alias, or the repository and YAML path of a git-backed pipeline, and no mix of these.
pub fn pipeline_selector(
    reference: Option<&PipelineRef>,
    repository: Option<&str>,
    yaml_path: Option<&str>,
) -> Result<Vec<(&'static str, Option<String>)>, ToolError> {
    match (reference, repository, yaml_path) {
        (Some(reference), None, None) => {
            let value = pipeline_id_or_alias("pipeline_id_or_alias", &reference.0)?;
            let key = if uuid("", &value).is_ok() { "pipeline_id" } else { "alias" };
            Ok(vec![(key, Some(value))])
        }
        (None, Some(repository), Some(yaml_path)) => {
            Ok(vec![("repository", Some(repository.to_string())), ("yaml_path", Some(yaml_path.to_string()))])
        }
        (None, Some(_), None) => Err(invalid("yaml_path", "repository needs yaml_path, the definition's path in it")),
        (None, None, Some(_)) => Err(invalid("repository", "yaml_path needs repository, the git repository it is in")),
        (None, None, None) => Err(invalid(
            "pipeline_id_or_alias",
            "name the pipeline: pipeline_id_or_alias, or repository with yaml_path (list_pipelines shows them)",
        )),
        (Some(_), _, _) => Err(invalid(
            "pipeline_id_or_alias",
            "give either pipeline_id_or_alias or repository with yaml_path, not both",
        )),
    }
}

/// The argument every tool takes besides its own when `ORCHESTRA_ACCOUNT_ARGUMENT` is on:
/// the account to act in.
pub const ACCOUNT_ID: &str = "account_id";

/// Whether the tools take [`ACCOUNT_ID`]: only for a key that acts in several accounts,
/// as every definition is longer with it.
pub fn account_argument() -> bool {
    std::env::var("ORCHESTRA_ACCOUNT_ARGUMENT").is_ok_and(|v| switch_on(&v))
}

/// A switch's value is on: the spellings of true the host's own switches take (clap's
/// `BoolishValueParser`), so a variable means the same to the host and to this component
/// run elsewhere.
fn switch_on(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "t" | "yes" | "y" | "on")
}

/// Removes `account_id` from a call's arguments (the tool's own types do not know it)
/// and checks it.
pub fn take_account_id(arguments: &mut serde_json::Value) -> Result<Option<String>, ToolError> {
    let Some(value) = arguments.as_object_mut().and_then(|a| a.remove(ACCOUNT_ID)) else { return Ok(None) };
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(id) => uuid(ACCOUNT_ID, &id).map(Some),
        _ => Err(invalid(ACCOUNT_ID, "expected an account id (a UUID) as a string")),
    }
}

/// An Orchestra id (UUID) as an argument.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Id(pub String);

impl JsonSchema for Id {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // A standard format says what a 85-character pattern said, and the host checks it.
        schemars::json_schema!({ "type": "string", "format": "uuid" })
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A pipeline id (UUID) or alias as an argument.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct PipelineRef(pub String);

impl JsonSchema for PipelineRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PipelineRef".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[A-Za-z0-9_-]{1,255}$" })
    }
}

/// A pipeline alias as an argument: the stable name a new pipeline is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Alias(pub String);

impl JsonSchema for Alias {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Alias".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[A-Za-z0-9_]{1,255}$" })
    }
}

/// The git provider of the repository.
// The spec's `StorageProvider` without `ORCHESTRA`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GitProvider {
    Github,
    Gitlab,
    Bitbucket,
    AzureDevops,
}

/// The status values of a pipeline run.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PipelineRunStatus {
    Created,
    Running,
    Succeeded,
    Warning,
    Failed,
    Skipped,
    Cancelling,
    Cancelled,
}

/// The status values of a task run.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskRunStatus {
    Created,
    Skipped,
    Queued,
    Running,
    Succeeded,
    Warning,
    Failed,
    Cancelling,
    Cancelled,
}

impl AsRef<str> for PipelineRunStatus {
    fn as_ref(&self) -> &str {
        match self {
            Self::Created => "CREATED",
            Self::Running => "RUNNING",
            Self::Succeeded => "SUCCEEDED",
            Self::Warning => "WARNING",
            Self::Failed => "FAILED",
            Self::Skipped => "SKIPPED",
            Self::Cancelling => "CANCELLING",
            Self::Cancelled => "CANCELLED",
        }
    }
}

impl AsRef<str> for TaskRunStatus {
    fn as_ref(&self) -> &str {
        match self {
            Self::Created => "CREATED",
            Self::Skipped => "SKIPPED",
            Self::Queued => "QUEUED",
            Self::Running => "RUNNING",
            Self::Succeeded => "SUCCEEDED",
            Self::Warning => "WARNING",
            Self::Failed => "FAILED",
            Self::Cancelling => "CANCELLING",
            Self::Cancelled => "CANCELLED",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn relative_and_absolute_times_parse() {
        let now = t("2026-11-21T12:00:00Z");
        assert_eq!(parse_time("f", "24h", now).unwrap(), t("2026-11-20T12:00:00Z"));
        assert_eq!(parse_time("f", "3d ago", now).unwrap(), t("2026-11-18T12:00:00Z"));
        assert_eq!(parse_time("f", "yesterday", now).unwrap(), t("2026-11-20T00:00:00Z"));
        assert_eq!(parse_time("f", "2026-11-01", now).unwrap(), t("2026-11-01T00:00:00Z"));
        assert_eq!(parse_time("f", "2025-05-01T11:16:39.421992+00:00", now).unwrap(), t("2025-05-01T11:16:39.421992Z"));
        assert!(parse_time("f", "last tuesday", now).is_err());
    }

    #[test]
    fn windows_are_completed_and_clamped() {
        let now = t("2026-11-21T12:00:00Z");
        let w = resolve_window(None, None, now).unwrap();
        assert_eq!(w.to, now);
        assert!(now.duration_since(w.from) < MAX_WINDOW);

        // time_from alone keeps the newest 7 days, and says how to read the rest.
        let w = resolve_window(Some("30d"), None, now).unwrap();
        assert_eq!(w.to, now);
        assert_eq!(w.from, t("2026-11-14T12:00:01Z"));
        assert_eq!(w.notes.len(), 1, "a window cut short says so");
        assert!(
            w.notes[0].contains("time_from=2026-10-22T12:00:00Z and time_to=2026-11-14T12:00:01Z"),
            "{:?}",
            w.notes
        );

        // A span the API accepts, exactly 7 days, is asked for as it is, without a note.
        for week in ["7d", "1w", "168h"] {
            let w = resolve_window(Some(week), None, now).unwrap();
            assert_eq!((w.from, w.to), (t("2026-11-14T12:00:00Z"), now), "{week}");
            assert!(w.notes.is_empty(), "{week}: {:?}", w.notes);
        }

        let w = resolve_window(Some("2026-11-01"), Some("2026-11-20"), now).unwrap();
        assert_eq!(w.to, t("2026-11-20T00:00:00Z"));
        assert!(w.to.duration_since(w.from) < MAX_WINDOW);
        assert_eq!(w.notes.len(), 1);

        assert!(resolve_window(Some("1h"), Some("2h"), now).is_err());
    }

    #[test]
    fn ids_are_checked_before_reaching_a_path() {
        assert!(uuid("id", "286cb489-54f0-499b-b531-b84e3909ac9b").is_ok());
        for bad in ["../etc", "286cb489-54f0-499b-b531-b84e3909ac9b/x", "a b", "", "286cb489%2e"] {
            assert!(uuid("id", bad).is_err(), "{bad}");
            assert!(pipeline_id_or_alias("id", bad).is_err(), "{bad}");
        }
        assert!(pipeline_id_or_alias("id", "daily_refresh").is_ok());
    }

    #[test]
    fn windows_are_whole_seconds_and_end_after_now() {
        // A run created a moment ago must not fall after a window end rounded down.
        let w = resolve_window(Some("1h"), None, t("2026-11-21T12:00:00.4Z")).unwrap();
        assert_eq!(
            (format_time(w.from), format_time(w.to)),
            ("2026-11-21T11:00:01Z".into(), "2026-11-21T12:00:01Z".into())
        );
        let w =
            resolve_window(Some("2026-11-14T12:00:00.9Z"), Some("2026-11-21T12:00:00.1Z"), t("2026-11-21T13:00:00Z"))
                .unwrap();
        assert!(w.to.duration_since(w.from) <= MAX_WINDOW, "rounding never widens past the limit");
    }

    #[test]
    fn times_beyond_the_calendar_are_named_errors_not_panics() {
        // Found by the guest_parsers fuzz target: jiff panics on overflowing arithmetic.
        let now = t("2026-11-21T12:00:00Z");
        assert!(parse_time("time_from", "333000000000h", now).is_err());
        assert!(resolve_window(Some("9999-12-31T00:00:00Z"), None, now).is_err());
        assert!(resolve_window(None, Some("-009999-01-01T00:00:00Z"), now).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_time_or_a_named_error(text in ".{0,40}") {
            let now = t("2026-11-21T12:00:00Z");
            match parse_time("time_from", &text, now) {
                Ok(_) => {}
                Err(crate::wit::ToolError::InvalidArguments(a)) => proptest::prop_assert_eq!(a.field, "time_from"),
                Err(other) => proptest::prop_assert!(false, "unexpected error {other:?}"),
            }
        }

        #[test]
        fn spans_count_back_from_now(n in 0i64..100_000, unit in proptest::sample::select(vec![("m", 60i64), ("h", 3600), ("d", 86_400), ("w", 604_800)])) {
            let now = t("2026-11-21T12:00:00Z");
            let parsed = parse_time("f", &format!("{n}{}", unit.0), now).unwrap();
            proptest::prop_assert_eq!(parsed, now - SignedDuration::from_secs(n * unit.1));
        }

        #[test]
        fn every_resolved_window_is_one_orchestra_accepts(from in 0i64..60 * 86_400, to in 0i64..60 * 86_400, give_from: bool, give_to: bool) {
            let now = t("2026-11-21T12:00:00Z");
            let from_text = format!("{from}s");
            let to_text = format!("{to}s");
            let resolved = resolve_window(give_from.then_some(from_text.as_str()), give_to.then_some(to_text.as_str()), now);
            match resolved {
                Ok(w) => {
                    proptest::prop_assert!(w.from <= w.to);
                    proptest::prop_assert!(w.to.duration_since(w.from) <= MAX_WINDOW);
                }
                Err(_) => proptest::prop_assert!(give_from && give_to && from < to, "only an inverted window is refused"),
            }
        }
    }

    #[test]
    fn statuses_render_in_wire_form() {
        assert_eq!(csv(&[PipelineRunStatus::Failed, PipelineRunStatus::Warning]).unwrap(), "FAILED,WARNING");
    }
}
