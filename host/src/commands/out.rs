//! Output of the one-shot commands (`call`, `tools`, `doctor`) on stdout. A reader that
//! goes away early (`orchestra-mcp tools | head`) ends the output quietly instead of
//! panicking, as `println!` would.

use std::io::Write;

/// Writes `text` and a newline to stdout; a closed pipe is not an error.
pub fn line(text: impl AsRef<str>) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", text.as_ref()).and_then(|()| stdout.flush());
}
