//! Every setting, declared once. A field below is one setting: its doc comment is the help
//! (the first paragraph for `-h`, all of it for `--help` and the README), its `#[arg]` the
//! flag, the environment variable and the default, its name the key in the config file
//! (the group's table), its type what both accept. The commands flatten the groups they
//! use (`cli.rs`), so each command's help shows only its own settings; `file.rs` reads the
//! file into the same types; `mod.rs` layers them and records each value's origin; a test
//! holds the README's settings tables to this file.
//!
//! Adding a setting: add a field to its group (doc comment, `#[arg]`), then use it where
//! the settings are turned into a `Config` (`mod.rs`), and paste the README table the test
//! prints.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, FromArgMatches, ValueEnum};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::exposure;

/// A group of settings: one table of the config file, one or more help headings.
pub trait Group: Args + FromArgMatches + Serialize + DeserializeOwned + Default + Clone {
    /// The group's table in the config file.
    const TABLE: &'static str;
}

/// The help headings, in the order help shows them; clap names the first one.
pub const GENERAL: &str = "Options";
pub const ORCHESTRA: &str = "Orchestra";
pub const KEY: &str = "API key";
pub const TOOLS: &str = "Tools exposed";
pub const COMPONENT: &str = "Component";
pub const SANDBOX: &str = "Sandbox";
pub const HTTP: &str = "HTTP (serve --http)";

/// The value every setting of `T` has when nothing sets it: the declared defaults, read
/// through clap with the environment left out, so no second list of defaults exists.
pub fn declared_defaults<T: Args + FromArgMatches>() -> T {
    let command = T::augment_args(clap::Command::new("defaults")).mut_args(|arg| arg.env(None));
    let matches = command.try_get_matches_from(["defaults"]).expect("no setting is required");
    T::from_arg_matches(&matches).expect("the declared defaults parse")
}

macro_rules! defaults_are_declared {
    ($($group:ty),*) => {$(
        impl Default for $group {
            fn default() -> Self {
                declared_defaults()
            }
        }
    )*};
}

defaults_are_declared!(OrchestraSettings, ToolSettings, ComponentSettings, SandboxSettings, HttpSettings);

/// Orchestra's environments, each its own host with its own keys.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    App,
    Stage,
    Dev,
}

impl Environment {
    /// The environment's public API base URL.
    pub fn base_url(self) -> String {
        let host = self.to_possible_value().expect("no variant is skipped");
        format!("https://{}.getorchestra.io/api/engine/public", host.get_name())
    }
}

/// `--config`: where the other settings may also come from.
#[derive(Args, Clone, Debug, Default)]
pub struct ConfigFileArg {
    /// The config file (TOML) [default: orchestra-mcp/config.toml in the user config
    /// directory, if present: ~/.config on Linux, ~/Library/Application Support on macOS,
    /// %APPDATA% on Windows].
    ///
    /// A file named here must exist. An unknown key in it is an error that names the key.
    #[arg(long, env = "ORCHESTRA_MCP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// Where Orchestra is, and the key (`[orchestra]` in the config file).
#[derive(Args, Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[command(next_help_heading = ORCHESTRA)]
pub struct OrchestraSettings {
    /// Which Orchestra environment to call: app (production), stage or dev, each
    /// `https://<env>.getorchestra.io/api/engine/public`.
    #[arg(long, env = "ORCHESTRA_ENV", value_enum, default_value_t = Environment::App)]
    pub environment: Environment,
    /// Any Orchestra API base URL; overrides the environment.
    #[arg(long, env = "ORCHESTRA_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// The account (workspace id) to act in, sent as X-Orchestra-Account-Id, for a key
    /// that can act in more than one (`list_accounts` shows them) [default: the key's own].
    #[arg(long, env = "ORCHESTRA_ACCOUNT_ID", value_name = "UUID")]
    pub account_id: Option<String>,
    /// Give every tool an `account_id` argument, so an agent picks the account per call,
    /// for a key that acts in several; off, every definition is shorter and the tools act
    /// in the account above.
    #[arg(
        long,
        env = "ORCHESTRA_ACCOUNT_ARGUMENT",
        value_name = "BOOL",
        value_parser = BoolishValueParser::new(),
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value_t = false,
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub account_argument: bool,
    /// Allow a plain http:// base URL on 127.0.0.1 or localhost, for a local fake API.
    #[arg(
        long,
        env = "ORCHESTRA_ALLOW_INSECURE_LOOPBACK",
        value_name = "BOOL",
        value_parser = BoolishValueParser::new(),
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value_t = false,
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub allow_insecure_loopback: bool,
    /// Start the built-in fake Orchestra on loopback and use it (with its own key), to try
    /// the server without an Orchestra account.
    #[arg(long)]
    #[serde(skip)]
    pub fake: bool,
    /// Read the API key from this file, e.g. a mounted secret (used when ORCHESTRA_API_KEY
    /// is not set).
    #[arg(long, env = "ORCHESTRA_API_KEY_FILE", value_name = "PATH", help_heading = KEY)]
    pub api_key_file: Option<PathBuf>,
    /// Run this command and use its output as the API key (used when neither
    /// ORCHESTRA_API_KEY nor a key file is set), e.g. `op read op://Private/Orchestra/credential`.
    ///
    /// It runs in the platform's shell (`sh -c`; `cmd /C` on Windows), so a password
    /// manager supplies the key without it ever touching a file.
    #[arg(long, env = "ORCHESTRA_API_KEY_COMMAND", value_name = "COMMAND", help_heading = KEY)]
    pub api_key_command: Option<String>,
}

impl Group for OrchestraSettings {
    const TABLE: &'static str = "orchestra";
}

/// Which tools are exposed (`[tools]`).
#[derive(Args, Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[command(next_help_heading = TOOLS)]
pub struct ToolSettings {
    /// Expose only read-only tools: nothing that starts, cancels, changes or deletes,
    /// whatever else is enabled.
    #[arg(
        long,
        env = exposure::READ_ONLY,
        value_name = "BOOL",
        value_parser = BoolishValueParser::new(),
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value_t = false,
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub read_only: bool,
    /// Tools to expose, comma-separated.
    ///
    /// Opt-in tools (the deletes, asset and environment writes, pipeline import and
    /// migration, integration state and Azure credentials) are exposed only when named
    /// here, never by enabling their toolset; naming nothing but opt-in tools adds them to
    /// the defaults. Any other enable (of a tool or a toolset) turns the list into an
    /// allowlist: only what is enabled is exposed, so new tools never appear unannounced.
    #[arg(long, env = exposure::ENABLE_TOOLS, value_name = "TOOLS", value_delimiter = ',')]
    pub enable_tools: Vec<String>,
    /// Tools to leave out, comma-separated.
    #[arg(long, env = exposure::DISABLE_TOOLS, value_name = "TOOLS", value_delimiter = ',')]
    pub disable_tools: Vec<String>,
    /// Toolsets to expose, comma-separated, e.g. `triage,pipeline_runs`.
    ///
    /// Precedence: tool enable, tool disable, toolset enable (never for opt-in tools),
    /// toolset disable, then the default. A name that matches no tool or toolset stops the
    /// server (and fails `doctor`) with the nearest real name, and so does a configuration
    /// that exposes no tool.
    #[arg(long, env = exposure::ENABLE_TOOLSETS, value_name = "TOOLSETS", value_delimiter = ',')]
    pub enable_toolsets: Vec<String>,
    /// Toolsets to leave out, comma-separated.
    #[arg(long, env = exposure::DISABLE_TOOLSETS, value_name = "TOOLSETS", value_delimiter = ',')]
    pub disable_toolsets: Vec<String>,
}

impl Group for ToolSettings {
    const TABLE: &'static str = "tools";
}

/// The tool component and its compiled cache (`[component]`).
#[derive(Args, Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[command(next_help_heading = COMPONENT)]
pub struct ComponentSettings {
    /// Run this tool component instead of the embedded one: any `.wasm` component
    /// implementing wit/orchestra-mcp.wit.
    #[arg(long, env = "ORCHESTRA_MCP_COMPONENT", value_name = "PATH")]
    pub component: Option<PathBuf>,
    /// Where to cache a compiled component file, or the embedded component on a machine
    /// whose engine refuses the compiled code the binary carries [default:
    /// orchestra-mcp/wasmtime in the user cache directory: ~/.cache on Linux,
    /// ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows].
    ///
    /// The file is named by hashes of the component and of the engine's settings, so a new
    /// binary never loads a stale one.
    #[arg(long, env = "ORCHESTRA_MCP_CACHE_DIR", value_name = "PATH")]
    pub cache_dir: Option<PathBuf>,
    /// Compile such a component at every start instead of caching it.
    #[arg(
        long,
        env = "ORCHESTRA_MCP_NO_CACHE",
        value_name = "BOOL",
        value_parser = BoolishValueParser::new(),
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value_t = false,
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub no_cache: bool,
}

impl Group for ComponentSettings {
    const TABLE: &'static str = "component";
}

/// What one tool call may reach and use (`[sandbox]`).
#[derive(Args, Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[command(next_help_heading = SANDBOX)]
pub struct SandboxSettings {
    /// Further hosts tools may reach, `scheme://host[:port]` (`*.domain` and a `*` port
    /// allowed), comma-separated. They never receive the API key.
    #[arg(long = "allow-host", env = "ORCHESTRA_MCP_ALLOWED_HOSTS", value_name = "URL", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Wall time for one tool call, in seconds.
    #[arg(long, env = "ORCHESTRA_MCP_CALL_TIMEOUT_SECS", value_name = "SECS", default_value_t = 60)]
    pub call_timeout_secs: u64,
    /// CPU time a tool may compute for in one call step, in milliseconds (time waiting on
    /// Orchestra does not count).
    #[arg(long, env = "ORCHESTRA_MCP_CPU_MS", value_name = "MS", default_value_t = 10_000)]
    pub cpu_ms: u64,
    /// Memory one tool instance may use, in MiB.
    #[arg(long, env = "ORCHESTRA_MCP_MEMORY_MB", value_name = "MIB", default_value_t = 128)]
    pub memory_mb: usize,
    /// Largest response body accepted from Orchestra, in bytes.
    #[arg(long, env = "ORCHESTRA_MCP_MAX_RESPONSE_BYTES", value_name = "BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_response_bytes: usize,
    /// Longest wait for a connection to Orchestra, in milliseconds.
    #[arg(long, env = "ORCHESTRA_MCP_CONNECT_TIMEOUT_MS", value_name = "MS", default_value_t = 10_000)]
    pub connect_timeout_ms: u64,
    /// Longest wait for the first byte of an answer, in milliseconds.
    #[arg(long, env = "ORCHESTRA_MCP_FIRST_BYTE_TIMEOUT_MS", value_name = "MS", default_value_t = 30_000)]
    pub first_byte_timeout_ms: u64,
    /// Longest wait between bytes of an answer, in milliseconds.
    #[arg(long, env = "ORCHESTRA_MCP_BETWEEN_BYTES_TIMEOUT_MS", value_name = "MS", default_value_t = 30_000)]
    pub between_bytes_timeout_ms: u64,
    /// Characters one tool result may take (40,000 is about 10k tokens).
    ///
    /// A longer result keeps as many list items as fit and says in `resultCut` which
    /// lists were shortened and how to get the rest.
    #[arg(long, env = "ORCHESTRA_MCP_MAX_RESULT_CHARS", value_name = "CHARS", default_value_t = 40_000)]
    pub max_result_chars: usize,
    /// Tool calls running at once.
    #[arg(long, env = "ORCHESTRA_MCP_MAX_CONCURRENT_CALLS", value_name = "CALLS", default_value_t = 8)]
    pub max_concurrent_calls: usize,
    /// Calls that may wait for a free slot before new ones are refused as busy.
    #[arg(long, env = "ORCHESTRA_MCP_MAX_QUEUED_CALLS", value_name = "CALLS", default_value_t = 64)]
    pub max_queued_calls: usize,
    /// How long a successful call with a `dedupe_key` (starting a pipeline) is remembered,
    /// in seconds: a repeat within it gets the first answer and starts nothing. 0 turns
    /// it off.
    ///
    /// While the first is running the repeat waits for it; after a first attempt whose
    /// outcome is unknown (its answer was lost, it timed out or the client cancelled it)
    /// the repeat is refused unless it also says `dedupe_retry: true`, which the agent sets
    /// after checking that no run was created.
    #[arg(long, env = "ORCHESTRA_MCP_DEDUPE_WINDOW_SECS", value_name = "SECS", default_value_t = 600)]
    pub dedupe_window_secs: u64,
}

impl Group for SandboxSettings {
    const TABLE: &'static str = "sandbox";
}

/// The streamable HTTP transport (`[http]`). The ids of fields whose names another group
/// also uses carry the table's name, as clap needs each id once per command.
#[derive(Args, Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[command(next_help_heading = HTTP)]
pub struct HttpSettings {
    /// Serve MCP over streamable HTTP at this address instead of stdio: a port (on
    /// 127.0.0.1) or address:port, e.g. 8808 or 127.0.0.1:8808; the endpoint is /mcp.
    ///
    /// Both protocol eras are served. An address beyond loopback needs a token, or
    /// per-user keys (--http-per-user-keys).
    #[arg(long = "http", env = "ORCHESTRA_MCP_HTTP", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Host header values accepted besides loopback names (DNS-rebinding protection),
    /// comma-separated, e.g. `mcp.example.com`.
    #[arg(
        id = "http.allowed_hosts",
        long = "http-allowed-host",
        env = "ORCHESTRA_MCP_HTTP_ALLOWED_HOSTS",
        value_name = "HOST",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Browser origins accepted besides loopback ones, comma-separated
    /// (`scheme://host[:port]`, `:*` for any port).
    ///
    /// A request with any other Origin gets 403; one without Origin (a non-browser
    /// client) is accepted.
    #[arg(
        long = "http-allowed-origin",
        env = "ORCHESTRA_MCP_HTTP_ALLOWED_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Read the bearer token MCP clients must send from this file (ORCHESTRA_MCP_HTTP_TOKEN
    /// sets it directly). It guards this server only and is never sent to Orchestra.
    #[arg(long = "http-token-file", env = "ORCHESTRA_MCP_HTTP_TOKEN_FILE", value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Each HTTP request brings its own Orchestra key, used for that request's calls only:
    /// in the X-Orchestra-Api-Key header, or as `Authorization: Bearer <key>` when the
    /// server has no token.
    ///
    /// For a team sharing one server, each person acting as themselves. The server then
    /// holds no key of its own (setting one too is refused), and a request without a key
    /// gets 401. The key is added by the host to requests for the Orchestra origin only,
    /// never given to the component, never logged, and removed from results; repeats are
    /// remembered per key.
    #[arg(
        long = "http-per-user-keys",
        env = "ORCHESTRA_MCP_HTTP_PER_USER_KEYS",
        value_name = "BOOL",
        value_parser = BoolishValueParser::new(),
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value_t = false,
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub per_user_keys: bool,
    /// Largest request body accepted, in bytes (413 beyond).
    #[arg(long = "http-max-body-bytes", env = "ORCHESTRA_MCP_HTTP_MAX_BODY_BYTES", value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_body_bytes: usize,
}

impl Group for HttpSettings {
    const TABLE: &'static str = "http";
}

/// Settings read only from the environment: secrets, which a flag or the config file
/// could leak, and the switches named by toolset. Each is documented with its group.
pub struct Variable {
    pub name: &'static str,
    pub heading: &'static str,
    pub help: &'static str,
}

pub const API_KEY: Variable = Variable {
    name: "ORCHESTRA_API_KEY",
    heading: KEY,
    help: "Your Orchestra API key; it beats a key file, which beats a key command. Without any key the \
           server starts and lists its tools, `validate_pipeline` works (it needs no key), and every other \
           call says the key is missing.",
};

pub const HTTP_TOKEN: Variable = Variable {
    name: "ORCHESTRA_MCP_HTTP_TOKEN",
    heading: HTTP,
    help: "The bearer token HTTP clients must send (`Authorization: Bearer <token>`; 401 otherwise); it \
           beats the token file. It guards this server only and is never sent to Orchestra. Required to \
           listen beyond loopback with a server-wide Orchestra key.",
};

pub const TOOLSET_SWITCHES: Variable = Variable {
    name: "ORCHESTRA_MCP_ENABLE_<TOOLSET>, ORCHESTRA_MCP_DISABLE_<TOOLSET>",
    heading: TOOLS,
    help: "`true` switches a whole toolset, e.g. ORCHESTRA_MCP_ENABLE_TRIAGE=true (`orchestra-mcp tools` \
           lists the toolsets).",
};

pub const LOG_FILTER: Variable = Variable {
    name: "RUST_LOG",
    heading: GENERAL,
    help: "Log filter for stderr (default `info` for `serve`, `warn` for the other commands). stdout \
           carries only MCP messages, or a command's output.",
};

/// Every variable above, in the order the README lists them.
pub const VARIABLES: [&Variable; 4] = [&LOG_FILTER, &API_KEY, &TOOLSET_SWITCHES, &HTTP_TOKEN];

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::CommandFactory;

    use super::*;
    use crate::settings::cli::{Cli, ServeArgs};
    use crate::settings::file::keys;

    /// Each setting's place in the config file, by clap id.
    fn file_keys() -> HashMap<String, String> {
        fn group<T: Group>(places: &mut HashMap<String, String>) {
            let keys = keys::<T>();
            for arg in T::augment_args(clap::Command::new("group")).get_arguments() {
                let id = arg.get_id().as_str();
                let key = id.rsplit('.').next().unwrap_or(id);
                if keys.iter().any(|k| k == key) {
                    places.insert(id.to_string(), format!("`[{}] {key}`", T::TABLE));
                }
            }
        }
        let mut places = HashMap::new();
        group::<OrchestraSettings>(&mut places);
        group::<ToolSettings>(&mut places);
        group::<ComponentSettings>(&mut places);
        group::<SandboxSettings>(&mut places);
        group::<HttpSettings>(&mut places);
        places
    }

    /// The README's settings tables, one per help heading, as the declarations make them.
    fn readme_tables() -> String {
        let command = ServeArgs::augment_args(clap::Command::new("orchestra-mcp"));
        let places = file_keys();
        let one_line = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut out = String::new();
        for heading in [GENERAL, ORCHESTRA, KEY, TOOLS, COMPONENT, SANDBOX, HTTP] {
            out.push_str(&format!("\n**{heading}**\n\n| flag | variable | config file | default | meaning |\n"));
            out.push_str("| --- | --- | --- | --- | --- |\n");
            for arg in command.get_arguments().filter(|a| a.get_help_heading().unwrap_or(GENERAL) == heading) {
                let flag = arg.get_long().map_or("—".to_string(), |long| format!("`--{long}`"));
                let env = arg.get_env().map_or("—".to_string(), |e| format!("`{}`", e.to_string_lossy()));
                let place = places.get(arg.get_id().as_str()).cloned().unwrap_or("—".to_string());
                let defaults: Vec<String> =
                    arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
                let default = if defaults.is_empty() { "—".to_string() } else { format!("`{}`", defaults.join(",")) };
                let mut help =
                    arg.get_long_help().or(arg.get_help()).map(|h| one_line(h.to_string())).unwrap_or_default();
                // clap drops the full stop of a one-sentence help.
                if !help.ends_with('.') {
                    help.push('.');
                }
                out.push_str(&format!("| {flag} | {env} | {place} | {default} | {help} |\n"));
            }
            for variable in VARIABLES.iter().filter(|v| v.heading == heading) {
                let names: Vec<String> = variable.name.split(", ").map(|n| format!("`{n}`")).collect();
                out.push_str(&format!("| — | {} | — | — | {} |\n", names.join(", "), one_line(variable.help.into())));
            }
        }
        out
    }

    #[test]
    fn the_readme_lists_every_setting_as_declared() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
        let (begin, end) = ("<!-- settings: begin -->\n", "<!-- settings: end -->");
        let start = readme.find(begin).expect("the README marks its settings tables") + begin.len();
        let stop = readme[start..].find(end).expect("the README marks the end of its settings tables") + start;
        let expected = readme_tables();
        assert!(
            readme[start..stop] == expected,
            "README.md's settings tables differ from host/src/settings/declared.rs; put this between the markers:\n{expected}"
        );
    }

    #[test]
    fn the_command_line_is_well_formed_and_every_group_has_its_table() {
        Cli::command().debug_assert();
        let tables = [
            OrchestraSettings::TABLE,
            ToolSettings::TABLE,
            ComponentSettings::TABLE,
            SandboxSettings::TABLE,
            HttpSettings::TABLE,
        ];
        let every_table: String = tables.iter().map(|t| format!("[{t}]\n")).collect();
        toml::from_str::<crate::settings::file::FileSettings>(&every_table)
            .expect("each group's table is a file table");
    }

    #[test]
    fn the_declared_defaults_are_the_documented_ones() {
        assert_eq!(SandboxSettings::default().memory_mb, 128);
        assert_eq!(crate::settings::config::Limits::default().call_timeout, std::time::Duration::from_secs(60));
        assert!(ToolSettings::default().enable_tools.is_empty());
        assert_eq!(OrchestraSettings::default().environment.base_url(), crate::settings::config::DEFAULT_BASE_URL);
    }
}
