#!/usr/bin/env bash
# Drives `orchestra-mcp serve --http` with the MCP Inspector CLI in both protocol eras
# (legacy 2025-11-25 sessions, modern 2026-07-28 stateless): tools/list with --strict
# schema checks, calls, a prompt, a resource, and an isError result (exit code 5).
# Usage: inspector_http.sh <mcp-url> <bearer-token>
set -euo pipefail
url=$1 token=$2
tools="$(cd "$(dirname "$0")/../.." && pwd)/target/ci-tools/node/node_modules/.bin"
export PATH="$tools:$PATH" MCP_INSPECTOR_SECRET_STORE=memory
json_field() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).$1))"; }
for era in legacy modern; do
  inspect() { mcp-inspector --cli -q --format json --stored-auth-only --protocol-era "$era" \
    --server-url "$url" --header "Authorization: Bearer $token" "$@"; }
  count=$(inspect --strict --method tools/list | json_field "result.tools.length")
  echo "$era: tools/list: $count tools (strict schema check passed)"
  run=$(inspect --method tools/call --tool-name list_pipeline_runs --tool-args-json '{"time_from":"24h","status":["FAILED"]}' \
    | json_field "result.structuredContent.runs[0].id")
  inspect --method tools/call --tool-name whats_broken --tool-args-json '{"time_from":"24h"}' > /dev/null
  inspect --method tools/call --tool-name get_pipeline_run --tool-args-json "{\"pipeline_run_id\":\"$run\"}" > /dev/null
  inspect --method tools/call --tool-name wait_for_run --tool-args-json "{\"pipeline_run_id\":\"$run\",\"timeout_seconds\":5}" > /dev/null
  echo "$era: ok tools/call (list_pipeline_runs, whats_broken, get_pipeline_run, wait_for_run)"
  triage=$(inspect --method prompts/get --prompt-name triage --prompt-args window=24h)
  [[ $triage == *whats_broken* ]] || { echo "$era: prompts/get triage: $triage"; exit 1; }
  summary=$(inspect --method resources/read --uri "orchestra://pipeline-runs/$run/summary")
  [[ $summary == *"$run"* ]] || { echo "$era: resources/read: $summary"; exit 1; }
  echo "$era: ok prompts/get and resources/read"
  if inspect --method tools/call --tool-name get_pipeline_run --tool-args-json '{"pipeline_run_id":"nope"}' > /dev/null 2>&1; then
    echo "$era: an invalid argument should make the Inspector exit 5 (isError)"; exit 1
  else
    code=$?; [ "$code" -eq 5 ] || { echo "$era: expected exit 5 for isError, got $code"; exit 1; }
    echo "$era: ok invalid argument is isError (exit 5)"
  fi
done
if mcp-inspector --cli -q --format json --stored-auth-only --server-url "$url" --method tools/list > /dev/null 2>&1; then
  echo "a request without the bearer token should be refused"; exit 1
fi
echo "ok without the token the Inspector is refused"
