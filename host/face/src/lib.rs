//! The MCP face of Orchestra's tools, shared by the two servers that publish them: the
//! native host (`orchestra-mcp`) and the server component (`host/component`). It builds
//! natively and for `wasm32-wasip2`, and holds what must read the same in both: which
//! tools are exposed (`exposure`) and what one request's headers keep of them
//! (`narrowing`), how a descriptor becomes an MCP tool and how arguments
//! are validated against its input schema (`catalogue`), nearest-name suggestions
//! (`suggest`) and the wording of results and failures (`wording`). It knows the
//! contract's types (`descriptor`), not either side's bindings, and nothing of Orchestra.

pub mod catalogue;
pub mod descriptor;
pub mod documents;
pub mod exposure;
pub mod narrowing;
pub mod suggest;
pub mod wording;
