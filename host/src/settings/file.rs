//! The optional config file (TOML). It holds what an operator would otherwise repeat in
//! flags or environment variables; both of those override it. Its tables and keys are the
//! groups and fields of `declared.rs`. It never holds the API key itself: it can name a
//! file or a command that yields it.
//!
//! Looked for at `--config` / `ORCHESTRA_MCP_CONFIG` (which must exist), else at
//! `<user config dir>/orchestra-mcp/config.toml` (used if present).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::settings::declared::{
    ComponentSettings, Group, HttpSettings, OrchestraSettings, SandboxSettings, ToolSettings,
};

/// The file: one table per group of settings, each key as `declared.rs` names it. An
/// unknown table or key is an error naming it, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    #[serde(default)]
    pub orchestra: OrchestraSettings,
    #[serde(default)]
    pub tools: ToolSettings,
    #[serde(default)]
    pub component: ComponentSettings,
    #[serde(default)]
    pub sandbox: SandboxSettings,
    #[serde(default)]
    pub http: HttpSettings,
}

/// What was read: the settings, and which keys the file set (the rest are defaults).
#[derive(Debug, Default)]
pub struct File {
    pub settings: FileSettings,
    written: toml::Table,
}

impl File {
    /// Whether the file sets `key` in the group's table.
    pub fn sets<T: Group>(&self, key: &str) -> bool {
        self.written.get(T::TABLE).and_then(toml::Value::as_table).is_some_and(|table| table.contains_key(key))
    }
}

/// The keys of a group's table.
pub fn keys<T: Group>() -> Vec<String> {
    match serde_json::to_value(T::default()) {
        Ok(serde_json::Value::Object(keys)) => keys.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Each table and its keys.
fn tables() -> [(&'static str, Vec<String>); 5] {
    [
        (OrchestraSettings::TABLE, keys::<OrchestraSettings>()),
        (ToolSettings::TABLE, keys::<ToolSettings>()),
        (ComponentSettings::TABLE, keys::<ComponentSettings>()),
        (SandboxSettings::TABLE, keys::<SandboxSettings>()),
        (HttpSettings::TABLE, keys::<HttpSettings>()),
    ]
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
pub fn load(named: Option<&Path>) -> anyhow::Result<(File, FileStatus)> {
    let (path, status) = match named {
        Some(path) => (path.to_path_buf(), FileStatus::Named(path.to_path_buf())),
        None => match default_path() {
            Some(path) if path.is_file() => (path.clone(), FileStatus::Found(path)),
            other => return Ok((File::default(), FileStatus::Absent(other))),
        },
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading the config file {}", path.display()))?;
    let config = parse(&text).with_context(|| format!("in the config file {}", path.display()))?;
    Ok((config, status))
}

fn parse(text: &str) -> anyhow::Result<File> {
    // toml's own error quotes the offending line, and a type error the value, either of
    // which could be a secret under a misspelt key: only the message, with any quoted
    // value left out, and the line number are shown.
    let quiet = |e: toml::de::Error| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message: String =
            e.message().split('"').enumerate().map(|(i, part)| if i % 2 == 1 { "…" } else { part }).collect();
        match line {
            Some(line) => anyhow::anyhow!("line {line}: {message}"),
            None => anyhow::anyhow!("{message}"),
        }
    };
    let written: toml::Table = toml::from_str(text).map_err(quiet)?;
    let in_orchestra = written.get(OrchestraSettings::TABLE).and_then(toml::Value::as_table);
    if written.contains_key("api_key") || in_orchestra.is_some_and(|t| t.contains_key("api_key")) {
        bail!(
            "api_key is not read from a config file, so the key is never stored in one; set ORCHESTRA_API_KEY, \
             or name a file (api_key_file) or a command that prints it (api_key_command, e.g. `op read op://...`) \
             in the [orchestra] table"
        );
    }
    // A key written outside its table (as in a flat file) is pointed to its table.
    for (key, value) in &written {
        if value.is_table() {
            continue;
        }
        if let Some((table, _)) = tables().into_iter().find(|(_, keys)| keys.contains(key)) {
            bail!("{key} belongs in the [{table}] table: write it under a `[{table}]` line");
        }
    }
    let settings = toml::from_str(text).map_err(quiet)?;
    Ok(File { settings, written })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::declared::Environment;

    #[test]
    fn a_full_file_parses_and_mistakes_are_named() {
        let file = parse(
            r#"
            [orchestra]
            environment = "stage"
            account_id = "84e75049-b4c3-4a93-a595-21cff92bdb9d"
            api_key_command = "op read op://Private/Orchestra/credential"
            [tools]
            read_only = true
            enable_toolsets = ["triage"]
            [sandbox]
            call_timeout_secs = 30
            [http]
            listen = "127.0.0.1:8808"
            allowed_origins = ["https://claude.ai"]
            "#,
        )
        .unwrap();
        let settings = &file.settings;
        assert_eq!(settings.orchestra.environment, Environment::Stage);
        assert!(settings.tools.read_only);
        assert_eq!(settings.sandbox.call_timeout_secs, 30);
        assert_eq!(settings.sandbox.cpu_ms, SandboxSettings::default().cpu_ms, "unset keys keep their defaults");
        assert_eq!(settings.http.listen.as_deref(), Some("127.0.0.1:8808"));
        assert!(file.sets::<SandboxSettings>("call_timeout_secs") && !file.sets::<SandboxSettings>("cpu_ms"));

        let typo = parse("[tools]\nread_only = true\napikey = \"s3cret\"").unwrap_err();
        let message = format!("{typo:#}");
        assert!(message.contains("apikey") && message.contains("line 3"), "{message}");
        assert!(!message.contains("s3cret"), "the line itself is not quoted: {message}");
        let wrong_type = format!("{:#}", parse("[sandbox]\ncpu_ms = \"fast\"").unwrap_err());
        assert!(wrong_type.contains("line 2") && !wrong_type.contains("fast"), "{wrong_type}");
        let flat = format!("{:#}", parse("read_only = true").unwrap_err());
        assert!(flat.contains("[tools]"), "a key outside its table is pointed to it: {flat}");
        for key in ["api_key = \"secret\"", "[orchestra]\napi_key = \"secret\""] {
            let message = format!("{:#}", parse(key).unwrap_err());
            assert!(message.contains("api_key_command") && !message.contains("secret\""), "{message}");
        }
        assert!(parse("fake = true").is_err() && parse("[orchestra]\nfake = true").is_err(), "a flag only");
    }

    #[test]
    fn a_named_file_must_exist_and_the_default_one_may_not() {
        let missing = load(Some(Path::new("/nonexistent/orchestra-mcp.toml"))).unwrap_err();
        assert!(format!("{missing:#}").contains("/nonexistent/orchestra-mcp.toml"));
    }
}
