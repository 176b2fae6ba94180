//! `orchestra-mcp doctor`: checks the configuration and the connection, one line per
//! check, each failure with its fix. The connection is checked by the component's own
//! `check_connection` tool, run in the sandbox exactly as a client would run it; when
//! the key is rejected, the same check against the other Orchestra environments tells
//! which one the key belongs to.

use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Value, json};

use clap::ValueEnum;

use crate::exposure::Exposure;
use crate::settings::config::Config;
use crate::settings::declared::Environment;
use crate::settings::file::FileStatus;
use crate::settings::{Origin, Resolved};

/// The tool that checks the connection.
const CHECK: &str = "check_connection";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Info,
    Warn,
    Fail,
}

/// The report, printed as it is built.
#[derive(Default)]
struct Report {
    failed: bool,
}

impl Report {
    fn line(&mut self, status: Status, text: impl AsRef<str>, fix: Option<String>) {
        let label = match status {
            Status::Ok => "ok  ",
            Status::Info => "info",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        crate::commands::out::line(format!("[{label}] {}", text.as_ref()));
        if let Some(fix) = fix {
            crate::commands::out::line(format!("       fix: {fix}"));
        }
        self.failed |= status == Status::Fail;
    }
}

pub async fn run(resolved: &Resolved, also_try: &[String]) -> anyhow::Result<ExitCode> {
    let config = &resolved.config;
    let mut report = Report::default();
    crate::commands::out::line(format!("orchestra-mcp {} doctor", env!("CARGO_PKG_VERSION")));

    match &resolved.file {
        FileStatus::Named(path) | FileStatus::Found(path) => {
            report.line(Status::Ok, format!("config file: {}", path.display()), None)
        }
        FileStatus::Absent(looked) => report.line(
            Status::Info,
            match looked {
                Some(path) => format!("config file: none at {} (flags and environment only)", path.display()),
                None => "config file: none (no user config directory)".to_string(),
            },
            None,
        ),
    }
    report.line(
        Status::Ok,
        format!("Orchestra API: {} (from {})", config.base_url_text(), resolved.base_url_origin),
        None,
    );
    match (&resolved.key_source, &resolved.key_error) {
        (None, _) => report.line(
            Status::Fail,
            "API key: not set",
            Some(
                "set ORCHESTRA_API_KEY (Orchestra: Settings → API Key), or name a file (ORCHESTRA_API_KEY_FILE) or a \
                 command that prints it (ORCHESTRA_API_KEY_COMMAND); `--fake` tries the server without one"
                    .into(),
            ),
        ),
        (Some(source), Some(error)) => report.line(
            Status::Fail,
            format!("API key: {source} did not give one: {error}"),
            Some("fix that source, or set ORCHESTRA_API_KEY directly".into()),
        ),
        (Some(source), None) => report.line(Status::Ok, format!("API key: set (from {source})"), None),
    }
    if let Some(account) = &config.account_id {
        report.line(Status::Info, format!("default account: {account} (sent as X-Orchestra-Account-Id)"), None);
    }

    match crate::mcp::build_server(config).await {
        Ok(exposed) => {
            let read_only = if config.exposure.read_only { ", read-only" } else { "" };
            report.line(Status::Ok, format!("tools: {} exposed{read_only}", exposed.tools().len()), None);
        }
        Err(e) => report.line(
            Status::Fail,
            format!("tools: {e:#}"),
            Some("correct the tool and toolset switches (`orchestra-mcp tools` shows the names)".into()),
        ),
    }

    let connection = check(config).await?;
    connection_lines(&mut report, &connection, resolved.has_key());
    if connection["keyAccepted"] == false && resolved.has_key() {
        suggest_host(&mut report, config, also_try).await?;
    }
    egress_lines(&mut report, config);
    settings_lines(&mut report, resolved);
    Ok(if report.failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Runs `check_connection` against `config`'s API, whatever tools the operator exposes.
async fn check(config: &Config) -> anyhow::Result<Value> {
    let only_check = Exposure { enable_tools: [CHECK.to_string()].into(), ..Exposure::default() };
    let config = Config { exposure: only_check, ..config.clone() };
    let server = crate::mcp::build_server(&config).await.context("loading the tool component")?;
    if let Some(why) = server.unavailable(CHECK) {
        anyhow::bail!("this component cannot check the connection: {why}");
    }
    let result = server.run_tool(CHECK, json!({}), None).await;
    match result.structured_content {
        Some(value) if result.is_error != Some(true) => Ok(value),
        _ => {
            let text: Vec<String> = result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect();
            anyhow::bail!("the connection check failed: {}", text.join(" "))
        }
    }
}

fn connection_lines(report: &mut Report, connection: &Value, has_key: bool) {
    let problems: Vec<&str> =
        connection["problems"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if connection["reachable"] != true {
        let why = problems.first().copied().unwrap_or("no answer");
        report.line(
            Status::Fail,
            format!("Orchestra did not answer: {why}"),
            Some("check the base URL (ORCHESTRA_ENV / ORCHESTRA_BASE_URL), proxies and the network".into()),
        );
        return;
    }
    if connection["apiFound"] == false {
        let why = problems.first().copied().unwrap_or("a path every Orchestra API has is missing");
        report.line(
            Status::Fail,
            format!("the base URL answers, but not as Orchestra's API: {why}"),
            Some(
                "set ORCHESTRA_ENV (app, stage, dev), or ORCHESTRA_BASE_URL to an API base ending in \
                 /api/engine/public"
                    .into(),
            ),
        );
        return;
    }
    report.line(Status::Ok, "Orchestra answers", None);
    if !has_key {
        report.line(Status::Info, "API key: not checked, since none is set", None);
        return;
    }
    match connection["keyAccepted"].as_bool() {
        Some(true) => report.line(Status::Ok, "API key accepted", None),
        _ => {
            let why = problems.first().copied().unwrap_or("refused");
            report.line(Status::Fail, format!("API key not accepted: {why}"), None);
            return;
        }
    }
    match connection["workspace"].as_object() {
        Some(workspace) => {
            let name = workspace.get("name").and_then(Value::as_str).unwrap_or("?");
            let id = workspace.get("id").and_then(Value::as_str).unwrap_or("?");
            report.line(Status::Ok, format!("workspace: {name} ({id})"), None);
        }
        None => {
            let why = problems.iter().find(|p| p.contains("workspace")).copied().unwrap_or("not named by Orchestra");
            report.line(Status::Warn, format!("workspace: {why}"), None);
        }
    }
    let environments: Vec<&str> =
        connection["environments"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    report.line(Status::Info, format!("environments in the workspace: {}", environments.join(", ")), None);
    match connection["metadataApi"].as_bool() {
        Some(true) => report.line(Status::Ok, "run history (Metadata API) readable", None),
        _ => report.line(
            Status::Warn,
            "run history (Metadata API) not readable: the run, task-run, log and triage tools will fail",
            Some(
                problems
                    .iter()
                    .find(|p| p.contains("403") || p.contains("pipeline_runs"))
                    .map_or("ask an Orchestra admin for the Metadata API (enterprise plan)".into(), |p| p.to_string()),
            ),
        ),
    }
}

/// After a 401: which other Orchestra API accepts the key, so the fix names the right host.
async fn suggest_host(report: &mut Report, config: &Config, also_try: &[String]) -> anyhow::Result<()> {
    let candidates = if also_try.is_empty() { sibling_environments(config) } else { also_try.to_vec() };
    if candidates.is_empty() {
        report.line(
            Status::Info,
            format!("the key was tried against {} only", config.base_url_text()),
            Some(
                "check that the key was made in this Orchestra (Settings → API Key) and not revoked;                  `--also-try BASE_URL` tries it against another"
                    .into(),
            ),
        );
        return Ok(());
    }
    for candidate in candidates {
        let Ok(elsewhere) = config.with_base_url(&candidate) else { continue };
        let Ok(answer) = check(&elsewhere).await else { continue };
        if answer["keyAccepted"] == true {
            let setting = environment_of(&candidate).map_or_else(
                || format!("ORCHESTRA_BASE_URL={candidate}"),
                |env| format!("ORCHESTRA_ENV={env} (or ORCHESTRA_BASE_URL={candidate})"),
            );
            report.line(
                Status::Fail,
                format!("the key is accepted by {candidate}: it belongs to that Orchestra host"),
                Some(format!("set {setting}")),
            );
            return Ok(());
        }
    }
    report.line(
        Status::Info,
        "no other Orchestra environment accepts the key either",
        Some("create a new key in Orchestra (Settings → API Key) in the workspace you mean to use".into()),
    );
    Ok(())
}

/// The other Orchestra environments, when the configured API is one of them.
fn sibling_environments(config: &Config) -> Vec<String> {
    let current = config.base_url_text();
    if environment_of(&current).is_none() {
        return Vec::new();
    }
    Environment::value_variants().iter().map(|env| env.base_url()).filter(|url| *url != current).collect()
}

/// `app`, `stage` or `dev` when `url` is that environment's API.
fn environment_of(url: &str) -> Option<String> {
    let env = Environment::value_variants().iter().find(|env| env.base_url() == url.trim_end_matches('/'))?;
    Some(env.to_possible_value()?.get_name().to_string())
}

fn egress_lines(report: &mut Report, config: &Config) {
    let mut allowed = vec![config.base_url.origin().ascii_serialization() + " (with the key)"];
    allowed.extend(config.extra_allowed_hosts.iter().map(|h| format!("{h} (without the key)")));
    report.line(Status::Info, format!("egress allowed to: {}", allowed.join(", ")), None);
    if config.allow_insecure_loopback {
        report.line(Status::Info, "plain http to loopback allowed (a local fake API)", None);
    }
    let limits = &config.limits;
    report.line(
        Status::Info,
        format!(
            "sandbox: {} MiB memory, {} s CPU, {} s per call, {} calls at once",
            limits.memory_bytes / (1024 * 1024),
            limits.cpu_time.as_secs_f64(),
            limits.call_timeout.as_secs(),
            limits.max_concurrent_calls
        ),
        None,
    );
}

/// Every setting something set, with where it came from; the rest are at their defaults.
fn settings_lines(report: &mut Report, resolved: &Resolved) {
    let set: Vec<_> = resolved.settings.iter().filter(|s| s.origin != Origin::Default).collect();
    let at_defaults = resolved.settings.len() - set.len();
    report.line(Status::Info, format!("settings: {} set, {at_defaults} at their defaults", set.len()), None);
    for setting in set {
        crate::commands::out::line(format!("       {} = {} (from {})", setting.name, setting.value, setting.origin));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::config::ComponentSource;

    #[test]
    fn a_key_rejected_by_one_environment_is_tried_on_the_others() {
        let stage = Environment::Stage.base_url();
        let config = Config::new(&stage, None, false, ComponentSource::Embedded, None).unwrap();
        let siblings = sibling_environments(&config);
        assert_eq!(siblings.len(), 2);
        assert!(siblings.iter().all(|s| s.contains("app.") || s.contains("dev.")), "{siblings:?}");
        assert_eq!(environment_of(&stage).as_deref(), Some("stage"));
        let custom =
            Config::new("https://orchestra.internal/api", None, false, ComponentSource::Embedded, None).unwrap();
        assert!(sibling_environments(&custom).is_empty(), "a custom host has no known siblings");
    }
}
