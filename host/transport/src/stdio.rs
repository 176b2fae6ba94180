//! The stdio transport: newline-delimited JSON-RPC on stdin and stdout.
//!
//! Two guards sit in front of the parser: end of input cancels in-flight tool calls at
//! once (instead of leaving them to finish), and a line longer than the limit is cut off
//! and discarded, so a client cannot make the server buffer an unbounded line. What
//! reaches the parser of a cut line is its first `max_line` bytes and a NUL, which no
//! JSON text contains, so it is never taken for a message.
//!
//! Every request line that is not a message rmcp can serve gets its JSON-RPC error
//! (`jsonrpc.rs`), so no client waits for an answer that never comes; a line over the
//! limit is answered too, with its id when it can be read. stdout is written by one thread
//! only, so error lines never interleave with rmcp's.

use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Write};

use rmcp::RoleServer;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::jsonrpc::{self, Read};

/// The longest JSON-RPC message accepted on stdin. Tool arguments are small; 8 MiB leaves
/// room for any real request.
pub const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;

/// Reads from `inner`, cancels `on_eof` at end of input, and drops over-long lines.
pub struct GuardedInput<R> {
    inner: R,
    on_eof: CancellationToken,
    max_line: usize,
    /// Bytes of the current line passed on so far.
    line_len: usize,
    /// Inside an over-long line: skip input up to its newline.
    discarding: bool,
    scratch: Vec<u8>,
}

impl<R> GuardedInput<R> {
    pub fn new(inner: R, on_eof: CancellationToken, max_line: usize) -> Self {
        Self { inner, on_eof, max_line, line_len: 0, discarding: false, scratch: vec![0; 64 * 1024] }
    }
}

impl<R: io::Read> io::Read for GuardedInput<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let Self { inner, on_eof, max_line, line_len, discarding, scratch } = self;
        loop {
            let room = out.len().min(scratch.len());
            let read = inner.read(&mut scratch[..room])?;
            if read == 0 {
                if room > 0 {
                    on_eof.cancel();
                }
                return Ok(0);
            }
            let mut filled = 0;
            for &byte in &scratch[..read] {
                if *discarding {
                    if byte == b'\n' {
                        out[filled] = b'\n';
                        filled += 1;
                        *discarding = false;
                        *line_len = 0;
                    }
                    continue;
                }
                if byte == b'\n' {
                    *line_len = 0;
                } else if *line_len == *max_line {
                    // Spoil the partial line so the codec drops it as unparsable, and skip
                    // the rest of it up to its newline. The NUL takes this byte's place in
                    // `out`, so there is always room for it.
                    tracing::warn!(limit = *max_line, "dropped an input line over the size limit");
                    out[filled] = b'\0';
                    filled += 1;
                    *discarding = true;
                    continue;
                } else {
                    *line_len += 1;
                }
                out[filled] = byte;
                filled += 1;
            }
            if filled > 0 {
                return Ok(filled);
            }
            // Everything read was discarded: read on rather than signal end of input.
        }
    }
}

/// What one line that passed the guard is: a line it cut (ending in NUL) is answered as
/// too long, with its id when its start holds one.
pub fn read_line(line: &[u8], max_line: usize) -> Read {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    match text.strip_suffix('\0') {
        Some(prefix) => Read::Malformed { reply: jsonrpc::too_long(prefix, max_line), notification: false },
        None => jsonrpc::read(text),
    }
}

/// rmcp's side of the stdio transport: messages read by [`spawn`]'s reader, answers to
/// its writer.
pub struct StdioTransport {
    incoming: mpsc::Receiver<ClientJsonRpcMessage>,
    outgoing: mpsc::Sender<String>,
}

/// The writer's end, to wait for once the session is over so the last answers are flushed.
pub struct Flushed(oneshot::Receiver<()>);

impl Flushed {
    /// Waits (at most `wait`) for the writer to write what is queued.
    pub async fn wait(self, wait: std::time::Duration) {
        let _ = tokio::time::timeout(wait, self.0).await;
    }
}

/// Starts reading `input` (end of input cancels `on_eof`) and writing `output`, each on a
/// thread of its own: a message then costs one wake-up each way, where tokio's stdin and
/// stdout hand every read and write to a blocking-pool thread and wait for it. A thread
/// blocked reading stdin does not hold up the process's exit.
pub fn spawn<R, W>(input: R, output: W, on_eof: CancellationToken) -> io::Result<(StdioTransport, Flushed)>
where
    R: io::Read + Send + 'static,
    W: Write + Send + 'static,
{
    let (incoming_tx, incoming) = mpsc::channel::<ClientJsonRpcMessage>(64);
    let (outgoing, mut outgoing_rx) = mpsc::channel::<String>(64);
    let replies = outgoing.clone();
    std::thread::Builder::new().name("stdin".into()).spawn(move || {
        let mut reader = BufReader::new(GuardedInput::new(input, on_eof, MAX_LINE_BYTES));
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            match read_line(&line, MAX_LINE_BYTES) {
                Read::Message(message) => {
                    if incoming_tx.blocking_send(*message).is_err() {
                        break;
                    }
                }
                // A notification gets no answer, even an error.
                Read::Malformed { notification: true, .. } | Read::Blank => {}
                Read::Malformed { reply, .. } => {
                    tracing::warn!("answered a malformed input line with an error");
                    if replies.blocking_send(reply).is_err() {
                        break;
                    }
                }
            }
        }
    })?;
    let (flushed, done) = oneshot::channel();
    std::thread::Builder::new().name("stdout".into()).spawn(move || {
        let mut output = output;
        while let Some(mut line) = outgoing_rx.blocking_recv() {
            // One write a message: the line and its newline together.
            line.push('\n');
            if output.write_all(line.as_bytes()).and_then(|()| output.flush()).is_err() {
                break;
            }
        }
        let _ = flushed.send(());
    })?;
    Ok((StdioTransport { incoming, outgoing }, Flushed(done)))
}

impl Transport<RoleServer> for StdioTransport {
    type Error = io::Error;

    fn name() -> Cow<'static, str> {
        "stdio".into()
    }

    fn send(&mut self, item: ServerJsonRpcMessage) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let outgoing = self.outgoing.clone();
        async move {
            let line = serde_json::to_string(&item).map_err(io::Error::other)?;
            outgoing.send(line).await.map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ClientJsonRpcMessage>> + Send {
        self.incoming.recv()
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.incoming.close();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn read_all(input: &[u8], max_line: usize) -> (String, bool) {
        let token = CancellationToken::new();
        let mut reader = GuardedInput::new(input, token.clone(), max_line);
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        (text, token.is_cancelled())
    }

    #[test]
    fn end_of_input_cancels_the_token() {
        assert_eq!(read_all(b"line\n", 100), ("line\n".to_string(), true));
    }

    #[test]
    fn an_over_long_line_is_cut_and_skipped_and_the_next_line_survives() {
        let (text, _) = read_all(b"ok\n0123456789abcdef\nnext\n", 8);
        assert_eq!(text, "ok\n01234567\0\nnext\n");
    }

    #[test]
    fn a_cut_line_never_parses_even_if_its_prefix_is_json() {
        let (text, _) = read_all(b"{\"id\":1}         \n", 12);
        assert_eq!(text, "{\"id\":1}    \0\n");
        assert!(serde_json::from_str::<serde_json::Value>(text.trim_end_matches('\n')).is_err());
    }

    #[test]
    fn a_line_of_exactly_the_limit_passes_and_one_byte_more_is_cut() {
        assert_eq!(read_all(b"12345678\n", 8).0, "12345678\n");
        assert_eq!(read_all(b"123456789\n", 8).0, "12345678\0\n");
        // Cut at the very end of input: the marker stays and nothing more follows.
        assert_eq!(read_all(b"123456789", 8).0, "12345678\0");
    }
}
