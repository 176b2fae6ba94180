//! The optional config file (TOML). It holds what an operator would otherwise repeat in
//! flags or environment variables; both of those override it. It never holds the API key
//! itself: it can name a file or a command that yields it.
//!
//! Looked for at `--config` / `ORCHESTRA_MCP_CONFIG` (which must exist), else at
//! `<user config dir>/orchestra-mcp/config.toml` (used if present).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// Every key the file may hold; an unknown key is an error naming it, so a typo is not
/// silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `app`, `stage` or `dev`: which Orchestra environment to call.
    pub environment: Option<String>,
    pub base_url: Option<String>,
    pub account_id: Option<String>,
    pub api_key_file: Option<PathBuf>,
    pub api_key_command: Option<String>,
    /// Refused with a pointer to the safe alternatives (see `load`).
    api_key: Option<toml::Value>,
    pub allow_insecure_loopback: Option<bool>,
    pub allowed_hosts: Option<Vec<String>>,
    pub component: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    pub dedupe_window_secs: Option<u64>,
    pub read_only: Option<bool>,
    pub enable_tools: Option<Vec<String>>,
    pub disable_tools: Option<Vec<String>>,
    pub enable_toolsets: Option<Vec<String>>,
    pub disable_toolsets: Option<Vec<String>>,
    #[serde(default)]
    pub limits: FileLimits,
    #[serde(default)]
    pub http: FileHttp,
}

/// `[limits]`: the sandbox limits, named as their flags are.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    pub call_timeout_secs: Option<u64>,
    pub cpu_ms: Option<u64>,
    pub memory_mb: Option<usize>,
    pub max_response_bytes: Option<usize>,
    pub connect_timeout_ms: Option<u64>,
    pub first_byte_timeout_ms: Option<u64>,
    pub between_bytes_timeout_ms: Option<u64>,
    pub max_result_chars: Option<usize>,
    pub max_concurrent_calls: Option<usize>,
    pub max_queued_calls: Option<usize>,
}

/// `[http]`: the streamable HTTP transport.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHttp {
    pub listen: Option<String>,
    pub allowed_hosts: Option<Vec<String>>,
    pub allowed_origins: Option<Vec<String>>,
    pub token_file: Option<PathBuf>,
    pub max_body_bytes: Option<usize>,
}

/// Which file was read, if any, and why.
#[derive(Debug, Clone)]
pub enum FileStatus {
    /// Named by `--config` or `ORCHESTRA_MCP_CONFIG`.
    Named(PathBuf),
    /// Found at the default place.
    Found(PathBuf),
    /// None at the default place (or no user config directory).
    Absent(Option<PathBuf>),
}

impl FileStatus {
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Named(p) | Self::Found(p) => Some(p),
            Self::Absent(_) => None,
        }
    }
}

/// Where the file is looked for when none is named.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("orchestra-mcp").join("config.toml"))
}

/// Reads the named file, or the default one if it exists.
pub fn load(named: Option<&Path>) -> anyhow::Result<(FileConfig, FileStatus)> {
    let (path, status) = match named {
        Some(path) => (path.to_path_buf(), FileStatus::Named(path.to_path_buf())),
        None => match default_path() {
            Some(path) if path.is_file() => (path.clone(), FileStatus::Found(path)),
            other => return Ok((FileConfig::default(), FileStatus::Absent(other))),
        },
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading the config file {}", path.display()))?;
    let config = parse(&text).with_context(|| format!("in the config file {}", path.display()))?;
    Ok((config, status))
}

fn parse(text: &str) -> anyhow::Result<FileConfig> {
    // toml's own error quotes the offending line, which could hold a secret under a
    // misspelt key; only its message and the line number are shown.
    let config: FileConfig = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(line) => anyhow::anyhow!("line {line}: {}", e.message()),
            None => anyhow::anyhow!("{}", e.message()),
        }
    })?;
    if config.api_key.is_some() {
        bail!(
            "api_key is not read from a config file, so the key is never stored in one; set ORCHESTRA_API_KEY, \
             or name a file (api_key_file) or a command that prints it (api_key_command, e.g. `op read op://...`)"
        );
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses_and_mistakes_are_named() {
        let config = parse(
            r#"
            environment = "stage"
            account_id = "84e75049-b4c3-4a93-a595-21cff92bdb9d"
            api_key_command = "op read op://Private/Orchestra/credential"
            read_only = true
            enable_toolsets = ["triage"]
            [limits]
            call_timeout_secs = 30
            [http]
            listen = "127.0.0.1:8808"
            allowed_origins = ["https://claude.ai"]
            "#,
        )
        .unwrap();
        assert_eq!(config.environment.as_deref(), Some("stage"));
        assert_eq!(config.read_only, Some(true));
        assert_eq!(config.limits.call_timeout_secs, Some(30));
        assert_eq!(config.http.listen.as_deref(), Some("127.0.0.1:8808"));

        let typo = parse("read_only = true\napikey = \"s3cret\"").unwrap_err();
        let message = format!("{typo:#}");
        assert!(message.contains("apikey") && message.contains("line 2"), "{message}");
        assert!(!message.contains("s3cret"), "the line itself is not quoted: {message}");
        let key = parse("api_key = \"secret\"").unwrap_err();
        let message = format!("{key:#}");
        assert!(message.contains("api_key_command") && !message.contains("secret\""), "{message}");
    }

    #[test]
    fn a_named_file_must_exist_and_the_default_one_may_not() {
        let missing = load(Some(Path::new("/nonexistent/orchestra-mcp.toml"))).unwrap_err();
        assert!(format!("{missing:#}").contains("/nonexistent/orchestra-mcp.toml"));
    }
}
