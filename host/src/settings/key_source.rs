//! Where the Orchestra API key comes from: the environment (`ORCHESTRA_API_KEY`), a file
//! (`ORCHESTRA_API_KEY_FILE`, for secret mounts), or a command whose output is the key
//! (`ORCHESTRA_API_KEY_COMMAND`, for example `op read op://Private/Orchestra/credential`,
//! so the key never touches a file). The first that is set wins, in that order. The key
//! is read once, at start-up, and lives only in host memory.

use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::settings::config::ApiKey;

/// The longest a key command may take (a password manager may ask to unlock).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest key file or command output read; an API key is well under this.
const MAX_KEY_BYTES: usize = 64 * 1024;

/// Fewer characters than this cannot be an Orchestra API key; such a value is a mistake
/// (a placeholder, a cut paste), and redacting it from output would garble ordinary words.
pub const MIN_KEY_CHARS: usize = 8;

/// How the key is to be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The value of `ORCHESTRA_API_KEY`.
    Environment,
    /// The contents of this file (surrounding whitespace removed).
    File(PathBuf),
    /// The standard output of this shell command.
    Command(String),
    /// The embedded fake's own key (`--fake`).
    Fake,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Environment => f.write_str("ORCHESTRA_API_KEY"),
            Self::File(path) => write!(f, "the file {}", path.display()),
            Self::Command(command) => write!(f, "the command `{command}`"),
            Self::Fake => f.write_str("the embedded fake Orchestra"),
        }
    }
}

/// Reads the key from `source`. A source that is set but yields nothing is an error, so
/// a broken secret mount or a locked password manager is reported, not mistaken for "no key".
pub async fn read(source: &KeySource, environment_value: Option<String>) -> anyhow::Result<ApiKey> {
    let text = match source {
        KeySource::Environment | KeySource::Fake => environment_value.unwrap_or_default(),
        KeySource::File(path) => {
            // A small local file: read it directly rather than pull in tokio's fs.
            let bytes = std::fs::read(path)
                .with_context(|| format!("reading the API key from {} (ORCHESTRA_API_KEY_FILE)", path.display()))?;
            if bytes.len() > MAX_KEY_BYTES {
                bail!("{} is {} bytes, too large to be an API key", path.display(), bytes.len());
            }
            String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))?
        }
        KeySource::Command(command) => run(command).await?,
    };
    let key = text.trim();
    if key.is_empty() {
        bail!("{source} gave an empty API key");
    }
    if key.lines().count() > 1 {
        bail!(
            "{source} gave {} lines where one API key was expected; make it print the key alone \
             (a password manager's field, not the whole item)",
            key.lines().count()
        );
    }
    if key.chars().any(char::is_whitespace) {
        bail!("{source} gave a value with spaces in it, which no Orchestra API key has; check what it prints");
    }
    if key.chars().count() < MIN_KEY_CHARS && *source != KeySource::Fake {
        bail!(
            "{source} gave a value only {} characters long, too short to be an Orchestra API key (Orchestra: \
             Settings → API Key shows the whole key)",
            key.chars().count()
        );
    }
    ApiKey::new(key).with_context(|| format!("{source} gave an empty API key"))
}

/// The platform's shell and its flag for running one command line.
const SHELL: (&str, &str) = if cfg!(windows) { ("cmd", "/C") } else { ("sh", "-c") };

/// Runs the key command through the platform's shell (`sh -c`, or `cmd /C` on Windows);
/// its stderr passes through (a prompt or an error of the password manager), its stdout is
/// the key and is never logged.
async fn run(command: &str) -> anyhow::Result<String> {
    let child = tokio::process::Command::new(SHELL.0)
        .arg(SHELL.1)
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting the API key command `{command}`"))?;
    let output = tokio::time::timeout(COMMAND_TIMEOUT, child.wait_with_output())
        .await
        .with_context(|| format!("the API key command `{command}` did not finish within {COMMAND_TIMEOUT:?}"))?
        .with_context(|| format!("running the API key command `{command}`"))?;
    if !output.status.success() {
        bail!("the API key command `{command}` failed ({}); its own message is above", output.status);
    }
    if output.stdout.len() > MAX_KEY_BYTES {
        bail!("the API key command `{command}` printed {} bytes, too much to be an API key", output.stdout.len());
    }
    String::from_utf8(output.stdout).with_context(|| format!("the API key command `{command}` printed non-UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(key: &ApiKey) -> String {
        key.bearer().trim_start_matches("Bearer ").to_string()
    }

    #[tokio::test]
    async fn each_source_yields_the_trimmed_key_or_a_clear_error() {
        let env = read(&KeySource::Environment, Some(" key-from-env \n".into())).await.unwrap();
        assert_eq!(value(&env), "key-from-env");
        assert!(read(&KeySource::Environment, None).await.is_err());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "key-from-file\n").unwrap();
        assert_eq!(value(&read(&KeySource::File(path.clone()), None).await.unwrap()), "key-from-file");
        let missing = read(&KeySource::File(dir.path().join("nope")), None).await.unwrap_err();
        assert!(format!("{missing:#}").contains("ORCHESTRA_API_KEY_FILE"), "{missing:#}");
        std::fs::write(&path, "  \n").unwrap();
        assert!(format!("{:#}", read(&KeySource::File(path), None).await.unwrap_err()).contains("empty"));

        let command = KeySource::Command("printf 'key-from-command\\n'".into());
        assert_eq!(value(&read(&command, None).await.unwrap()), "key-from-command");
        let failing = read(&KeySource::Command("echo $((6*7))-secret; exit 3".into()), None).await.unwrap_err();
        let message = format!("{failing:#}");
        assert!(
            message.contains("exit status: 3") && !message.contains("42-secret"),
            "stdout is never shown: {message}"
        );
    }

    #[tokio::test]
    async fn a_value_that_cannot_be_one_key_is_refused_without_showing_it() {
        let two_lines = read(&KeySource::Command("echo $((6*7))-first; echo $((6*7))-second".into()), None).await;
        let message = format!("{:#}", two_lines.unwrap_err());
        assert!(message.contains("2 lines") && !message.contains("42-"), "what it printed is never shown: {message}");
        let short = format!("{:#}", read(&KeySource::Environment, Some("k".into())).await.unwrap_err());
        assert!(short.contains("1 characters long, too short"), "{short}");
        let spaced = format!("{:#}", read(&KeySource::Environment, Some("two words here".into())).await.unwrap_err());
        assert!(spaced.contains("spaces") && !spaced.contains("words"), "{spaced}");
    }
}
