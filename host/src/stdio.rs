//! The stdio transport's input side, watched for end of input: when the client closes
//! stdin, in-flight tool calls are cancelled at once instead of being left to finish.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio_util::sync::CancellationToken;

/// Reads from `inner` and cancels `on_eof` when it reaches end of input.
pub struct EofSignal<R> {
    inner: R,
    on_eof: CancellationToken,
}

impl<R> EofSignal<R> {
    pub fn new(inner: R, on_eof: CancellationToken) -> Self {
        Self { inner, on_eof }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for EofSignal<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() == before && buf.remaining() > 0 {
            self.on_eof.cancel();
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn end_of_input_cancels_the_token() {
        let token = CancellationToken::new();
        let mut reader = EofSignal::new(&b"line\n"[..], token.clone());
        let mut text = String::new();
        reader.read_to_string(&mut text).await.unwrap();
        assert_eq!(text, "line\n");
        assert!(token.is_cancelled());
    }
}
