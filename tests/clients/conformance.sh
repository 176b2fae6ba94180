#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios, as each spec revision requires
# them, against `orchestra-mcp serve --http` at <mcp-url>, with the committed baselines
# of expected failures (tests/clients/conformance/). Exit 0 only when every failure is
# expected and every expected failure still fails.
# Usage: conformance.sh <mcp-url> <results-dir>
set -euo pipefail
url=$1 results=$2
here="$(cd "$(dirname "$0")" && pwd)"
export PATH="$here/../../target/ci-tools/node/node_modules/.bin:$PATH"
for revision in 2025-11-25 2026-07-28; do
  echo "conformance --requirements $revision"
  conformance server --url "$url" --requirements "$revision" \
    --expected-failures "$here/conformance/baseline-$revision.yml" -o "$results/$revision" \
    | sed -n '/=== SUMMARY ===/,$p'
done
