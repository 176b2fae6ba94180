//! How the host's transports read what a client sends: `jsonrpc` decides what is a
//! message and answers everything else; `stdio` is the guarded stdio transport. Kept apart
//! from the sandbox so the fuzz targets (`tests/fuzz`) build this code without wasmtime.

pub mod jsonrpc;
pub mod stdio;
