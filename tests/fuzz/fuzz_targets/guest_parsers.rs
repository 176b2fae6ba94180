//! The guest's parsers of untrusted text, run natively: time bounds and windows (tool
//! arguments), ids, aliases and filenames (which end up in URLs), and the Retry-After and
//! Content-Range headers (upstream answers). Properties: nothing panics, a resolved window
//! is ordered and at most 7 days wide, and what passes an id check is URL-safe.
#![no_main]

use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;
use orchestra_guest::parsers;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (first, second) = text.split_once('|').unwrap_or((&text, ""));
    // A fixed clock keeps a finding reproducible.
    let now: Timestamp = "2026-11-21T08:00:00Z".parse().unwrap();

    let _ = parsers::parse_retry_after(first, now);
    let _ = parsers::parse_content_range(first);
    let _ = parsers::parse_time("time_from", first, now);
    let from = (!first.is_empty()).then_some(first);
    let to = (!second.is_empty()).then_some(second);
    if let Ok(window) = parsers::resolve_window(from, to, now) {
        assert!(window.from <= window.to);
        assert!(window.to.duration_since(window.from) <= SignedDuration::from_hours(7 * 24));
    }
    for checked in [parsers::uuid("id", first), parsers::pipeline_id_or_alias("pipeline", first)].into_iter().flatten()
    {
        assert!(checked.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{checked:?}");
    }
    if let Ok(name) = parsers::filename("filename", first) {
        assert!(!name.chars().any(char::is_control));
    }
});
