//! The nearest real name to a misspelt one, for errors that say "did you mean …?".

/// The candidate closest to `name` (Jaro-Winkler, case-insensitive), when it is close
/// enough to be what was meant; `None` rather than a guess that would mislead.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    /// Below this similarity a suggestion is more likely noise than help.
    const THRESHOLD: f64 = 0.8;
    let name = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&name, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= THRESHOLD)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn typos_find_the_real_name_and_nonsense_finds_none() {
        let tools = ["start_pipeline", "list_pipelines", "whats_broken"];
        assert_eq!(nearest("start_pipelin", tools), Some("start_pipeline"));
        assert_eq!(nearest("WHATS_BROKN", tools), Some("whats_broken"));
        assert_eq!(nearest("statuses", ["status", "time_from", "limit"]), Some("status"));
        assert_eq!(nearest("traige", ["triage", "pipelines", "logs"]), Some("triage"));
        assert_eq!(nearest("zzz", tools), None);
    }
}
