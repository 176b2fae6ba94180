//! Resolves the settings from their four layers, first set wins: command-line flags,
//! environment variables (clap reads both, flags first), the config file, then the
//! declared defaults. Within a layer `base_url` beats `environment`. Each value's origin
//! is recorded, for `doctor` and the start-up log.

//!
//! The rooms: `declared.rs` declares every setting (flag, variable, file key, default,
//! help), `cli.rs` the commands that use them, `file.rs` reads the config file,
//! `key_source.rs` the API key, `config.rs` holds the result, `version.rs` says what was
//! built.

pub mod cli;
pub mod config;
pub mod declared;
pub mod file;
pub mod http;
pub mod key_source;
pub mod version;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use crate::exposure::Exposure;
use crate::settings::cli::{CallSettings, ServeArgs, ToolsArgs};
use crate::settings::config::{ComponentSource, Config, DEFAULT_BASE_URL, Limits};
use declared::{
    ComponentSettings, ConfigFileArg, Group, HttpSettings, OrchestraSettings, SandboxSettings, ToolSettings,
};
use file::{File, FileStatus};
use http::{HttpConfig, Token};
use key_source::KeySource;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(String),
    Env(String),
    File(PathBuf),
    Default,
    /// `--fake`: the embedded fake Orchestra.
    Fake,
}

impl Origin {
    /// Which layer it is: flags and the environment (which clap has already ordered)
    /// above the file, above the defaults.
    fn rank(&self) -> u8 {
        match self {
            Self::Flag(_) | Self::Env(_) | Self::Fake => 2,
            Self::File(_) => 1,
            Self::Default => 0,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "the {flag} flag"),
            Self::Env(name) => write!(f, "the environment variable {name}"),
            Self::File(path) => write!(f, "the config file {}", path.display()),
            Self::Default => f.write_str("the default"),
            Self::Fake => f.write_str("--fake"),
        }
    }
}

/// The groups a command declares; it leaves the others at their defaults, and reads no
/// key unless it declares the Orchestra settings (listing tools never runs a key command,
/// which may prompt to unlock a password manager).
pub struct Declared<'a> {
    pub config_file: &'a ConfigFileArg,
    pub orchestra: Option<&'a OrchestraSettings>,
    pub tools: &'a ToolSettings,
    pub component: &'a ComponentSettings,
    pub sandbox: Option<&'a SandboxSettings>,
    pub http: Option<&'a HttpSettings>,
}

impl<'a> From<&'a ServeArgs> for Declared<'a> {
    fn from(args: &'a ServeArgs) -> Self {
        Self { http: Some(&args.http), ..Self::from(&args.settings) }
    }
}

impl<'a> From<&'a CallSettings> for Declared<'a> {
    fn from(args: &'a CallSettings) -> Self {
        Self {
            config_file: &args.config,
            orchestra: Some(&args.orchestra),
            tools: &args.tools,
            component: &args.component,
            sandbox: Some(&args.sandbox),
            http: None,
        }
    }
}

impl<'a> From<&'a ToolsArgs> for Declared<'a> {
    fn from(args: &'a ToolsArgs) -> Self {
        Self {
            config_file: &args.config,
            orchestra: None,
            tools: &args.tools,
            component: &args.component,
            sandbox: None,
            http: None,
        }
    }
}

impl Declared<'_> {
    /// Whether `--fake` asks for the embedded fake.
    pub fn fake(&self) -> bool {
        self.orchestra.is_some_and(|o| o.fake)
    }
}

/// One setting as resolved, for `doctor`.
#[derive(Debug, Clone)]
pub struct Setting {
    /// `[table] key`, as the config file names it.
    pub name: String,
    pub value: String,
    pub origin: Origin,
}

/// The resolved configuration and how it was arrived at.
pub struct Resolved {
    pub config: Config,
    pub file: FileStatus,
    pub base_url_origin: Origin,
    /// Where the key is read from, if anywhere.
    pub key_source: Option<KeySource>,
    /// Why the key could not be read, when a source is set but failed.
    pub key_error: Option<String>,
    /// Every setting the command declares, with its value and origin.
    pub settings: Vec<Setting>,
    /// The HTTP transport's settings, for `serve`.
    http: Option<HttpSettings>,
}

/// The embedded fake's address and key, when `--fake` is on.
pub struct FakeTarget {
    pub base_url: String,
    pub api_key: String,
}

/// Resolves the settings `declared` (parsed from `matches`, the matches of the command in use).
pub async fn resolve(
    declared: Declared<'_>,
    matches: &ArgMatches,
    fake: Option<&FakeTarget>,
) -> anyhow::Result<Resolved> {
    let (file, status) = file::load(declared.config_file.config.as_deref())?;
    let path = status.path().map(Path::to_path_buf).unwrap_or_default();
    let mut layers = Layers { matches, file: &file, path, settings: Vec::new() };
    let orchestra = declared.orchestra.map(|cli| layers.layer(cli, &file.settings.orchestra)).transpose()?;
    let tools = layers.layer(declared.tools, &file.settings.tools)?;
    let component = layers.layer(declared.component, &file.settings.component)?;
    let sandbox = declared.sandbox.map(|cli| layers.layer(cli, &file.settings.sandbox)).transpose()?;
    let http = declared.http.map(|cli| layers.layer(cli, &file.settings.http)).transpose()?;

    let (base_url, base_url_origin) = match (&orchestra, fake) {
        (_, Some(fake)) => (fake.base_url.clone(), Origin::Fake),
        (None, None) => (DEFAULT_BASE_URL.to_string(), Origin::Default),
        (Some(orchestra), None) => {
            let origin = |key: &str| layers.origin(OrchestraSettings::TABLE, key);
            let (url_origin, environment_origin) = (origin("base_url"), origin("environment"));
            match &orchestra.base_url {
                Some(url) if url_origin.rank() >= environment_origin.rank() => (url.clone(), url_origin),
                _ => (orchestra.environment.base_url(), environment_origin),
            }
        }
    };
    let orchestra = orchestra.unwrap_or_default();
    let insecure = fake.is_some() || orchestra.allow_insecure_loopback;
    let component_source = component.component.clone().map_or(ComponentSource::Embedded, ComponentSource::File);
    let cache_dir = match component.no_cache {
        true => None,
        false => {
            component.cache_dir.clone().or_else(|| dirs::cache_dir().map(|d| d.join("orchestra-mcp").join("wasmtime")))
        }
    };

    let (key_source, environment_key) = match declared.orchestra {
        Some(_) => key_source(&orchestra, fake),
        None => (None, None),
    };
    let (api_key, key_error) = match &key_source {
        None => (None, None),
        Some(source) => match key_source::read(source, environment_key).await {
            Ok(key) => (Some(key), None),
            Err(e) => (None, Some(format!("{e:#}"))),
        },
    };

    let mut config = Config::new(&base_url, api_key, insecure, component_source, cache_dir)
        .with_context(|| format!("the base URL from {base_url_origin}"))?;
    let sandbox = sandbox.unwrap_or_default();
    config.limits = Limits::from(&sandbox);
    config.dedupe_window = Duration::from_secs(sandbox.dedupe_window_secs);
    config.extra_allowed_hosts = sandbox
        .allowed_hosts
        .iter()
        .map(|h| crate::sandbox::allowlist::AllowedHost::parse(h))
        .collect::<Result<_, _>>()?;
    config.exposure = exposure(&tools);
    config.set_account_id(orchestra.account_id.as_deref())?;
    config.account_argument = orchestra.account_argument;
    Ok(Resolved { config, file: status, base_url_origin, key_source, key_error, settings: layers.settings, http })
}

/// The layering of one command's groups, and the origins found on the way.
struct Layers<'a> {
    matches: &'a ArgMatches,
    file: &'a File,
    path: PathBuf,
    settings: Vec<Setting>,
}

impl Layers<'_> {
    /// The group's values: each from the command line or the environment if either set
    /// it, else from the file if it sets it, else the declared default.
    fn layer<T: Group>(&mut self, cli: &T, from_file: &T) -> anyhow::Result<T> {
        let mut merged = serde_json::to_value(cli)?;
        let from_file = serde_json::to_value(from_file)?;
        for arg in T::augment_args(clap::Command::new(T::TABLE)).get_arguments() {
            let id = arg.get_id().as_str();
            // Ids another group also uses are prefixed with the table (`http.allowed_hosts`).
            let key = id.rsplit('.').next().unwrap_or(id);
            let Some(slot) = merged.get_mut(key) else { continue };
            let origin = match self.matches.value_source(id) {
                Some(ValueSource::CommandLine) => Origin::Flag(format!("--{}", arg.get_long().unwrap_or(key))),
                Some(ValueSource::EnvVariable) => {
                    Origin::Env(arg.get_env().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default())
                }
                _ if self.file.sets::<T>(key) => {
                    *slot = from_file[key].clone();
                    Origin::File(self.path.clone())
                }
                _ => Origin::Default,
            };
            self.settings.push(Setting { name: format!("[{}] {key}", T::TABLE), value: shown(slot), origin });
        }
        serde_json::from_value(merged).context("combining the settings")
    }

    fn origin(&self, table: &str, key: &str) -> Origin {
        let name = format!("[{table}] {key}");
        self.settings.iter().find(|s| s.name == name).map_or(Origin::Default, |s| s.origin.clone())
    }
}

/// A value as `doctor` shows it.
fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(none)".to_string(),
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The first key source that is set: the environment, a file, a command; the fake's own
/// key under `--fake`. Returns the environment's value alongside.
fn key_source(orchestra: &OrchestraSettings, fake: Option<&FakeTarget>) -> (Option<KeySource>, Option<String>) {
    if let Some(fake) = fake {
        return (Some(KeySource::Fake), Some(fake.api_key.clone()));
    }
    let environment = std::env::var(declared::API_KEY.name).ok().filter(|k| !k.trim().is_empty());
    let source = if environment.is_some() {
        Some(KeySource::Environment)
    } else if let Some(path) = orchestra.api_key_file.clone() {
        Some(KeySource::File(path))
    } else {
        orchestra.api_key_command.clone().map(KeySource::Command)
    };
    (source, environment)
}

fn exposure(tools: &ToolSettings) -> Exposure {
    let names =
        |names: &[String]| names.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect::<Vec<_>>();
    let lower = |list: &[String]| names(list).into_iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut exposure = Exposure {
        enable_tools: names(&tools.enable_tools).into_iter().collect(),
        disable_tools: names(&tools.disable_tools).into_iter().collect(),
        enable_toolsets: lower(&tools.enable_toolsets),
        disable_toolsets: lower(&tools.disable_toolsets),
        read_only: tools.read_only,
    };
    // Skips variables that are not Unicode, where `std::env::vars` would panic.
    exposure.add_toolset_switches(
        std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
    );
    exposure
}

impl Resolved {
    /// The key, or the error that kept it from being read.
    pub fn require_readable_key(&self) -> anyhow::Result<()> {
        match &self.key_error {
            Some(error) => anyhow::bail!("{error}"),
            None => Ok(()),
        }
    }

    /// Whether a key is configured and was read.
    pub fn has_key(&self) -> bool {
        self.config.api_key.is_some()
    }

    /// The HTTP transport's settings; `None` when no address is set, which means stdio.
    /// The token comes from `ORCHESTRA_MCP_HTTP_TOKEN` or a file, never a flag.
    pub fn http(&self) -> anyhow::Result<Option<HttpConfig>> {
        let Some(settings) = &self.http else { return Ok(None) };
        let Some(listen) = &settings.listen else {
            if settings.per_user_keys {
                anyhow::bail!(
                    "--http-per-user-keys (ORCHESTRA_MCP_HTTP_PER_USER_KEYS) needs --http: over stdio there is one \
                     client, and it uses the server's key (ORCHESTRA_API_KEY)"
                );
            }
            return Ok(None);
        };
        let mut http = HttpConfig::new(listen)?;
        http.allowed_hosts = settings.allowed_hosts.clone();
        http.allowed_origins = settings.allowed_origins.clone();
        http.token = Token::load(std::env::var(declared::HTTP_TOKEN.name).ok(), settings.token_file.as_ref())?;
        http.max_body_bytes = settings.max_body_bytes;
        http.per_user_keys = settings.per_user_keys;
        Ok(Some(http))
    }
}

/// The whole command line, for completions and the manual page.
pub fn command() -> clap::Command {
    crate::settings::cli::Cli::command()
}
