// Runs the tools component under jco (npm @bytecodealliance/jco + preview2-shim), as a
// third-party embedder would.
//
// Usage: node jco.mjs TRANSPILED_DIR < script.json
//
// TRANSPILED_DIR holds `jco transpile` output named `tools.js`. The script is
// {"calls": [{"tool": ..., "arguments": {...}}, ...]}; the tool "list-tools" lists the
// catalogue. The component's environment is this process's (preview2-shim hands it over
// whole), so the caller sets exactly the variables it wants the component to see. A
// `pending` outcome is resumed after its `resumeAfterMs`. Prints one JSON object:
// {"results": [...], "timings": {...}}.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const script = JSON.parse(readFileSync(0, "utf8"));
const began = performance.now();
const module = await import(pathToFileURL(join(dir, "tools.js")).href);
const tools = module.tools;
const loaded = performance.now();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const results = [];
const callMs = [];
for (const call of script.calls) {
  const start = performance.now();
  if (call.tool === "list-tools") {
    results.push({ tools: tools.listTools().map((t) => ({ name: t.name, description: t.description })) });
    callMs.push(performance.now() - start);
    continue;
  }
  let resumeState;
  let steps = 0;
  const progress = [];
  for (;;) {
    steps += 1;
    let outcome;
    try {
      outcome = tools.callTool({ tool: call.tool, arguments: JSON.stringify(call.arguments), resumeState });
    } catch (error) {
      // jco throws a ComponentError for the `err` case of a result.
      if (error && error.payload) {
        results.push({ error: error.payload, steps });
        break;
      }
      throw error;
    }
    if (outcome.tag === "done") {
      results.push({ done: JSON.parse(outcome.val), steps, progress });
      break;
    }
    if (outcome.val.progress) progress.push(outcome.val.progress.message);
    resumeState = outcome.val.state;
    await sleep(outcome.val.resumeAfterMs);
  }
  callMs.push(performance.now() - start);
}
console.log(JSON.stringify({ results, timings: { load_ms: loaded - began, call_ms: callMs } }));
