//! When the client sends a request again, as one pure decision so it can be tested without
//! a network: a rate limit (429) is retried for any method, since Orchestra did not process
//! the request; a server failure (500, 502, 503, 504) or a failed connection only for reads,
//! since a write may have taken effect. Nothing else is retried, and a wait longer than the
//! budget is not slept through: the error tells the model when to call again instead.

/// Attempts per request, the first included.
pub const MAX_ATTEMPTS: u32 = 3;
/// The longest `Retry-After` worth waiting for inside one tool call.
pub const MAX_RETRY_AFTER_SECONDS: u32 = 10;
/// Backoff: the first wait, and the most any wait grows to.
const BACKOFF_BASE_MS: u64 = 250;
const BACKOFF_CAP_MS: u64 = 2_000;

/// What came back from one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// An HTTP answer, with its `Retry-After` in seconds when it had a readable one.
    Answered { status: u16, retry_after: Option<u32> },
    /// No answer: the connection could not be made or broke before the response head.
    ConnectionFailed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    RetryAfterMs(u64),
    Stop,
}

/// Decides after attempt number `attempt` (1-based). `idempotent` is true for reads.
/// `jitter` in [0, 1) spreads backoff waits so clients do not retry in lockstep.
pub fn decide(idempotent: bool, outcome: Attempt, attempt: u32, jitter: f64) -> Decision {
    if attempt >= MAX_ATTEMPTS {
        return Decision::Stop;
    }
    let backoff = || {
        let full = (BACKOFF_BASE_MS << (attempt - 1).min(16)).min(BACKOFF_CAP_MS);
        // Equal jitter: at least half the backoff, so a retry never comes at once.
        Decision::RetryAfterMs(full / 2 + (full as f64 / 2.0 * jitter.clamp(0.0, 1.0)) as u64)
    };
    match outcome {
        Attempt::Answered { status: 429, retry_after: Some(seconds) } if seconds > MAX_RETRY_AFTER_SECONDS => {
            Decision::Stop
        }
        Attempt::Answered { status: 429, retry_after: Some(seconds) } => {
            Decision::RetryAfterMs(u64::from(seconds) * 1000)
        }
        Attempt::Answered { status: 429, retry_after: None } => backoff(),
        Attempt::Answered { status: 500 | 502 | 503 | 504, .. } if idempotent => backoff(),
        Attempt::ConnectionFailed if idempotent => backoff(),
        Attempt::Answered { .. } | Attempt::ConnectionFailed => Decision::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answered(status: u16, retry_after: Option<u32>) -> Attempt {
        Attempt::Answered { status, retry_after }
    }

    #[test]
    fn a_rate_limit_waits_as_told_for_any_method() {
        assert_eq!(decide(true, answered(429, Some(1)), 1, 0.5), Decision::RetryAfterMs(1000));
        assert_eq!(decide(false, answered(429, Some(2)), 1, 0.5), Decision::RetryAfterMs(2000));
        assert_eq!(decide(false, answered(429, Some(0)), 2, 0.5), Decision::RetryAfterMs(0));
    }

    #[test]
    fn a_wait_beyond_the_budget_is_not_slept_through() {
        assert_eq!(decide(true, answered(429, Some(MAX_RETRY_AFTER_SECONDS + 1)), 1, 0.5), Decision::Stop);
    }

    #[test]
    fn server_failures_and_broken_connections_are_retried_for_reads_only() {
        for outcome in [answered(500, None), answered(502, None), answered(503, Some(1)), Attempt::ConnectionFailed] {
            assert!(matches!(decide(true, outcome, 1, 0.0), Decision::RetryAfterMs(125)), "{outcome:?}");
            assert_eq!(decide(false, outcome, 1, 0.0), Decision::Stop, "{outcome:?}");
        }
    }

    #[test]
    fn client_errors_are_tried_exactly_once() {
        for status in [400, 401, 403, 404, 409, 416, 422, 501] {
            assert_eq!(decide(true, answered(status, None), 1, 0.5), Decision::Stop, "{status}");
        }
    }

    #[test]
    fn attempts_are_bounded() {
        assert!(matches!(decide(true, answered(503, None), MAX_ATTEMPTS - 1, 0.5), Decision::RetryAfterMs(_)));
        assert_eq!(decide(true, answered(503, None), MAX_ATTEMPTS, 0.5), Decision::Stop);
        assert_eq!(decide(true, answered(429, Some(1)), MAX_ATTEMPTS, 0.5), Decision::Stop);
    }

    /// The README and the start tool's description say what is retried; they must say
    /// what this policy does.
    #[test]
    fn the_docs_describe_this_policy() {
        let readme = include_str!("../../../README.md");
        let section = readme.split("### What is retried").nth(1).expect("the README says what is retried");
        let section = section.split("\n#").next().unwrap_or(section);
        let ms = |attempt, jitter| match decide(true, answered(503, None), attempt, jitter) {
            Decision::RetryAfterMs(ms) => ms,
            Decision::Stop => panic!("attempt {attempt} of a read is retried"),
        };
        for promise in [
            format!("up to {MAX_ATTEMPTS} attempts"),
            format!("{MAX_RETRY_AFTER_SECONDS} s or less"),
            format!("{}–{} ms and then {}–{} ms", ms(1, 0.0), ms(1, 1.0), ms(2, 0.0), ms(2, 1.0)),
            format!("asks for more than {MAX_RETRY_AFTER_SECONDS} s is not waited out"),
        ] {
            assert!(section.contains(&promise), "the README lacks {promise:?}:\n{section}");
        }
        // A write is sent again after a 429 only.
        assert!(section.contains("only after a 429"), "{section}");
        assert!(matches!(decide(false, answered(429, None), 1, 0.5), Decision::RetryAfterMs(_)));
        for outcome in [answered(500, None), answered(503, Some(1)), Attempt::ConnectionFailed] {
            assert_eq!(decide(false, outcome, 1, 0.5), Decision::Stop);
        }
        let start = include_str!("../descriptions/start_pipeline.md");
        assert!(!start.contains("never retried"), "a start is retried after a 429: {start}");
    }

    proptest! {
        #[test]
        fn backoff_is_capped_and_never_zero(attempt in 1u32..1000, jitter in any::<f64>(), status in 500u16..505) {
            if let Decision::RetryAfterMs(ms) = decide(true, answered(status, None), attempt, jitter) {
                prop_assert!((BACKOFF_BASE_MS / 2..=BACKOFF_CAP_MS).contains(&ms), "{ms}");
            }
        }
    }
}
