//! MCP over stdio (`wasi:cli/run`): one JSON-RPC message per line on stdin, each answered
//! on stdout in turn, with progress notifications written while a long call waits. Only
//! MCP messages go to stdout; a problem at start-up is reported on stderr.

use std::io::{BufRead, Read, Write};

use serde_json::Value;

use crate::{calls, mcp};

/// A line longer than this is refused rather than buffered further.
const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;

pub fn serve() -> Result<(), ()> {
    let surface = match calls::surface() {
        Ok(surface) => surface,
        Err(problem) => {
            eprintln!("orchestra-mcp-server: {problem}");
            return Err(());
        }
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut input).take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) => {
                eprintln!("orchestra-mcp-server: reading stdin failed: {e}");
                return Err(());
            }
        }
        if line.len() > MAX_LINE_BYTES && !line.ends_with(b"\n") {
            // Skip the rest of the oversized line before answering it.
            let mut rest = Vec::new();
            let _ = input.read_until(b'\n', &mut rest);
            let too_long = rmcp::model::ErrorData::invalid_request(
                format!("the message is longer than {MAX_LINE_BYTES} bytes and was skipped"),
                None,
            );
            write(&stdout, &mcp::error_message(None, too_long));
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let answer = match mcp::Message::parse(&line) {
            Ok(message) => mcp::answer(&surface, message, &mut |notification| write(&stdout, &notification)),
            Err(error) => Some(error),
        };
        if let Some(answer) = answer {
            write(&stdout, &answer);
        }
    }
}

fn write(stdout: &std::io::Stdout, message: &Value) {
    let mut out = stdout.lock();
    // A closed stdout means the client is gone; the next read of stdin ends the loop.
    let _ = writeln!(out, "{message}").and_then(|()| out.flush());
}
