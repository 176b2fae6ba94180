//! Runs the fake Orchestra API on loopback, for trying orchestra-mcp or any client by hand.

use std::net::SocketAddr;

use orchestra_fake::{FakeOptions, FakeOrchestra};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port: u16 = std::env::args().nth(1).map(|p| p.parse()).transpose()?.unwrap_or(0);
    let fake = FakeOrchestra::start_on(FakeOptions::default(), SocketAddr::from(([127, 0, 0, 1], port))).await?;
    eprintln!("fake Orchestra API at {}", fake.base_url());
    eprintln!(
        "use: ORCHESTRA_BASE_URL={} ORCHESTRA_API_KEY={} ORCHESTRA_ALLOW_INSECURE_LOOPBACK=1",
        fake.base_url(),
        fake.api_key()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
