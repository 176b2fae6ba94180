//! Repeat calls answered from memory. A tool whose input schema declares a `dedupe_key`
//! argument (the component decides which: starting a pipeline) may be called twice by an
//! agent that lost the first answer or retried on its own. Within the window, a call with
//! the same tool, key and arguments as an earlier one is not run again:
//!
//! - after a success it gets the earlier result, marked as a repeat;
//! - while the earlier call runs, it waits for it (overlapping calls send one request);
//! - after a call whose outcome is unknown (Orchestra's answer was lost, the call timed out
//!   or was cancelled by the client, so the action may have happened), it is refused, and
//!   runs only when the agent sets `dedupe_retry: true`, saying it checked that the
//!   earlier attempt did not take effect;
//! - after a failure that surely changed nothing (bad arguments, a refusal by Orchestra),
//!   it runs.
//!
//! The convention is documented on `input-schema` in the WIT; a runtime without it simply
//! runs every call, and the component ignores both arguments.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;

/// The argument that names a call for deduplication.
pub const DEDUPE_KEY: &str = "dedupe_key";
/// The argument by which the agent says an earlier attempt of unknown outcome did not take
/// effect, so the call may run again.
pub const DEDUPE_RETRY: &str = "dedupe_retry";

/// Keys remembered at once; beyond this, calls with a new key run without deduplication
/// (and say so in the log) rather than let memory grow without bound.
const MAX_KEYS: usize = 4096;

/// How a call ended, as far as deduplication cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded: repeats get its result.
    Succeeded,
    /// It failed before anything could change (invalid arguments, a 4xx, nothing sent).
    NothingChanged,
    /// It may have taken effect (a lost answer, a timeout, a server failure).
    Unknown,
}

/// Calls by caller, tool and key, for `window`.
pub struct Dedupe {
    window: Duration,
    entries: Mutex<HashMap<(String, String, String), Slot>>,
    /// The time now: the monotonic clock, or one a test moves by hand.
    clock: Box<dyn Fn() -> Instant + Send + Sync>,
}

/// One tool and key: locked while its call runs, holding what is known of it after.
type Slot = Arc<tokio::sync::Mutex<Option<Remembered>>>;

struct Remembered {
    at: Instant,
    /// The call's arguments (without `dedupe_retry`), so a reused key with different
    /// arguments is caught.
    arguments: Value,
    state: State,
}

enum State {
    Succeeded(CallToolResult),
    /// The first line of what the call said, or why it never said anything.
    Unknown(String),
}

impl Dedupe {
    /// A zero window turns deduplication off.
    pub fn new(window: Duration) -> Self {
        Self::with_clock(window, Instant::now)
    }

    fn with_clock(window: Duration, clock: impl Fn() -> Instant + Send + Sync + 'static) -> Self {
        Self { window, entries: Mutex::new(HashMap::new()), clock: Box::new(clock) }
    }

    /// How long ago `at` was.
    fn age(&self, at: Instant) -> Duration {
        (self.clock)().saturating_duration_since(at)
    }

    /// Runs `call` for `tool` with `arguments`, unless they carry a `dedupe_key` that an
    /// identical call of the same `caller` used within the window (see the module's rules).
    /// `caller` tells apart the users of a server whose requests bring their own Orchestra
    /// keys, so one user's repeat never returns another's result; it is empty otherwise.
    pub async fn run<F>(&self, caller: &str, tool: &str, arguments: &Value, call: F) -> CallToolResult
    where
        F: Future<Output = (CallToolResult, Outcome)>,
    {
        let Some(key) = arguments.get(DEDUPE_KEY).and_then(Value::as_str).filter(|_| !self.window.is_zero()) else {
            return call.await.0;
        };
        let Some(slot) = self.slot(caller, tool, key) else {
            tracing::warn!(tool, keys = MAX_KEYS, "dedupe memory is full; running the call without deduplication");
            return call.await.0;
        };
        let retry = arguments.get(DEDUPE_RETRY) == Some(&Value::Bool(true));
        let mut compared = arguments.clone();
        if let Value::Object(map) = &mut compared {
            map.remove(DEDUPE_RETRY);
        }
        // Held across the call, so an identical call that overlaps waits for this one.
        let mut remembered = slot.lock().await;
        if let Some(earlier) = remembered.as_ref().filter(|r| self.age(r.at) < self.window) {
            let ago = self.age(earlier.at).as_secs();
            if earlier.arguments != compared {
                return refusal(format!(
                    "dedupe_key {key:?} was used for a {tool} call with other arguments {ago} s ago; nothing was \
                     sent. Use a new dedupe_key for a different call, or repeat the earlier arguments exactly."
                ));
            }
            match &earlier.state {
                State::Succeeded(result) => {
                    tracing::info!(tool, "answered from the dedupe memory");
                    return repeat(result, key, ago, self.window);
                }
                State::Unknown(said) if !retry => {
                    tracing::info!(tool, "refused a repeat of a call whose outcome is unknown");
                    return refusal(format!(
                        "An identical {tool} call with dedupe_key {key:?} began {ago} s ago and ended without a \
                         confirmed result, so it may have taken effect; this repeat was not sent. That call said: \
                         {said}. Check whether it took effect (for a start: list_pipeline_runs for this pipeline). \
                         If it did not, call again with the same arguments and dedupe_retry: true."
                    ));
                }
                State::Unknown(_) => tracing::info!(tool, "repeating a call of unknown outcome, as the agent asked"),
            }
        }
        // Until the call ends, its outcome is unknown: if it is cancelled (the client gave
        // up, the session ended), the memory keeps exactly that.
        *remembered = Some(Remembered {
            at: (self.clock)(),
            arguments: compared.clone(),
            state: State::Unknown("it was cancelled before it finished (by the client, or the session ended)".into()),
        });
        let (result, outcome) = call.await;
        *remembered = match outcome {
            Outcome::Succeeded => {
                Some(Remembered { at: (self.clock)(), arguments: compared, state: State::Succeeded(result.clone()) })
            }
            Outcome::NothingChanged => None,
            Outcome::Unknown => {
                Some(Remembered { at: (self.clock)(), arguments: compared, state: State::Unknown(first_line(&result)) })
            }
        };
        result
    }

    /// The slot for a key, made if new; expired slots are dropped first.
    fn slot(&self, caller: &str, tool: &str, key: &str) -> Option<Slot> {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let id = (caller.to_string(), tool.to_string(), key.to_string());
        if let Some(slot) = entries.get(&id) {
            return Some(slot.clone());
        }
        // A slot in use is locked; an unlocked one that is empty or expired is forgotten.
        entries.retain(|_, slot| {
            slot.try_lock().map_or(true, |r| r.as_ref().is_some_and(|r| self.age(r.at) < self.window))
        });
        if entries.len() >= MAX_KEYS {
            return None;
        }
        Some(entries.entry(id).or_default().clone())
    }
}

/// The start of a result's text, quoted in a refusal.
fn first_line(result: &CallToolResult) -> String {
    let text = result.content.iter().find_map(|c| c.as_text().map(|t| t.text.clone())).unwrap_or_default();
    let line = text.lines().next().unwrap_or("no message").trim();
    let cut: String = line.chars().take(400).collect();
    if cut.len() < line.len() { format!("{cut}…") } else { cut }
}

fn refusal(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// The earlier result, with a note saying it is one.
fn repeat(result: &CallToolResult, key: &str, age: u64, window: Duration) -> CallToolResult {
    let mut repeat = result.clone();
    repeat.content.push(ContentBlock::text(format!(
        "Repeat call: an identical call with dedupe_key {key:?} succeeded {age} s ago, so this is its result and \
         nothing was sent to Orchestra. The key is remembered for {} s; use a new one to act again.",
        window.as_secs()
    )));
    repeat
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    fn ok(text: &str) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text(text.to_string())])
    }

    fn failed(text: &str) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(text.to_string())])
    }

    async fn ended(
        dedupe: &Dedupe,
        runs: &AtomicUsize,
        arguments: Value,
        answer: CallToolResult,
        outcome: Outcome,
    ) -> CallToolResult {
        dedupe
            .run("", "start_pipeline", &arguments, async {
                runs.fetch_add(1, Ordering::SeqCst);
                (answer, outcome)
            })
            .await
    }

    async fn counted(dedupe: &Dedupe, runs: &AtomicUsize, arguments: Value, answer: CallToolResult) -> CallToolResult {
        let outcome = if answer.is_error == Some(true) { Outcome::NothingChanged } else { Outcome::Succeeded };
        ended(dedupe, runs, arguments, answer, outcome).await
    }

    #[tokio::test]
    async fn a_repeat_within_the_window_is_answered_from_memory() {
        let start = Instant::now();
        let elapsed = Arc::new(AtomicU64::new(0));
        let clock = elapsed.clone();
        let dedupe = Dedupe::with_clock(Duration::from_secs(60), move || {
            start + Duration::from_secs(clock.load(Ordering::SeqCst))
        });
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
        elapsed.store(61, Ordering::SeqCst);
        counted(&dedupe, &runs, args, ok("run 6")).await;
        assert_eq!(runs.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn one_callers_repeat_never_returns_anothers_result() {
        let dedupe = Dedupe::new(Duration::from_secs(60));
        let args = json!({"pipeline": "daily", "dedupe_key": "k"});
        let call = |caller: &'static str, text: &'static str| {
            dedupe.run(caller, "start_pipeline", &args, async move { (ok(text), Outcome::Succeeded) })
        };
        assert_eq!(call("alice", "alice's run").await.content[0], ok("alice's run").content[0]);
        let bob = call("bob", "bob's run").await;
        assert_eq!(bob.content, ok("bob's run").content, "bob's call ran, and is not marked a repeat");
        assert!(format!("{:?}", call("alice", "again").await.content).contains("alice's run"));
    }

    #[tokio::test]
    async fn failures_are_not_remembered_and_a_reused_key_is_refused() {
        let dedupe = Dedupe::new(Duration::from_secs(60));
        let runs = AtomicUsize::new(0);
        let args = json!({"pipeline": "daily", "dedupe_key": "k"});
        counted(&dedupe, &runs, args.clone(), failed("429")).await;
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
                    .run("", "start_pipeline", &args, async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        (ok("run"), Outcome::Succeeded)
                    })
                    .await
            })
        });
        for call in calls.collect::<Vec<_>>() {
            assert_eq!(call.await.unwrap().is_error, Some(false));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_unknown_outcome_blocks_repeats_until_the_agent_says_it_did_not_happen() {
        let dedupe = Dedupe::new(Duration::from_secs(60));
        let runs = AtomicUsize::new(0);
        let args = json!({"pipeline": "daily", "dedupe_key": "k"});
        let lost = failed("Orchestra did not answer POST /start in time\nmore");
        ended(&dedupe, &runs, args.clone(), lost, Outcome::Unknown).await;
        let refused = counted(&dedupe, &runs, args.clone(), ok("second run")).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1, "the repeat was not sent");
        let text = format!("{:?}", refused.content[0]);
        assert!(
            text.contains("may have taken effect") && text.contains("did not answer POST /start in time"),
            "{text}"
        );
        assert!(text.contains("dedupe_retry: true"), "{text}");

        let mut retry = args.clone();
        retry["dedupe_retry"] = json!(true);
        assert_eq!(counted(&dedupe, &runs, retry.clone(), ok("run")).await.is_error, Some(false));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        // Now a success is remembered: a repeat, with or without the flag, gets it back.
        assert!(format!("{:?}", counted(&dedupe, &runs, retry, ok("x")).await.content).contains("Repeat call"));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_cancelled_call_counts_as_unknown() {
        let dedupe = Dedupe::new(Duration::from_secs(60));
        let args = json!({"pipeline": "daily", "dedupe_key": "k"});
        let slow = dedupe.run("", "start_pipeline", &args, async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            (ok("never"), Outcome::Succeeded)
        });
        assert!(tokio::time::timeout(Duration::from_millis(20), slow).await.is_err(), "the client gave up");
        let runs = AtomicUsize::new(0);
        let refused = counted(&dedupe, &runs, args, ok("second run")).await;
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        assert!(format!("{:?}", refused.content[0]).contains("cancelled before it finished"));
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
