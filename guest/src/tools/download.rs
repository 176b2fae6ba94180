//! Bounded downloads of logs and artifacts: the `Range` request, the byte cap, and the
//! text-or-base64 result both tools return.

use base64::Engine;
use schemars::JsonSchema;
use serde::Serialize;

use crate::api::Download;

/// A downloaded slice of a file, as both tools return it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileSlice {
    pub filename: String,
    /// `utf-8` when `content` is the text itself, `base64` for binary data.
    pub encoding: Encoding,
    pub content: String,
    /// Bytes of the file in this slice.
    pub bytes_returned: u64,
    /// Offset of the first returned byte in the file, when known.
    pub start_byte: Option<u64>,
    /// Size of the whole file in bytes, when Orchestra said it.
    pub size_bytes: Option<u64>,
    /// `Content-Range` as Orchestra sent it.
    pub content_range: Option<String>,
    /// True when the file has bytes before this slice.
    pub more_before: bool,
    /// True when the file has bytes after this slice (or the answer was cut at `max_bytes`).
    pub more_after: bool,
    /// `PENDING` while the file is still being written (the run is live), else absent.
    pub file_status: Option<String>,
    /// How to read the rest, when there is more.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq)]
pub enum Encoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "base64")]
    Base64,
}

/// `Range` for `max_bytes` from `start`, or for the last `tail` bytes.
pub fn range(start: Option<u64>, tail: u64, max_bytes: u64) -> String {
    match start {
        Some(start) => format!("bytes={start}-{}", start + max_bytes.max(1) - 1),
        None => format!("bytes=-{}", tail.clamp(1, max_bytes)),
    }
}

/// Shapes a download into the result, choosing text when the bytes are text.
pub fn slice(filename: &str, download: Download, max_bytes: u64, read_more: &str) -> FileSlice {
    let returned = download.bytes.len() as u64;
    let more_before = download.start.is_some_and(|s| s > 0);
    let more_after = download.cut_at_cap
        || match (download.start, download.total) {
            (Some(start), Some(total)) => start + returned < total,
            _ => false,
        };
    let (encoding, content) = encode(&download.bytes, download.start.is_some_and(|s| s > 0));
    let mut notes = Vec::new();
    if more_before {
        notes.push(format!(
            "earlier bytes exist: call again with start_byte={} (or a smaller start) to read them; {read_more}",
            download.start.unwrap_or(0).saturating_sub(max_bytes)
        ));
    }
    if more_after {
        let next = download.start.unwrap_or(0) + returned;
        notes.push(format!("later bytes exist: call again with start_byte={next} to read on; {read_more}"));
    }
    FileSlice {
        filename: filename.to_string(),
        encoding,
        content,
        bytes_returned: returned,
        start_byte: download.start,
        size_bytes: download.total,
        content_range: download.content_range,
        more_before,
        more_after,
        file_status: download.file_status,
        notes,
    }
}

/// Text when the bytes are UTF-8 (allowing a character cut at either edge of the slice and
/// rare invalid bytes in logs), base64 otherwise.
fn encode(bytes: &[u8], starts_mid_file: bool) -> (Encoding, String) {
    let mut body = bytes;
    if starts_mid_file {
        // A range can start inside a multi-byte character: skip its continuation bytes.
        let skip = body.iter().take(3).take_while(|b| (**b & 0b1100_0000) == 0b1000_0000).count();
        body = &body[skip..];
    }
    match std::str::from_utf8(body) {
        Ok(text) => return (Encoding::Utf8, text.to_string()),
        Err(e) if e.error_len().is_none() => {
            // Only the last character is cut off by the end of the range.
            let text = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or_default();
            return (Encoding::Utf8, text.to_string());
        }
        Err(_) => {}
    }
    let lossy = String::from_utf8_lossy(body);
    let replaced = lossy.chars().filter(|c| *c == char::REPLACEMENT_CHARACTER).count();
    if !body.contains(&0) && replaced * 100 <= lossy.chars().count().max(1) {
        return (Encoding::Utf8, lossy.into_owned());
    }
    (Encoding::Base64, base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_well_formed() {
        assert_eq!(range(None, 16384, 65536), "bytes=-16384");
        assert_eq!(range(None, 1 << 30, 65536), "bytes=-65536");
        assert_eq!(range(Some(100), 0, 50), "bytes=100-149");
    }

    #[test]
    fn text_survives_cut_characters_and_binary_is_base64() {
        let text = "héllo wörld".as_bytes();
        assert_eq!(encode(&text[2..], true), (Encoding::Utf8, "llo wörld".to_string()));
        assert_eq!(encode(&text[..text.len() - 1], false).0, Encoding::Utf8);
        assert_eq!(encode(&[0, 159, 146, 150, 0, 1], false).0, Encoding::Base64);
    }
}
