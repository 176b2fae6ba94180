//! The stdio transport's input side. Two guards sit between stdin and the MCP codec:
//! end of input cancels in-flight tool calls at once (instead of leaving them to finish),
//! and a line longer than the limit is cut off and discarded, so a client cannot make the
//! server buffer an unbounded line. What reaches the codec of a cut line is its first
//! `max_line` bytes and a NUL, which no JSON text contains: a prefix that happens to be
//! valid JSON (a message padded with whitespace) is never taken for a message.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio_util::sync::CancellationToken;

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

impl<R: AsyncRead + Unpin> AsyncRead for GuardedInput<R> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, out: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        loop {
            let room = out.remaining().min(this.scratch.len());
            let mut read = ReadBuf::new(&mut this.scratch[..room]);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            let data = read.filled();
            if data.is_empty() {
                if room > 0 {
                    this.on_eof.cancel();
                }
                return Poll::Ready(Ok(()));
            }
            let before = out.filled().len();
            for &byte in data {
                if this.discarding {
                    if byte == b'\n' {
                        out.put_slice(b"\n");
                        this.discarding = false;
                        this.line_len = 0;
                    }
                    continue;
                }
                if byte == b'\n' {
                    this.line_len = 0;
                } else if this.line_len == this.max_line {
                    // Spoil the partial line so the codec drops it as unparsable, and skip
                    // the rest of it up to its newline. The NUL takes this byte's place in
                    // `out`, so there is always room for it.
                    tracing::warn!(limit = this.max_line, "dropped an input line over the size limit");
                    out.put_slice(b"\0");
                    this.discarding = true;
                    continue;
                } else {
                    this.line_len += 1;
                }
                out.put_slice(&[byte]);
            }
            if out.filled().len() > before {
                return Poll::Ready(Ok(()));
            }
            // Everything read was discarded: read on rather than signal end of input.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn read_all(input: &[u8], max_line: usize) -> (String, bool) {
        let token = CancellationToken::new();
        let mut reader = GuardedInput::new(input, token.clone(), max_line);
        let mut text = String::new();
        reader.read_to_string(&mut text).await.unwrap();
        (text, token.is_cancelled())
    }

    #[tokio::test]
    async fn end_of_input_cancels_the_token() {
        assert_eq!(read_all(b"line\n", 100).await, ("line\n".to_string(), true));
    }

    #[tokio::test]
    async fn an_over_long_line_is_cut_and_skipped_and_the_next_line_survives() {
        let (text, _) = read_all(b"ok\n0123456789abcdef\nnext\n", 8).await;
        assert_eq!(text, "ok\n01234567\0\nnext\n");
    }

    #[tokio::test]
    async fn a_cut_line_never_parses_even_if_its_prefix_is_json() {
        let (text, _) = read_all(b"{\"id\":1}         \n", 12).await;
        assert_eq!(text, "{\"id\":1}    \0\n");
        assert!(serde_json::from_str::<serde_json::Value>(text.trim_end_matches('\n')).is_err());
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_limit_passes_and_one_byte_more_is_cut() {
        assert_eq!(read_all(b"12345678\n", 8).await.0, "12345678\n");
        assert_eq!(read_all(b"123456789\n", 8).await.0, "12345678\0\n");
        // Cut at the very end of input: the marker stays and nothing more follows.
        assert_eq!(read_all(b"123456789", 8).await.0, "12345678\0");
    }
}
