//! Resolves the configuration from its four layers, first set wins: command-line flags,
//! environment variables (clap reads both, flags first), the config file, then defaults.
//! Within a layer `base_url` beats `environment`. It also records where the base URL and
//! the key came from, for `doctor` and the start-up log.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::{Environment, HttpArgs, Options};
use crate::config::{ComponentSource, Config, DEFAULT_BASE_URL};
use crate::config_file::{self, FileConfig, FileStatus};
use crate::exposure::Exposure;
use crate::http::{HttpConfig, Token};
use crate::key_source::{self, KeySource};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    File(PathBuf),
    Default,
    /// `--fake`: the embedded fake Orchestra.
    Fake,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "the {flag} flag"),
            Self::Env(name) => write!(f, "the environment ({name})"),
            Self::File(path) => write!(f, "the config file {}", path.display()),
            Self::Default => f.write_str("the default"),
            Self::Fake => f.write_str("--fake"),
        }
    }
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
    /// The file's `[http]` table, for `serve --http`.
    http_file: config_file::FileHttp,
}

/// The base URL of an Orchestra environment.
pub fn environment_base_url(environment: Environment) -> String {
    let host = match environment {
        Environment::App => "app",
        Environment::Stage => "stage",
        Environment::Dev => "dev",
    };
    format!("https://{host}.getorchestra.io/api/engine/public")
}

/// The embedded fake's address and key, when `--fake` is on.
pub struct FakeTarget {
    pub base_url: String,
    pub api_key: String,
}

/// Whether the command in use needs the key read: listing tools never does, so it never
/// runs a key command (which may prompt to unlock a password manager).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    Read,
    Skip,
}

/// Resolves `options` (parsed from `matches`, the matches of the command in use).
pub async fn resolve(
    options: &Options,
    matches: &ArgMatches,
    fake: Option<&FakeTarget>,
    key_use: KeyUse,
) -> anyhow::Result<Resolved> {
    let (file, status) = config_file::load(options.config.as_deref())?;
    let file_origin = || Origin::File(status.path().map(PathBuf::from).unwrap_or_default());
    let from_cli = |id: &str, flag: &'static str, env: &'static str| match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => Some(Origin::Env(env)),
        Some(ValueSource::CommandLine) => Some(Origin::Flag(flag)),
        _ => None,
    };

    let (base_url, base_url_origin) = if let Some(fake) = fake {
        (fake.base_url.clone(), Origin::Fake)
    } else if let Some(url) = &options.base_url {
        (url.clone(), from_cli("base_url", "--base-url", "ORCHESTRA_BASE_URL").unwrap_or(Origin::Default))
    } else if let Some(environment) = options.environment {
        let origin = from_cli("environment", "--environment", "ORCHESTRA_ENV").unwrap_or(Origin::Default);
        (environment_base_url(environment), origin)
    } else if let Some(url) = &file.base_url {
        (url.clone(), file_origin())
    } else if let Some(name) = &file.environment {
        let environment = <Environment as clap::ValueEnum>::from_str(name, true)
            .map_err(|_| anyhow::anyhow!("environment = {name:?} in the config file: expected app, stage or dev"))?;
        (environment_base_url(environment), file_origin())
    } else {
        (DEFAULT_BASE_URL.to_string(), Origin::Default)
    };

    let insecure = fake.is_some() || options.allow_insecure_loopback.or(file.allow_insecure_loopback).unwrap_or(false);
    let component = options
        .component
        .clone()
        .or_else(|| file.component.clone())
        .map_or(ComponentSource::Embedded, ComponentSource::File);
    let cache_dir = if options.no_cache {
        None
    } else {
        options
            .cache_dir
            .clone()
            .or_else(|| file.cache_dir.clone())
            .or_else(|| dirs::cache_dir().map(|d| d.join("orchestra-mcp").join("wasmtime")))
    };

    let (key_source, environment_key) = key_source(options, &file, fake);
    let (api_key, key_error) = match &key_source {
        None => (None, None),
        Some(_) if key_use == KeyUse::Skip => (None, None),
        Some(source) => match key_source::read(source, environment_key).await {
            Ok(key) => (Some(key), None),
            Err(e) => (None, Some(format!("{e:#}"))),
        },
    };

    let mut config = Config::new(&base_url, api_key, insecure, component, cache_dir)
        .with_context(|| format!("the base URL from {base_url_origin}"))?;
    apply_limits(options, &file, &mut config);
    let hosts = if options.allowed_hosts.is_empty() { file.allowed_hosts.clone() } else { None };
    config.extra_allowed_hosts = hosts
        .as_deref()
        .unwrap_or(&options.allowed_hosts)
        .iter()
        .map(|h| crate::allowlist::AllowedHost::parse(h))
        .collect::<Result<_, _>>()?;
    config.exposure = exposure(options, &file);
    config.set_account_id(options.account_id.as_deref().or(file.account_id.as_deref()))?;
    if let Some(secs) = options.dedupe_window_secs.or(file.dedupe_window_secs) {
        config.dedupe_window = Duration::from_secs(secs);
    }
    Ok(Resolved { config, file: status, base_url_origin, key_source, key_error, http_file: file.http })
}

/// The first key source that is set: the environment, a file, a command; the fake's own
/// key under `--fake`. Returns the environment's value alongside.
fn key_source(options: &Options, file: &FileConfig, fake: Option<&FakeTarget>) -> (Option<KeySource>, Option<String>) {
    if let Some(fake) = fake {
        return (Some(KeySource::Fake), Some(fake.api_key.clone()));
    }
    let environment = std::env::var("ORCHESTRA_API_KEY").ok().filter(|k| !k.trim().is_empty());
    let source = if environment.is_some() {
        Some(KeySource::Environment)
    } else if let Some(path) = options.api_key_file.clone().or_else(|| file.api_key_file.clone()) {
        Some(KeySource::File(path))
    } else {
        options.api_key_command.clone().or_else(|| file.api_key_command.clone()).map(KeySource::Command)
    };
    (source, environment)
}

fn exposure(options: &Options, file: &FileConfig) -> Exposure {
    let args = &options.exposure;
    let pick = |flag: &[String], file: &Option<Vec<String>>| {
        let names = if flag.is_empty() { file.clone().unwrap_or_default() } else { flag.to_vec() };
        names.into_iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect::<Vec<_>>()
    };
    let lower = |names: Vec<String>| names.into_iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut exposure = Exposure {
        enable_tools: pick(&args.enable_tools, &file.enable_tools).into_iter().collect(),
        disable_tools: pick(&args.disable_tools, &file.disable_tools).into_iter().collect(),
        enable_toolsets: lower(pick(&args.enable_toolsets, &file.enable_toolsets)),
        disable_toolsets: lower(pick(&args.disable_toolsets, &file.disable_toolsets)),
        read_only: args.read_only.or(file.read_only).unwrap_or(false),
    };
    // Skips variables that are not Unicode, where `std::env::vars` would panic.
    exposure.add_toolset_switches(
        std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
    );
    exposure
}

fn apply_limits(options: &Options, file: &FileConfig, config: &mut Config) {
    let (args, from_file, limits) = (&options.limits, &file.limits, &mut config.limits);
    if let Some(s) = args.call_timeout_secs.or(from_file.call_timeout_secs) {
        limits.call_timeout = Duration::from_secs(s);
    }
    if let Some(ms) = args.cpu_ms.or(from_file.cpu_ms) {
        limits.cpu_time = Duration::from_millis(ms);
    }
    if let Some(mb) = args.memory_mb.or(from_file.memory_mb) {
        limits.memory_bytes = mb * 1024 * 1024;
    }
    if let Some(bytes) = args.max_response_bytes.or(from_file.max_response_bytes) {
        limits.max_response_body_bytes = bytes;
    }
    if let Some(ms) = args.connect_timeout_ms.or(from_file.connect_timeout_ms) {
        limits.connect_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = args.first_byte_timeout_ms.or(from_file.first_byte_timeout_ms) {
        limits.first_byte_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = args.between_bytes_timeout_ms.or(from_file.between_bytes_timeout_ms) {
        limits.between_bytes_timeout = Duration::from_millis(ms);
    }
    if let Some(n) = args.max_result_chars.or(from_file.max_result_chars) {
        limits.max_result_chars = n;
    }
    if let Some(n) = args.max_concurrent_calls.or(from_file.max_concurrent_calls) {
        limits.max_concurrent_calls = n;
    }
    if let Some(n) = args.max_queued_calls.or(from_file.max_queued_calls) {
        limits.max_queued_calls = n;
    }
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

    /// The HTTP transport's settings, in the same layers (flags and environment, then the
    /// file's `[http]`); `None` when no address is set, which means stdio. The token comes
    /// from `ORCHESTRA_MCP_HTTP_TOKEN` or a file, never a flag.
    pub fn http(&self, args: &HttpArgs) -> anyhow::Result<Option<HttpConfig>> {
        let file = &self.http_file;
        let Some(listen) = args.listen.clone().or_else(|| file.listen.clone()) else { return Ok(None) };
        let list = |flag: &[String], file: &Option<Vec<String>>| {
            if flag.is_empty() { file.clone().unwrap_or_default() } else { flag.to_vec() }
        };
        let mut http = HttpConfig::new(&listen)?;
        http.allowed_hosts = list(&args.allowed_hosts, &file.allowed_hosts);
        http.allowed_origins = list(&args.allowed_origins, &file.allowed_origins);
        let token_file = args.token_file.as_ref().or(file.token_file.as_ref());
        http.token = Token::load(std::env::var("ORCHESTRA_MCP_HTTP_TOKEN").ok(), token_file)?;
        if let Some(bytes) = args.max_body_bytes.or(file.max_body_bytes) {
            http.max_body_bytes = bytes;
        }
        Ok(Some(http))
    }
}
