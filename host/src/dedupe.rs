//! Repeat calls answered from memory. A tool whose input schema declares a `dedupe_key`
//! argument (the component decides which: starting a pipeline) may be called twice by an
//! agent that lost the first answer or retried on its own. Within the window, a call with
//! the same tool, key and arguments as an earlier successful one is not run again: it gets
//! the earlier result, marked as a repeat, and nothing is sent to Orchestra. Identical
//! calls that overlap wait for the first, so they also send one request.
//!
//! Only successes are remembered: a failed call may be tried again with the same key. The
//! convention is documented on `input-schema` in the WIT; a runtime without it simply
//! runs every call, and the component ignores the key.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;
use tokio::time::Instant;

/// The argument that names a call for deduplication.
pub const DEDUPE_KEY: &str = "dedupe_key";

/// Keys remembered at once; beyond this, calls with a new key run without deduplication
/// (and say so in the log) rather than let memory grow without bound.
const MAX_KEYS: usize = 4096;

/// Successful calls by tool and key, for `window`.
pub struct Dedupe {
    window: Duration,
    entries: Mutex<HashMap<(String, String), Slot>>,
}

/// One tool and key: locked while its call runs, holding the result once it succeeded.
type Slot = Arc<tokio::sync::Mutex<Option<Remembered>>>;

struct Remembered {
    at: Instant,
    /// The call's other arguments, so a reused key with different arguments is caught.
    arguments: Value,
    result: CallToolResult,
}

impl Dedupe {
    /// A zero window turns deduplication off.
    pub fn new(window: Duration) -> Self {
        Self { window, entries: Mutex::new(HashMap::new()) }
    }

    /// Runs `call` for `tool` with `arguments`, unless they carry a `dedupe_key` that an
    /// identical successful call used within the window.
    pub async fn run<F>(&self, tool: &str, arguments: &Value, call: F) -> CallToolResult
    where
        F: Future<Output = CallToolResult>,
    {
        let Some(key) = arguments.get(DEDUPE_KEY).and_then(Value::as_str).filter(|_| !self.window.is_zero()) else {
            return call.await;
        };
        let Some(slot) = self.slot(tool, key) else {
            tracing::warn!(tool, keys = MAX_KEYS, "dedupe memory is full; running the call without deduplication");
            return call.await;
        };
        // Held across the call, so an identical call that overlaps waits for this one.
        let mut remembered = slot.lock().await;
        if let Some(earlier) = remembered.as_ref().filter(|r| r.at.elapsed() < self.window) {
            if earlier.arguments != *arguments {
                return CallToolResult::error(vec![ContentBlock::text(format!(
                    "dedupe_key {key:?} was used for a {tool} call with other arguments {} s ago; nothing was \
                     sent. Use a new dedupe_key for a different call, or repeat the earlier arguments exactly.",
                    earlier.at.elapsed().as_secs()
                ))]);
            }
            tracing::info!(tool, "answered from the dedupe memory");
            return repeat(&earlier.result, key, earlier.at.elapsed(), self.window);
        }
        let result = call.await;
        *remembered = (result.is_error != Some(true)).then(|| Remembered {
            at: Instant::now(),
            arguments: arguments.clone(),
            result: result.clone(),
        });
        result
    }

    /// The slot for a key, made if new; expired slots are dropped first.
    fn slot(&self, tool: &str, key: &str) -> Option<Slot> {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let id = (tool.to_string(), key.to_string());
        if let Some(slot) = entries.get(&id) {
            return Some(slot.clone());
        }
        // A slot in use is locked; an unlocked one that is empty or expired is forgotten.
        entries.retain(|_, slot| {
            slot.try_lock().map_or(true, |r| r.as_ref().is_some_and(|r| r.at.elapsed() < self.window))
        });
        if entries.len() >= MAX_KEYS {
            return None;
        }
        Some(entries.entry(id).or_default().clone())
    }
}

/// The earlier result, with a note saying it is one.
fn repeat(result: &CallToolResult, key: &str, age: Duration, window: Duration) -> CallToolResult {
    let mut repeat = result.clone();
    repeat.content.push(ContentBlock::text(format!(
        "Repeat call: an identical call with dedupe_key {key:?} succeeded {} s ago, so this is its result and \
         nothing was sent to Orchestra. The key is remembered for {} s; use a new one to act again.",
        age.as_secs(),
        window.as_secs()
    )));
    repeat
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn ok(text: &str) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text(text.to_string())])
    }

    async fn counted(dedupe: &Dedupe, runs: &AtomicUsize, arguments: Value, answer: CallToolResult) -> CallToolResult {
        dedupe
            .run("start_pipeline", &arguments, async {
                runs.fetch_add(1, Ordering::SeqCst);
                answer
            })
            .await
    }

    #[tokio::test(start_paused = true)]
    async fn a_repeat_within_the_window_is_answered_from_memory() {
        let dedupe = Dedupe::new(Duration::from_secs(60));
        let runs = AtomicUsize::new(0);
        let args = json!({"pipeline": "daily", "dedupe_key": "k1"});
        let first = counted(&dedupe, &runs, args.clone(), ok("run 1")).await;
        let second = counted(&dedupe, &runs, args.clone(), ok("run 2")).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(second.content[0], first.content[0]);
        assert!(format!("{:?}", second.content[1]).contains("Repeat call"));

        // Another key, no key, or an expired window each run the call.
        counted(&dedupe, &runs, json!({"pipeline": "daily", "dedupe_key": "k2"}), ok("run 3")).await;
        counted(&dedupe, &runs, json!({"pipeline": "daily"}), ok("run 4")).await;
        counted(&dedupe, &runs, json!({"pipeline": "daily"}), ok("run 5")).await;
        tokio::time::advance(Duration::from_secs(61)).await;
        counted(&dedupe, &runs, args, ok("run 6")).await;
        assert_eq!(runs.load(Ordering::SeqCst), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn failures_are_not_remembered_and_a_reused_key_is_refused() {
        let dedupe = Dedupe::new(Duration::from_secs(60));
        let runs = AtomicUsize::new(0);
        let args = json!({"pipeline": "daily", "dedupe_key": "k"});
        let failed = CallToolResult::error(vec![ContentBlock::text("429".to_string())]);
        counted(&dedupe, &runs, args.clone(), failed).await;
        counted(&dedupe, &runs, args.clone(), ok("run")).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "a failure may be retried with the same key");

        let other = counted(&dedupe, &runs, json!({"pipeline": "hourly", "dedupe_key": "k"}), ok("x")).await;
        assert_eq!(other.is_error, Some(true));
        assert!(format!("{:?}", other.content[0]).contains("other arguments"));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn overlapping_identical_calls_run_once() {
        let dedupe = Arc::new(Dedupe::new(Duration::from_secs(60)));
        let runs = Arc::new(AtomicUsize::new(0));
        let args = json!({"pipeline": "daily", "dedupe_key": "k"});
        let calls = (0..8).map(|_| {
            let (dedupe, runs, args) = (dedupe.clone(), runs.clone(), args.clone());
            tokio::spawn(async move {
                dedupe
                    .run("start_pipeline", &args, async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        ok("run")
                    })
                    .await
            })
        });
        for call in calls.collect::<Vec<_>>() {
            assert_eq!(call.await.unwrap().is_error, Some(false));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_zero_window_turns_it_off() {
        let dedupe = Dedupe::new(Duration::ZERO);
        let runs = AtomicUsize::new(0);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let args = json!({"dedupe_key": "k"});
        runtime.block_on(counted(&dedupe, &runs, args.clone(), ok("a")));
        runtime.block_on(counted(&dedupe, &runs, args, ok("b")));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}
