"""Runs the function component in Wassette as a user sets it up, and drives it with the
Python `mcp` client over `wassette run` (MCP over stdio).

Usage: python wassette.py WASSETTE COMPONENT.wasm < script.json

The script is {"base_url": ..., "host": ..., "api_key": ..., "calls": [{"tool": ...,
"arguments": {...}}, ...]}. The component is loaded into a fresh component directory,
granted the fake's host and the base-URL variable, and given the key as a Wassette secret.
Prints one JSON object: {"tools": [{name, description, inputSchema}], "results": [{"text",
"isError"}], "timings": {"load_ms" (`component load`, which compiles it), "start_to_list_ms"
(`wassette run` to a listing with the tools), "call_ms": [...]}}.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

COMPONENT_ID = "orchestra-mcp-functions"
# What Wassette 0.8 logs once its components are loaded with their policies.
LOADED = "Background component loading completed"


def wassette(binary: str, directory: str, *args: str) -> None:
    subprocess.run([binary, *args, "--component-dir", directory], check=True, capture_output=True)


async def drive(binary: str, directory: str, script: dict) -> dict:
    env = {"HOME": os.environ["HOME"], "PATH": os.environ.get("PATH", ""), "ORCHESTRA_BASE_URL": script["base_url"]}
    params = StdioServerParameters(
        command=binary, args=["run", "--disable-builtin-tools", "--component-dir", directory], env=env
    )
    started = time.monotonic()
    with tempfile.NamedTemporaryFile("w", suffix=".log") as log:
        try:
            return await session_report(params, log, started, script)
        except BaseException:
            # Wassette's own log explains most failures (a refused grant, a load error).
            with open(log.name) as written:
                sys.stderr.write(written.read())
            raise


async def session_report(params: StdioServerParameters, log, started: float, script: dict) -> dict:
    async with stdio_client(params, errlog=log) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            # Wassette lists a component from its cached metadata before it has loaded it
            # and restored its policy (a call before then is refused its network), and a
            # listing even earlier can come back empty. It logs when loading is done; the
            # tools are listed after that, again until they appear.
            for _ in range(600):
                with open(log.name) as written:
                    if LOADED in written.read():
                        break
                await asyncio.sleep(0.05)
            for _ in range(100):
                tools = (await session.list_tools()).tools
                if tools:
                    break
                await asyncio.sleep(0.05)
            listed = time.monotonic()
            results, call_ms = await calls(session, tools, script["calls"])
    return {
        "tools": [{"name": t.name, "description": t.description, "inputSchema": t.input_schema} for t in tools],
        "results": results,
        "timings": {"start_to_list_ms": (listed - started) * 1000, "call_ms": call_ms},
    }


async def calls(session: ClientSession, tools: list, script_calls: list) -> tuple[list, list]:
    results, call_ms = [], []
    for call in script_calls:
        began = time.monotonic()
        schema = next(t.input_schema for t in tools if t.name == call["tool"])
        # Wassette marks every argument required; null leaves an optional one out.
        arguments = {name: None for name in schema.get("properties", {})} | call["arguments"]
        result = await session.call_tool(call["tool"], arguments)
        call_ms.append((time.monotonic() - began) * 1000)
        text = "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")
        results.append({"text": text, "isError": bool(result.is_error)})
    return results, call_ms


def main() -> None:
    binary, component = sys.argv[1], os.path.abspath(sys.argv[2])
    script = json.load(sys.stdin)
    with tempfile.TemporaryDirectory() as directory:
        began = time.monotonic()
        wassette(binary, directory, "component", "load", f"file://{component}")
        load_ms = (time.monotonic() - began) * 1000
        wassette(binary, directory, "permission", "grant", "network", COMPONENT_ID, script["host"])
        wassette(binary, directory, "permission", "grant", "environment-variable", COMPONENT_ID, "ORCHESTRA_BASE_URL")
        wassette(binary, directory, "secret", "set", COMPONENT_ID, f"ORCHESTRA_API_KEY={script['api_key']}")
        report = asyncio.run(drive(binary, directory, script))
        report["timings"]["load_ms"] = load_ms
        print(json.dumps(report))


if __name__ == "__main__":
    main()
