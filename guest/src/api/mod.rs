//! The Orchestra API: an HTTP client over `wasi:http` and the serde models of the
//! responses, written by hand from `openapi_engine_public.json`.

mod client;
pub mod models;
mod retry;

pub use client::{Client, Download, parse_content_range, parse_retry_after};
