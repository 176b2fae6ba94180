//! Which of the component's tools this server exposes, in the dbt-mcp pattern: toolsets
//! and single tools can be enabled or disabled by name, and any enable switches the server
//! to allowlist mode, so a new tool never appears silently in a locked-down agent.
//!
//! Precedence, first match wins: the tool enabled → on; the tool disabled → off; its
//! toolset enabled → on; its toolset disabled → off; otherwise on, unless in allowlist mode
//! or the tool is opt-in (deletes, asset writes, integration state). Allowlist mode is on
//! when an enable names anything but opt-in tools (or a toolset of nothing else): enabling
//! only opt-in tools adds them to the defaults, and a name that matches nothing still
//! locks the list down rather than opening it. Read-only mode then removes every tool that
//! is not read-only, whatever enabled it. Names that match nothing are warned about.
//! The host knows toolsets and annotations only as the component declares them.

use std::collections::BTreeSet;

/// The operator's choices, as given (names not yet checked against the catalogue).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    pub enable_tools: BTreeSet<String>,
    pub disable_tools: BTreeSet<String>,
    pub enable_toolsets: BTreeSet<String>,
    pub disable_toolsets: BTreeSet<String>,
    /// Expose only tools annotated read-only.
    pub read_only: bool,
}

/// What the exposure rules need to know about a tool.
pub struct ToolFacts<'a> {
    pub name: &'a str,
    pub toolset: &'a str,
    pub read_only: bool,
    pub opt_in: bool,
}

/// Environment variables that switch one toolset: `ORCHESTRA_MCP_ENABLE_<TOOLSET>` and
/// `ORCHESTRA_MCP_DISABLE_<TOOLSET>` (upper case), set to a true value.
const ENABLE_PREFIX: &str = "ORCHESTRA_MCP_ENABLE_";
const DISABLE_PREFIX: &str = "ORCHESTRA_MCP_DISABLE_";
/// Variables with those prefixes that are not toolset switches.
const NOT_TOOLSET_SWITCHES: [&str; 4] = [
    "ORCHESTRA_MCP_ENABLE_TOOLS",
    "ORCHESTRA_MCP_DISABLE_TOOLS",
    "ORCHESTRA_MCP_ENABLE_TOOLSETS",
    "ORCHESTRA_MCP_DISABLE_TOOLSETS",
];

impl Exposure {
    /// Adds the per-toolset switches found in `vars` (toolset names are lower-cased).
    pub fn add_toolset_switches(&mut self, vars: impl IntoIterator<Item = (String, String)>) {
        for (name, value) in vars {
            if NOT_TOOLSET_SWITCHES.contains(&name.as_str()) || !is_true(&value) {
                continue;
            }
            if let Some(toolset) = name.strip_prefix(ENABLE_PREFIX) {
                self.enable_toolsets.insert(toolset.to_ascii_lowercase());
            } else if let Some(toolset) = name.strip_prefix(DISABLE_PREFIX) {
                self.disable_toolsets.insert(toolset.to_ascii_lowercase());
            }
        }
    }

    /// Whether the enables form an allowlist: they name something other than opt-in tools.
    fn allowlist_mode(&self, tools: &[ToolFacts]) -> bool {
        let opt_in_tool = |name: &str| tools.iter().any(|t| t.name == name && t.opt_in);
        let opt_in_toolset = |set: &str| {
            tools.iter().any(|t| t.toolset == set) && tools.iter().filter(|t| t.toolset == set).all(|t| t.opt_in)
        };
        self.enable_tools.iter().any(|n| !opt_in_tool(n)) || self.enable_toolsets.iter().any(|s| !opt_in_toolset(s))
    }

    /// Which of `tools` are exposed, in order.
    pub fn exposed(&self, tools: &[ToolFacts]) -> Vec<bool> {
        let allowlist = self.allowlist_mode(tools);
        tools.iter().map(|t| self.exposes(t, allowlist)).collect()
    }

    fn exposes(&self, tool: &ToolFacts, allowlist: bool) -> bool {
        if self.read_only && !tool.read_only {
            return false;
        }
        if self.enable_tools.contains(tool.name) {
            return true;
        }
        if self.disable_tools.contains(tool.name) {
            return false;
        }
        if self.enable_toolsets.contains(tool.toolset) {
            return true;
        }
        if self.disable_toolsets.contains(tool.toolset) {
            return false;
        }
        !allowlist && !tool.opt_in
    }

    /// The names that match no tool or toolset of the catalogue, as warnings.
    pub fn unknown_names<'a>(&self, tools: impl Iterator<Item = &'a ToolFacts<'a>> + Clone) -> Vec<String> {
        let known_tools: BTreeSet<&str> = tools.clone().map(|t| t.name).collect();
        let known_toolsets: BTreeSet<&str> = tools.map(|t| t.toolset).collect();
        let mut warnings = Vec::new();
        for (names, known, kind) in [
            (&self.enable_tools, &known_tools, "tool"),
            (&self.disable_tools, &known_tools, "tool"),
            (&self.enable_toolsets, &known_toolsets, "toolset"),
            (&self.disable_toolsets, &known_toolsets, "toolset"),
        ] {
            for name in names.iter().filter(|n| !known.contains(n.as_str())) {
                let choices = known.iter().copied().collect::<Vec<_>>().join(", ");
                warnings.push(format!("no {kind} is named {name:?}, so the switch is ignored; {kind}s: {choices}"));
            }
        }
        warnings
    }
}

/// The truthy spellings clap's boolish parser also accepts.
fn is_true(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "y" | "on")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool<'a>(name: &'a str, toolset: &'a str, read_only: bool, opt_in: bool) -> ToolFacts<'a> {
        ToolFacts { name, toolset, read_only, opt_in }
    }

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    const CATALOGUE: [(&str, &str, bool, bool); 7] = [
        ("whats_broken", "triage", true, false),
        ("list_pipeline_runs", "pipeline_runs", true, false),
        ("cancel_pipeline_run", "pipeline_runs", false, false),
        ("start_pipeline", "pipelines", false, false),
        ("delete_pipeline", "pipelines", false, true),
        ("get_integration_state", "state", true, true),
        ("update_integration_state", "state", false, true),
    ];

    fn exposed(exposure: &Exposure) -> Vec<&'static str> {
        let facts: Vec<ToolFacts> = CATALOGUE.iter().map(|t| tool(t.0, t.1, t.2, t.3)).collect();
        CATALOGUE.iter().zip(exposure.exposed(&facts)).filter(|(_, on)| *on).map(|(t, _)| t.0).collect()
    }

    #[test]
    fn by_default_everything_but_opt_in_tools() {
        assert_eq!(
            exposed(&Exposure::default()),
            ["whats_broken", "list_pipeline_runs", "cancel_pipeline_run", "start_pipeline"]
        );
    }

    #[test]
    fn enabling_only_opt_in_tools_adds_them_to_the_defaults() {
        let by_name = Exposure { enable_tools: names(&["delete_pipeline"]), ..Default::default() };
        assert_eq!(
            exposed(&by_name),
            ["whats_broken", "list_pipeline_runs", "cancel_pipeline_run", "start_pipeline", "delete_pipeline"]
        );
        let opt_in_toolset = Exposure { enable_toolsets: names(&["state"]), ..Default::default() };
        assert_eq!(exposed(&opt_in_toolset).len(), 6, "a toolset of opt-in tools only is added too");
    }

    #[test]
    fn enabling_anything_else_is_an_allowlist() {
        let by_name = Exposure { enable_tools: names(&["delete_pipeline", "whats_broken"]), ..Default::default() };
        assert_eq!(exposed(&by_name), ["whats_broken", "delete_pipeline"]);
        let by_toolset = Exposure { enable_toolsets: names(&["pipelines"]), ..Default::default() };
        assert_eq!(exposed(&by_toolset), ["start_pipeline", "delete_pipeline"]);
        // A misspelt enable locks the list down instead of exposing every default.
        let typo = Exposure { enable_tools: names(&["whats_brokn"]), ..Default::default() };
        assert!(exposed(&typo).is_empty());
    }

    #[test]
    fn precedence_tool_over_toolset_enable_over_disable() {
        let e = Exposure {
            enable_tools: names(&["cancel_pipeline_run"]),
            disable_tools: names(&["list_pipeline_runs"]),
            enable_toolsets: names(&["pipeline_runs", "triage"]),
            disable_toolsets: names(&["triage"]),
            ..Default::default()
        };
        // Tool enable wins; tool disable beats its toolset's enable; toolset enable beats disable.
        assert_eq!(exposed(&e), ["whats_broken", "cancel_pipeline_run"]);
        let off = Exposure { disable_toolsets: names(&["pipeline_runs"]), ..Default::default() };
        assert_eq!(exposed(&off), ["whats_broken", "start_pipeline"]);
    }

    #[test]
    fn read_only_mode_exposes_no_write_tool_even_when_enabled() {
        let e = Exposure {
            read_only: true,
            enable_tools: names(&["start_pipeline", "delete_pipeline", "whats_broken"]),
            ..Default::default()
        };
        assert_eq!(exposed(&e), ["whats_broken"]);
        assert_eq!(
            exposed(&Exposure { read_only: true, ..Default::default() }),
            ["whats_broken", "list_pipeline_runs"]
        );
    }

    #[test]
    fn toolset_switches_come_from_the_environment_and_unknown_names_are_reported() {
        let mut e = Exposure::default();
        e.add_toolset_switches([
            ("ORCHESTRA_MCP_DISABLE_TRIAGE".to_string(), "true".to_string()),
            ("ORCHESTRA_MCP_ENABLE_PIPELINES".to_string(), "0".to_string()),
            ("ORCHESTRA_MCP_DISABLE_TOOLS".to_string(), "1".to_string()),
            ("ORCHESTRA_MCP_DISABLE_ASSETZ".to_string(), "yes".to_string()),
        ]);
        assert_eq!(e.disable_toolsets, names(&["triage", "assetz"]));
        assert!(e.enable_toolsets.is_empty(), "a false value switches nothing");
        let facts: Vec<ToolFacts> = CATALOGUE.iter().map(|t| tool(t.0, t.1, t.2, t.3)).collect();
        let warnings = e.unknown_names(facts.iter());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("\"assetz\"") && warnings[0].contains("triage"), "{warnings:?}");
    }
}
