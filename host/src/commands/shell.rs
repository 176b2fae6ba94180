//! `completions <shell>` and `man`: the command line as shells and `man` read it, made
//! from the same declarations as `--help`.

use std::io::Write;

use anyhow::Context;

/// Writes the completion script for `shell` to stdout.
pub fn completions(shell: clap_complete::Shell) {
    let mut command = crate::settings::command();
    let name = command.get_name().to_string();
    clap_complete::generate(shell, &mut command, name, &mut std::io::stdout());
}

/// Writes the manual page (roff) to stdout.
pub fn man() -> anyhow::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::settings::command()).render(&mut page).context("writing the manual page")?;
    std::io::stdout().write_all(&page).context("writing the manual page to stdout")
}
