//! One request's own narrowing of the exposed tools, from HTTP headers (the convention of
//! GitHub's remote MCP server): `X-MCP-Toolsets` and `X-MCP-Tools` (comma lists; a tool
//! is kept when its toolset or its own name is listed) and `X-MCP-Readonly` (only
//! read-only tools). A request can only narrow what the server exposes, never widen it:
//! a name the server does not expose is refused, naming it and what is exposed, so a
//! typo never silently changes the surface. An empty or absent header narrows nothing.

use std::collections::BTreeSet;

use crate::catalogue::Catalogue;
use crate::exposure::{is_false, names};

pub const TOOLSETS_HEADER: &str = "x-mcp-toolsets";
pub const TOOLS_HEADER: &str = "x-mcp-tools";
pub const READ_ONLY_HEADER: &str = "x-mcp-readonly";

/// What one request's headers keep of the exposed tools.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    toolsets: BTreeSet<String>,
    tools: BTreeSet<String>,
    read_only: bool,
}

impl Narrowing {
    /// Reads the three headers through `header` (by lower-case name) and checks each name
    /// against the exposed tools. `Ok(None)` when no header narrows anything.
    pub fn from_headers<'h>(
        header: impl Fn(&str) -> Option<&'h str>,
        catalogue: &Catalogue,
    ) -> Result<Option<Self>, String> {
        // As GitHub's server reads it: empty and the usual false spellings are false,
        // anything else true (a stray value narrows, it never widens).
        let read_only = header(READ_ONLY_HEADER).is_some_and(|v| !is_false(v));
        let narrowing = Self {
            toolsets: names(header(TOOLSETS_HEADER), true),
            tools: names(header(TOOLS_HEADER), false),
            read_only,
        };
        if narrowing == Self::default() {
            return Ok(None);
        }
        let exposed_toolsets: BTreeSet<&str> =
            catalogue.tools().iter().filter_map(|t| catalogue.toolset(&t.name)).collect();
        let exposed_tools: BTreeSet<&str> = catalogue.tools().iter().map(|t| t.name.as_ref()).collect();
        let mut problems = Vec::new();
        for (names, known, kind, header) in [
            (&narrowing.toolsets, &exposed_toolsets, "toolset", "X-MCP-Toolsets"),
            (&narrowing.tools, &exposed_tools, "tool", "X-MCP-Tools"),
        ] {
            for name in names.iter().filter(|n| !known.contains(n.as_str())) {
                let near = match crate::suggest::nearest(name, known.iter().copied()) {
                    Some(near) => format!("did you mean {near:?}? "),
                    None => String::new(),
                };
                problems.push(format!(
                    "{header} names {name:?}, which is not a {kind} this server exposes ({near}it exposes: {}); \
                     a request can narrow the server's tools, never add to them",
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if problems.is_empty() && !catalogue.tools().iter().any(|t| narrowing.keeps(catalogue, &t.name)) {
            problems.push(
                "X-MCP-Readonly leaves none of the tools that X-MCP-Toolsets and X-MCP-Tools name: this request \
                 would see no tool at all"
                    .to_string(),
            );
        }
        if problems.is_empty() { Ok(Some(narrowing)) } else { Err(problems.join("; ")) }
    }

    /// Whether this request keeps the exposed tool `name`.
    pub fn keeps(&self, catalogue: &Catalogue, name: &str) -> bool {
        let listed = (self.toolsets.is_empty() && self.tools.is_empty())
            || self.tools.contains(name)
            || catalogue.toolset(name).is_some_and(|t| self.toolsets.contains(t));
        listed && (!self.read_only || catalogue.is_read_only(name))
    }

    /// Why this request may not call the exposed tool `name`, or `None` when it may.
    pub fn refusal(&self, catalogue: &Catalogue, name: &str) -> Option<String> {
        if self.keeps(catalogue, name) {
            return None;
        }
        let why = if self.read_only && !catalogue.is_read_only(name) {
            "X-MCP-Readonly asks for read-only tools and it is not one".to_string()
        } else {
            "X-MCP-Toolsets and X-MCP-Tools do not name it or its toolset".to_string()
        };
        Some(format!(
            "the tool {name:?} is hidden for this client by its request headers ({why}); the client's configuration \
             decides these headers: change them there to use it"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::{Annotations, ToolDescriptor};
    use crate::exposure::Exposure;

    fn catalogue() -> Catalogue {
        let tool = |name: &str, toolset: &str, read_only: bool| ToolDescriptor {
            name: name.into(),
            title: name.into(),
            description: "d".into(),
            toolset: toolset.into(),
            input_schema: r#"{"type":"object"}"#.into(),
            output_schema: r#"{"type":"object"}"#.into(),
            annotations: Annotations { read_only, destructive: false, idempotent: read_only, open_world: true },
            opt_in: false,
        };
        Catalogue::lazy(
            vec![
                tool("list_runs", "runs", true),
                tool("start", "pipelines", false),
                tool("list_pipelines", "pipelines", true),
            ],
            &Exposure::default(),
        )
        .unwrap()
    }

    fn narrowing(headers: &[(&str, &str)]) -> Result<Option<Narrowing>, String> {
        Narrowing::from_headers(|n| headers.iter().find(|(h, _)| *h == n).map(|(_, v)| *v), &catalogue())
    }

    fn kept(headers: &[(&str, &str)]) -> Vec<String> {
        let c = catalogue();
        let n = narrowing(headers).unwrap().unwrap_or_default();
        c.tools().iter().filter(|t| n.keeps(&c, &t.name)).map(|t| t.name.to_string()).collect()
    }

    #[test]
    fn toolsets_and_tools_add_up_and_read_only_cuts() {
        assert_eq!(narrowing(&[]).unwrap(), None);
        assert_eq!(narrowing(&[(TOOLSETS_HEADER, " , "), (READ_ONLY_HEADER, "off")]).unwrap(), None);
        assert_eq!(kept(&[(TOOLSETS_HEADER, "Pipelines")]), ["start", "list_pipelines"]);
        assert_eq!(
            kept(&[(TOOLSETS_HEADER, "pipelines"), (TOOLS_HEADER, "list_runs")]),
            ["list_runs", "start", "list_pipelines"]
        );
        assert_eq!(kept(&[(TOOLSETS_HEADER, "pipelines"), (READ_ONLY_HEADER, "1")]), ["list_pipelines"]);
        assert_eq!(kept(&[(READ_ONLY_HEADER, "yes please")]), ["list_runs", "list_pipelines"]);
    }

    #[test]
    fn a_name_the_server_does_not_expose_is_refused_by_name() {
        let error = narrowing(&[(TOOLS_HEADER, "strat")]).unwrap_err();
        assert!(
            error.contains("\"strat\"") && error.contains("did you mean \"start\"") && error.contains("never add"),
            "{error}"
        );
        let error = narrowing(&[(TOOLS_HEADER, "start"), (READ_ONLY_HEADER, "true")]).unwrap_err();
        assert!(error.contains("no tool at all"), "{error}");
    }

    #[test]
    fn a_hidden_tool_is_refused_saying_which_header_hid_it() {
        let c = catalogue();
        let n = narrowing(&[(READ_ONLY_HEADER, "true")]).unwrap().unwrap();
        assert!(n.refusal(&c, "start").unwrap().contains("X-MCP-Readonly"));
        assert_eq!(n.refusal(&c, "list_runs"), None);
    }
}
