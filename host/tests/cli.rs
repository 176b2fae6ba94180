//! The binary's command line: help, refusing a bad configuration, and a clean exit at EOF.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_orchestra-mcp");

#[test]
fn help_lists_the_commands() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "call", "tools", "doctor", "demo"] {
        assert!(help.contains(command), "{command} missing: {help}");
    }
}

#[test]
fn a_bad_base_url_stops_start_up_with_a_message_naming_the_variable() {
    for (url, expected) in [
        ("http://orchestra.example.com/api", "only reached over https"),
        ("http://127.0.0.1:9/api", "--allow-insecure-loopback"),
        ("not a url", "ORCHESTRA_BASE_URL"),
    ] {
        let out = Command::new(BIN)
            .args(["serve", "--no-cache"])
            .env_clear()
            .env("ORCHESTRA_BASE_URL", url)
            .env("ORCHESTRA_API_KEY", "test-key-1234")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url} should be refused");
        assert!(out.stdout.is_empty(), "stdout is reserved for MCP");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{url}: {stderr}");
    }
}

#[test]
fn end_of_input_ends_the_server_cleanly() {
    let mut child = Command::new(BIN)
        .args(["serve", "--no-cache"])
        .env_clear()
        .env("ORCHESTRA_API_KEY", "test-key-1234")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"").unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not exit at end of input");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_demo_drives_the_server_against_the_embedded_fake_without_a_key() {
    let out = Command::new(BIN)
        .arg("demo")
        .env_remove("ORCHESTRA_API_KEY")
        .env_remove("ORCHESTRA_BASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for expected in
        ["MCP server ready", "invalid identifier 'DISCOUNT_PCT'", "started run", "isError=true", "carried the API key"]
    {
        assert!(stdout.contains(expected), "the demo output lacks {expected:?}:\n{stdout}");
    }
}
