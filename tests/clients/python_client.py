"""Drives orchestra-mcp with the official Python MCP client (mcp 2.x), over stdio or
streamable HTTP.

Lists the tools, calls every one listed against the fake Orchestra API, and checks each
success against the tool's outputSchema (the client also refuses mismatching results).
Usage: python_client.py stdio <server-binary> <base-url> <api-key> <auto|legacy>
       python_client.py command <auto|legacy> <argv...>   (a stdio server given as a command,
                                                             with this process's ORCHESTRA_* variables and HOME)
       python_client.py http <mcp-url> <bearer-token> <auto|legacy>
Prints one line per check; exits non-zero on the first failure.
"""

import asyncio
import json
import os
import sys

import jsonschema
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


# Opt-in tools this client calls when the server lists them (the stdio mode enables them).
OPT_IN_CALLED = ["migrate_pipeline", "import_pipeline", "create_environment", "update_environment"]


def server(transport: str, args: list[str]):
    """What the client connects to, and the protocol mode."""
    if transport == "stdio":
        binary, base_url, key, mode = args
        params = StdioServerParameters(
            command=binary,
            args=["serve"],
            env={
                "ORCHESTRA_BASE_URL": base_url,
                "ORCHESTRA_API_KEY": key,
                "ORCHESTRA_ALLOW_INSECURE_LOOPBACK": "1",
                "RUST_LOG": "warn",
                "ORCHESTRA_MCP_ENABLE_TOOLS": ",".join(OPT_IN_CALLED),
            },
        )
        return params, mode
    if transport == "command":
        mode, *argv = args
        env = {k: v for k, v in os.environ.items() if k.startswith("ORCHESTRA_") or k == "HOME"}
        return StdioServerParameters(command=argv[0], args=argv[1:], env=env), mode
    url, token, mode = args
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    return streamable_http_client(url, http_client=http), mode


async def main(transport: str, args: list[str]) -> None:
    target, mode = server(transport, args)
    async with Client(target, mode=mode) as client:
        print(f"protocol {client.protocol_version}")
        tools = {t.name: t for t in (await client.list_tools()).tools}
        print(f"tools/list: {len(tools)} tools")
        called = set()

        async def call(name: str, args: dict) -> dict:
            result = await client.call_tool(name, args)
            text = " ".join(getattr(c, "text", "") for c in result.content)
            if result.is_error:
                raise SystemExit(f"{name} returned isError: {text}")
            structured = result.structured_content
            jsonschema.validate(structured, tools[name].output_schema)
            assert json.loads(text) == structured, f"{name}: text block differs from structuredContent"
            called.add(name)
            print(f"ok {name}")
            return structured

        runs = await call("list_pipeline_runs", {"time_from": "24h", "status": ["FAILED", "WARNING"]})
        failed = next(r for r in runs["runs"] if r["runStatus"] == "FAILED")
        run_id = failed["id"]
        await call("get_pipeline_run", {"pipeline_run_id": run_id})
        tasks = await call("list_task_runs", {"pipeline_run_id": run_id, "status": ["FAILED"]})
        task_id = tasks["taskRuns"][0]["id"]
        await call("list_task_runs", {"time_from": "2d", "integration": ["DBT_CORE"]})
        ids = {"pipeline_run_id": run_id, "task_run_id": task_id}
        await call("list_task_run_logs", ids)
        await call("get_task_run_log", {**ids, "tail_bytes": 1024})
        artifacts = await call("list_task_run_artifacts", ids)
        await call("get_task_run_artifact", {**ids, "filename": artifacts["filenames"][0], "max_bytes": 4096})
        await call("whats_broken", {"time_from": "24h"})
        await call("diagnose_task_run", {"task_run_id": task_id})
        await call("wait_for_run", {"pipeline_run_id": run_id, "timeout_seconds": 5})
        await call("list_pipelines", {"name_contains": "refresh"})
        await call("get_pipeline", {"pipeline_id_or_alias": "daily_refresh"})
        await call("get_pipeline_definition", {"pipeline_id_or_alias": "daily_refresh"})
        await call("pipeline_context", {"pipeline_id_or_alias": "daily_refresh"})
        definition = (await call("get_pipeline_definition", {"pipeline_id_or_alias": "hourly_ingest"}))["definition"]
        checked = await call("validate_pipeline", {"definition": definition})
        assert checked["valid"], checked
        alias = f"client_{transport}_{mode}"
        await call("create_pipeline", {"alias": alias, "definition": definition, "published": False})
        await call("update_pipeline", {"pipeline_id_or_alias": alias, "definition": definition, "published": True})
        if "migrate_pipeline" in tools:
            await call("migrate_pipeline", {"pipeline_id_or_alias": alias, "git_provider": "GITHUB",
                                            "repository": "acme/data-pipelines", "yaml_path": f"pipelines/{alias}.yml",
                                            "default_branch": "main"})
        if "import_pipeline" in tools:
            await call("import_pipeline", {"git_provider": "GITHUB", "repository": "acme/data-pipelines",
                                           "yaml_path": "pipelines/customer_churn.yml", "default_branch": "main"})
        await call("list_operations", {"task_run_id": task_id})
        await call("list_environments", {})
        await call("get_environment", {"environment": "Production"})
        env_name = f"Client {transport} {mode}"
        if "create_environment" in tools and "update_environment" in tools:
            await call("create_environment", {"name": env_name, "values": {"WAREHOUSE": {"type": "string", "value": "WH"}}})
            await call("update_environment", {"environment": env_name, "remove_values": ["WAREHOUSE"]})
        await call("list_integration_connections", {"integration": "SNOWFLAKE"})
        await call("list_accounts", {})
        await call("list_integrations", {"category": "Warehouse"})
        await call("get_integration", {"integration": "DBT_CORE"})
        await call("list_sensor_checks", {})
        connection = await call("check_connection", {})
        assert connection["keyAccepted"], connection
        assets = await call("list_assets", {"status": ["UNHEALTHY"]})
        await call("get_asset", {"asset_id": assets["assets"][0]["externalId"]})
        started = await call("start_pipeline", {"pipeline_id_or_alias": "reverse_etl"})
        await call("cancel_pipeline_run", {"pipeline_run_id": started["pipelineRunId"]})

        prompts = [p.name for p in (await client.list_prompts()).prompts]
        assert prompts == ["triage", "fix_failed_run"], prompts
        triage = await client.get_prompt("triage", {"window": "24h"})
        assert "whats_broken" in triage.messages[0].content.text, triage
        print("ok prompts")
        templates = (await client.list_resource_templates()).resource_templates
        assert len(templates) == 3, templates
        summary = await client.read_resource(f"orchestra://pipeline-runs/{run_id}/summary")
        assert json.loads(summary.contents[0].text)["run"]["run"]["id"] == run_id, summary
        log = await client.read_resource(f"orchestra://pipeline-runs/{run_id}/task-runs/{task_id}/log")
        assert log.contents[0].mime_type == "text/plain" and log.contents[0].text, log
        print("ok resources")
        from mcp.types import PromptReference, ResourceTemplateReference
        windows = await client.complete(PromptReference(type="ref/prompt", name="triage"), {"name": "window", "value": "2"})
        assert windows.completion.values[0] == "24h", windows
        template = "orchestra://pipeline-runs/{pipeline_run_id}/task-runs/{task_run_id}/log"
        tasks = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri=template),
            {"name": "task_run_id", "value": ""},
            context_arguments={"pipeline_run_id": run_id},
        )
        assert task_id in tasks.completion.values, tasks
        print("ok completions")

        bad = await client.call_tool("get_pipeline_run", {"pipeline_run_id": "not-a-uuid"})
        assert bad.is_error and "pipeline_run_id" in bad.content[0].text, bad
        print("ok invalid argument is an isError result naming the field")

        missing = set(tools) - called
        if missing:
            raise SystemExit(f"tools never called: {sorted(missing)}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
