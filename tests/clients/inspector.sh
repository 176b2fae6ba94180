#!/usr/bin/env bash
# Drives orchestra-mcp over stdio with the MCP Inspector CLI: tools/list (with --strict
# schema portability checks) in both protocol eras, then one call of every tool, opt-in ones enabled (legacy
# era) and a modern-era call; exit code 5 means isError.
# Usage: inspector.sh <server-binary> <base-url> <api-key> <run-id> <task-run-id>
set -euo pipefail
binary=$1 base=$2 key=$3 run=$4 task=$5
tools="$(cd "$(dirname "$0")/../.." && pwd)/target/ci-tools/node/node_modules/.bin"
export PATH="$tools:$PATH" MCP_INSPECTOR_SECRET_STORE=memory
inspect() {
  mcp-inspector --cli -q --format json \
    -e ORCHESTRA_BASE_URL="$base" -e ORCHESTRA_API_KEY="$key" -e ORCHESTRA_ALLOW_INSECURE_LOOPBACK=1 -e RUST_LOG=warn \
    "$@" -- "$binary" serve
}
count=$(inspect --strict --method tools/list | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.tools.length))')
echo "tools/list: $count tools (strict schema check passed)"
modern=$(inspect --protocol-era modern --strict --method tools/list | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.tools.length))')
[ "$modern" = "$count" ] || { echo "modern era: $modern tools, legacy: $count"; exit 1; }
inspect --protocol-era modern --method tools/call --tool-name whats_broken --tool-args-json '{"time_from":"24h"}' > /dev/null
echo "modern era (2026-07-28): tools/list and tools/call ok"
opt_in=delete_pipeline,delete_environment,create_asset,update_asset,delete_asset,add_asset_dependencies,get_integration_state,update_integration_state,get_azure_federated_credentials,import_pipeline,migrate_pipeline,create_environment,update_environment
all=$(inspect -e ORCHESTRA_MCP_ENABLE_TOOLS=$opt_in --strict --method tools/list | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.tools.length))')
echo "tools/list with every opt-in tool: $all tools (strict schema check passed)"
ids="\"pipeline_run_id\":\"$run\",\"task_run_id\":\"$task\""
while IFS='|' read -r tool args; do
  inspect -e ORCHESTRA_MCP_ENABLE_TOOLS=$opt_in --method tools/call --tool-name "$tool" --tool-args-json "$args" > /dev/null
  echo "ok $tool"
done <<CALLS
list_pipeline_runs|{"time_from":"24h","status":["FAILED"]}
get_pipeline_run|{"pipeline_run_id":"$run"}
list_task_runs|{"pipeline_run_id":"$run"}
list_task_run_logs|{$ids}
get_task_run_log|{$ids}
list_task_run_artifacts|{$ids}
get_task_run_artifact|{$ids,"filename":"run_results.json"}
start_pipeline|{"pipeline_id_or_alias":"hourly_ingest"}
whats_broken|{"time_from":"24h"}
diagnose_task_run|{"task_run_id":"$task"}
wait_for_run|{"pipeline_run_id":"$run","timeout_seconds":5}
list_pipelines|{}
get_pipeline|{"pipeline_id_or_alias":"daily_refresh"}
get_pipeline_definition|{"pipeline_id_or_alias":"daily_refresh"}
pipeline_context|{"pipeline_id_or_alias":"daily_refresh"}
list_operations|{"task_run_id":"$task"}
list_environments|{}
get_environment|{"environment":"Production"}
create_environment|{"name":"Inspector","values":{"WAREHOUSE":{"type":"string","value":"WH"}}}
update_environment|{"environment":"Inspector","name":"Inspector renamed"}
list_integration_connections|{}
list_accounts|{}
list_integrations|{}
get_integration|{"integration":"SNOWFLAKE"}
list_sensor_checks|{"integration":"SNOWFLAKE"}
check_connection|{}
list_assets|{"status":["UNHEALTHY"],"sort_column":"asset_name"}
get_asset|{"asset_id":"ANALYTICS.MARTS.ORDERS"}
validate_pipeline|{"definition":{"version":"v1","name":"Tiny","pipeline":{"t":{"integration":"PYTHON","integrationJob":"PYTHON_EXECUTE_SCRIPT","parameters":{}}}}}
create_pipeline|{"alias":"inspector","published":false,"definition":{"version":"v1","name":"Tiny","pipeline":{"t":{"integration":"PYTHON","integrationJob":"PYTHON_EXECUTE_SCRIPT","parameters":{}}}}}
update_pipeline|{"pipeline_id_or_alias":"inspector","published":true,"definition":{"version":"v1","name":"Tiny 2","pipeline":{"t":{"integration":"PYTHON","integrationJob":"PYTHON_EXECUTE_SCRIPT","parameters":{}}}}}
migrate_pipeline|{"pipeline_id_or_alias":"inspector","git_provider":"GITHUB","repository":"acme/data-pipelines","yaml_path":"pipelines/inspector.yml","default_branch":"main"}
import_pipeline|{"git_provider":"GITHUB","repository":"acme/data-pipelines","yaml_path":"pipelines/customer_churn.yml","default_branch":"main"}
CALLS
started=$(inspect --method tools/call --tool-name start_pipeline --tool-args-json '{"pipeline_id_or_alias":"daily_refresh"}' \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).result.structuredContent.pipelineRunId))')
inspect --method tools/call --tool-name cancel_pipeline_run --tool-args-json "{\"pipeline_run_id\":\"$started\"}" > /dev/null
echo "ok cancel_pipeline_run"
triage=$(inspect --method prompts/get --prompt-name triage --prompt-args window=24h)
[[ $triage == *whats_broken* ]] || { echo "prompts/get triage: $triage"; exit 1; }
echo "ok prompts/get"
summary=$(inspect --method resources/read --uri "orchestra://pipeline-runs/$run/summary")
[[ $summary == *"$run"* ]] || { echo "resources/read: $summary"; exit 1; }
echo "ok resources/read"
if inspect --method tools/call --tool-name get_pipeline_run --tool-args-json '{"pipeline_run_id":"nope"}' > /dev/null 2>&1; then
  echo "an invalid argument should make the Inspector exit 5 (isError)"; exit 1
else
  code=$?; [ "$code" -eq 5 ] || { echo "expected exit 5 for isError, got $code"; exit 1; }
  echo "ok invalid argument is isError (exit 5)"
fi
