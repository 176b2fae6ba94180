//! nginx (Debian's package) in front of several `serve --http` replicas on loopback, run
//! with the project's own front configuration (`packaging/nginx/orchestra-mcp.conf`): its
//! replica lines become the given addresses, and its TLS listener a plain one on a free
//! loopback port. Each request it passes is logged with the replica that answered it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;

/// The front configuration users deploy, as the repository ships it.
pub fn shipped_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/nginx/orchestra-mcp.conf")
}

/// A running nginx and its files.
pub struct Nginx {
    child: tokio::process::Child,
    dir: tempfile::TempDir,
    /// The MCP endpoint through nginx, `http://127.0.0.1:PORT/mcp`.
    pub url: String,
}

/// One request as nginx's access log recorded it.
#[derive(Debug, Clone)]
pub struct Passed {
    /// The client's address.
    pub client: String,
    /// The replica addresses nginx tried, in order (`host:port`).
    pub replicas: Vec<String>,
    pub status: u16,
    /// The `Mcp-Method` and `Mcp-Name` headers (`-` when absent).
    pub method: String,
    pub name: String,
}

const LOG_FORMAT: &str = "'$remote_addr|$upstream_addr|$status|$http_mcp_method|$http_mcp_name'";

fn nginx_binary() -> anyhow::Result<PathBuf> {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .context("nginx is not installed: `apt-get install nginx` (.ci/run installs it)")
}

/// The shipped configuration with `replicas` (`host:port` each) in its upstream and a
/// plain listener at `listen`.
fn configured(shipped: &str, replicas: &[String], listen: &str) -> anyhow::Result<String> {
    let (head, rest) = shipped.split_once("    # replicas:").context("the replicas marker")?;
    let (_, tail) = rest.split_once("    # end of replicas\n").context("the end-of-replicas marker")?;
    let servers: String = replicas.iter().map(|r| format!("    server {r} max_fails=1 fail_timeout=5s;\n")).collect();
    let tail = tail
        .lines()
        .filter(|l| !l.trim_start().starts_with("ssl_"))
        .map(|l| if l.trim_start().starts_with("listen ") { format!("    listen {listen};") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    Ok(format!("{head}{servers}{tail}\n"))
}

impl Nginx {
    /// Starts nginx in front of the replicas at `replica_urls` (their `/mcp` URLs).
    pub async fn start(replica_urls: &[&str]) -> anyhow::Result<Self> {
        let replicas = replica_urls
            .iter()
            .map(|u| {
                let authority = u.trim_start_matches("http://").split('/').next().unwrap_or_default();
                authority.to_string()
            })
            .collect::<Vec<_>>();
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let listen = format!("127.0.0.1:{port}");
        let dir = tempfile::tempdir()?;
        let d = dir.path().display();
        let front = configured(&std::fs::read_to_string(shipped_config())?, &replicas, &listen)?;
        std::fs::write(dir.path().join("orchestra-mcp.conf"), front)?;
        let main = format!(
            "worker_processes 2;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n\
             client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
             log_format replicas {LOG_FORMAT};\n\
             access_log {d}/access.log replicas;\n\
             include {d}/orchestra-mcp.conf;\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), main)?;
        // Workers run as `nobody` when nginx starts as root: they must reach the files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        }
        let child = tokio::process::Command::new(nginx_binary()?)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let nginx = Self { child, dir, url: format!("http://{listen}/mcp") };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(&listen).await.is_ok() {
                return Ok(nginx);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("nginx did not listen on {listen}: {}", nginx.error_log())
    }

    /// What nginx logged as errors (refused replicas, resets).
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// Every request nginx has passed on so far. nginx logs a request after its client may
    /// already have the answer, so this waits until the log has been still for 200 ms.
    pub async fn passed(&self) -> Vec<Passed> {
        let read = || std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
        let mut log = read();
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let now = read();
            if now == log {
                break;
            }
            log = now;
        }
        log.lines()
            .filter_map(|line| {
                let mut fields = line.split('|');
                let client = fields.next()?.to_string();
                let replicas = fields.next()?.split([',', ':']).map(str::trim).collect::<Vec<_>>();
                // `$upstream_addr` is `a:1, b:2` after a retry: rejoin host and port.
                let replicas = replicas.chunks(2).map(|hp| hp.join(":")).collect();
                Some(Passed {
                    client,
                    replicas,
                    status: fields.next()?.parse().ok()?,
                    method: fields.next()?.to_string(),
                    name: fields.next()?.to_string(),
                })
            })
            .collect()
    }
}

impl Drop for Nginx {
    /// Stops the master with SIGTERM, which stops its workers too (after SIGKILL they would
    /// keep serving the port).
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
            for _ in 0..40 {
                if self.child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}
