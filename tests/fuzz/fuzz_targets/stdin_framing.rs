//! The stdio input path: arbitrary bytes, delivered in arbitrary chunks, through the
//! stdin guard and then the line reader, exactly as `serve_stdio` wires them.
//! Properties: nothing panics; the guard passes every line within the limit unchanged and
//! turns every longer line into its first `max_line` bytes and a NUL; no message is ever
//! read from a line that was cut, and every line that is not a message gets a JSON-RPC
//! error to answer with (or, for a notification, none).
#![no_main]

use std::io::Read as _;

use libfuzzer_sys::fuzz_target;
use orchestra_mcp_transport::jsonrpc::Read;
use orchestra_mcp_transport::stdio::{GuardedInput, read_line};
use tokio_util::sync::CancellationToken;

/// Hands out `data` in chunks whose sizes come from the fuzzer.
struct Chunked<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    turn: usize,
}

impl std::io::Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes.get(self.turn % self.sizes.len().max(1)).map_or(7, |s| usize::from(*s) + 1);
        self.turn += 1;
        let n = size.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// What the guard promises to pass on.
fn expected(input: &[u8], max_line: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut lines = input.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if line.len() <= max_line {
            out.extend_from_slice(line);
        } else {
            out.extend_from_slice(&line[..max_line]);
            out.push(0);
        }
        if lines.peek().is_some() {
            out.push(b'\n');
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&limit, rest)) = data.split_first() else { return };
    let Some((&read_size, rest)) = rest.split_first() else { return };
    let (sizes, input) = rest.split_at(rest.len().min(4));
    let max_line = usize::from(limit % 64) + 1;

    let token = CancellationToken::new();
    let mut guard = GuardedInput::new(Chunked { data: input, sizes, turn: 0 }, token.clone(), max_line);
    let mut passed = Vec::new();
    let mut buffer = vec![0u8; usize::from(read_size % 32) + 1];
    loop {
        match guard.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => passed.extend_from_slice(&buffer[..n]),
            Err(e) => panic!("an in-memory reader never fails: {e}"),
        }
    }
    assert!(token.is_cancelled(), "end of input must cancel the token");
    assert_eq!(passed, expected(input, max_line));

    let whole_lines = input.split(|b| *b == b'\n').filter(|line| line.len() <= max_line).count();
    let mut messages = 0;
    for line in passed.split(|b| *b == b'\n') {
        match read_line(line, max_line) {
            Read::Message(_) => {
                assert!(!line.contains(&0), "a message was read from a cut line");
                messages += 1;
            }
            Read::Malformed { reply, .. } => {
                let reply: serde_json::Value = serde_json::from_str(&reply).expect("the answer is JSON");
                assert!(reply["error"]["code"].is_i64() && reply["jsonrpc"] == "2.0", "{reply}");
            }
            Read::Blank => {}
        }
    }
    assert!(messages <= whole_lines, "{messages} messages from {whole_lines} lines within the limit");
});
