//! Which of the component's tools this server exposes, in the dbt-mcp pattern: toolsets
//! and single tools can be enabled or disabled by name, and any enable switches the server
//! to allowlist mode, so a new tool never appears silently in a locked-down agent.
//!
//! Precedence, first match wins: the tool enabled → on; the tool disabled → off; its
//! toolset enabled → on, unless the tool is opt-in; its toolset disabled → off; otherwise
//! on, unless in allowlist mode or the tool is opt-in (deletes, asset and environment
//! writes, pipeline import and migration, integration state). An opt-in tool is exposed
//! only when named: enabling its toolset never widens what can be destroyed or
//! reconfigured. Allowlist mode is on when an enable names a toolset or a tool
//! that is not opt-in: enabling only opt-in tools adds them to the defaults. Read-only mode
//! then removes every tool that is not read-only, whatever enabled it. A name that matches
//! no tool or toolset is refused (with the nearest real name), and so is a configuration
//! that exposes nothing, so a typo can never silently change the surface. The host knows
//! toolsets and annotations only as the component declares them.

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

/// The environment variables of the switches. The native host reads them through its
/// flags' `env`; the server component reads them with [`Exposure::from_vars`].
pub const ENABLE_TOOLS: &str = "ORCHESTRA_MCP_ENABLE_TOOLS";
pub const DISABLE_TOOLS: &str = "ORCHESTRA_MCP_DISABLE_TOOLS";
pub const ENABLE_TOOLSETS: &str = "ORCHESTRA_MCP_ENABLE_TOOLSETS";
pub const DISABLE_TOOLSETS: &str = "ORCHESTRA_MCP_DISABLE_TOOLSETS";
pub const READ_ONLY: &str = "ORCHESTRA_MCP_READ_ONLY";
/// Environment variables that switch one toolset: `ORCHESTRA_MCP_ENABLE_<TOOLSET>` and
/// `ORCHESTRA_MCP_DISABLE_<TOOLSET>` (upper case), set to a true value.
const ENABLE_PREFIX: &str = "ORCHESTRA_MCP_ENABLE_";
const DISABLE_PREFIX: &str = "ORCHESTRA_MCP_DISABLE_";
/// Variables with those prefixes that are not toolset switches.
const NOT_TOOLSET_SWITCHES: [&str; 4] = [ENABLE_TOOLS, DISABLE_TOOLS, ENABLE_TOOLSETS, DISABLE_TOOLSETS];

impl Exposure {
    /// The switches as environment variables alone set them (comma lists, toolset names
    /// lower-cased, `ORCHESTRA_MCP_READ_ONLY` a boolean), for a server with no flags.
    pub fn from_vars(vars: Vec<(String, String)>) -> Result<Self, String> {
        let var = |name: &str| vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let list = |name: &str, lower: bool| names(var(name), lower);
        let read_only = match var(READ_ONLY).map(|v| v.trim().to_ascii_lowercase()) {
            None => false,
            Some(v) if is_true(&v) => true,
            Some(v) if is_false(&v) => false,
            Some(v) => return Err(format!("{READ_ONLY}={v:?} is not a boolean; set it to true or false")),
        };
        let mut exposure = Self {
            enable_tools: list(ENABLE_TOOLS, false),
            disable_tools: list(DISABLE_TOOLS, false),
            enable_toolsets: list(ENABLE_TOOLSETS, true),
            disable_toolsets: list(DISABLE_TOOLSETS, true),
            read_only,
        };
        exposure.add_toolset_switches(vars);
        Ok(exposure)
    }

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

    /// Whether the enables form an allowlist: they name a toolset, or a tool that is not opt-in.
    fn allowlist_mode(&self, tools: &[ToolFacts]) -> bool {
        let opt_in_tool = |name: &str| tools.iter().any(|t| t.name == name && t.opt_in);
        self.enable_tools.iter().any(|n| !opt_in_tool(n)) || !self.enable_toolsets.is_empty()
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
            return !tool.opt_in;
        }
        if self.disable_toolsets.contains(tool.toolset) {
            return false;
        }
        !allowlist && !tool.opt_in
    }

    /// Checks the choices against the catalogue: every name must match a tool or toolset
    /// (a problem names the nearest real one), and at least one tool must be exposed. Each
    /// problem is a sentence for the operator.
    pub fn check(&self, tools: &[ToolFacts]) -> Result<(), Vec<String>> {
        let known_tools: BTreeSet<&str> = tools.iter().map(|t| t.name).collect();
        let known_toolsets: BTreeSet<&str> = tools.iter().map(|t| t.toolset).collect();
        let mut problems = Vec::new();
        for (names, known, kind, switch) in [
            (&self.enable_tools, &known_tools, "tool", "enable"),
            (&self.disable_tools, &known_tools, "tool", "disable"),
            (&self.enable_toolsets, &known_toolsets, "toolset", "enable"),
            (&self.disable_toolsets, &known_toolsets, "toolset", "disable"),
        ] {
            for name in names.iter().filter(|n| !known.contains(n.as_str())) {
                let upper = switch.to_ascii_uppercase();
                // A toolset switch is also a variable of its own: name every spelling.
                let switch = match kind {
                    "tool" => format!("--{switch}-tools / ORCHESTRA_MCP_{upper}_TOOLS"),
                    _ => format!(
                        "--{switch}-toolsets / ORCHESTRA_MCP_{upper}_TOOLSETS or ORCHESTRA_MCP_{upper}_{}",
                        name.to_ascii_uppercase()
                    ),
                };
                let suggestion = match crate::suggest::nearest(name, known.iter().copied()) {
                    Some(near) => format!("did you mean {near:?}?"),
                    None => format!("the {kind}s are {}", known.iter().copied().collect::<Vec<_>>().join(", ")),
                };
                problems.push(format!("no {kind} is called {name:?} ({switch}); {suggestion}"));
            }
        }
        if problems.is_empty() && !self.exposed(tools).contains(&true) {
            let opt_in: Vec<&str> =
                tools.iter().filter(|t| t.opt_in && self.enable_toolsets.contains(t.toolset)).map(|t| t.name).collect();
            let mut problem = "this configuration exposes no tool at all".to_string();
            if !opt_in.is_empty() {
                problem.push_str(&format!(
                    "; opt-in tools are exposed only by name, never by their toolset: \
                     ORCHESTRA_MCP_ENABLE_TOOLS={}",
                    opt_in.join(",")
                ));
            } else if self.read_only {
                problem.push_str("; read-only mode removed every tool that was enabled");
            }
            problems.push(problem);
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// The names in a comma list (trimmed, empty ones dropped), lower-cased if `lower`.
pub(crate) fn names(list: Option<&str>, lower: bool) -> BTreeSet<String> {
    list.unwrap_or_default()
        .split(',')
        .map(|n| if lower { n.trim().to_ascii_lowercase() } else { n.trim().to_string() })
        .filter(|n| !n.is_empty())
        .collect()
}

/// The spellings of true and false a switch takes, as clap's `BoolishValueParser` reads the
/// native host's flags and variables.
fn is_true(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "t" | "yes" | "y" | "on")
}

pub(crate) fn is_false(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "" | "0" | "false" | "f" | "no" | "n" | "off")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool<'a>(name: &'a str, toolset: &'a str, read_only: bool, opt_in: bool) -> ToolFacts<'a> {
        ToolFacts { name, toolset, read_only, opt_in }
    }

    #[test]
    fn environment_variables_alone_set_every_switch() {
        let vars = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let exposure = Exposure::from_vars(vars(&[
            ("ORCHESTRA_MCP_ENABLE_TOOLS", " start_pipeline, ,whats_broken"),
            ("ORCHESTRA_MCP_DISABLE_TOOLSETS", "Pipeline_Runs"),
            ("ORCHESTRA_MCP_ENABLE_TRIAGE", "yes"),
            ("ORCHESTRA_MCP_READ_ONLY", "TRUE"),
        ]))
        .unwrap();
        assert_eq!(exposure.enable_tools, names(&["start_pipeline", "whats_broken"]));
        assert_eq!(exposure.disable_toolsets, names(&["pipeline_runs"]));
        assert_eq!(exposure.enable_toolsets, names(&["triage"]));
        assert!(exposure.read_only);
        let error = Exposure::from_vars(vars(&[("ORCHESTRA_MCP_READ_ONLY", "maybe")])).unwrap_err();
        assert!(error.contains("ORCHESTRA_MCP_READ_ONLY") && error.contains("true or false"), "{error}");
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
    }

    #[test]
    fn enabling_anything_else_is_an_allowlist() {
        let by_name = Exposure { enable_tools: names(&["delete_pipeline", "whats_broken"]), ..Default::default() };
        assert_eq!(exposed(&by_name), ["whats_broken", "delete_pipeline"]);
        let by_toolset = Exposure { enable_toolsets: names(&["pipelines"]), ..Default::default() };
        assert_eq!(exposed(&by_toolset), ["start_pipeline"], "a toolset never brings its opt-in tools");
        let named_too = Exposure {
            enable_toolsets: names(&["pipelines"]),
            enable_tools: names(&["delete_pipeline"]),
            ..Default::default()
        };
        assert_eq!(exposed(&named_too), ["start_pipeline", "delete_pipeline"]);
    }

    #[test]
    fn a_name_that_matches_nothing_or_an_empty_surface_is_refused() {
        let facts: Vec<ToolFacts> = CATALOGUE.iter().map(|t| tool(t.0, t.1, t.2, t.3)).collect();
        let typo = Exposure { disable_tools: names(&["start_pipelin"]), ..Default::default() };
        let problems = typo.check(&facts).unwrap_err();
        assert!(
            problems[0].contains("\"start_pipelin\"") && problems[0].contains("\"start_pipeline\"?"),
            "{problems:?}"
        );
        let toolset = Exposure { enable_toolsets: names(&["traige"]), ..Default::default() };
        assert!(toolset.check(&facts).unwrap_err()[0].contains("did you mean \"triage\"?"));
        let only_opt_in = Exposure { enable_toolsets: names(&["state"]), ..Default::default() };
        let problems = only_opt_in.check(&facts).unwrap_err();
        assert!(
            problems[0].contains("no tool at all")
                && problems[0].contains("ORCHESTRA_MCP_ENABLE_TOOLS=get_integration_state,update_integration_state"),
            "{problems:?}"
        );
        assert_eq!(Exposure::default().check(&facts), Ok(()));
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
    fn toolset_switches_come_from_the_environment_and_unknown_names_are_refused() {
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
        let problems = e.check(&facts).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("\"assetz\""), "{problems:?}");
    }
}
