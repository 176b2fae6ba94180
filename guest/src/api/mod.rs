//! The Orchestra API: an HTTP client over `wasi:http` and the serde models of the
//! responses, written by hand from `openapi_engine_public.json`; `failure.rs` words every
//! way a request can fail.

mod client;
mod credentials;
mod failure;
pub mod models;
mod retry;

pub use client::{Client, Download, is_wrong_base_url, parse_content_range, parse_retry_after};
pub use failure::may_have_taken_effect;
