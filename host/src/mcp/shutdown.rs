//! Ending the server on SIGTERM or SIGINT, for both transports: new calls are refused,
//! calls in flight get `GRACE` to finish, then are cancelled, and each is answered either
//! way before the process exits with status 0.

use std::time::Duration;

/// How long calls in flight may go on after the signal before they are cancelled.
pub const GRACE: Duration = Duration::from_secs(5);

/// Time for a transport to pass on the answers of the calls that just ended.
pub const HANDOFF: Duration = Duration::from_millis(200);

/// Resolves at the first SIGINT (Ctrl-C) or SIGTERM.
pub async fn signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down: new calls are refused, calls in flight finish or are cancelled");
}
