#!/usr/bin/env python3
"""Writes the official MCP registry's server.json for one release.

    packaging/registry/server_json.py <version> <out.json> [<bundle.mcpb> ...]

From server.template.json: the version everywhere, the environment variables on every
package, and one MCPB package per bundle given, with its release download URL and its
SHA-256 (each bundle is named orchestra-mcp-v<version>-<target>.mcpb, as the release
workflow names them). The result is what `mcp-publisher publish` takes; .ci/run and the
tests validate it against the registry's schema (server.schema.json beside this file).
"""

import hashlib
import json
import pathlib
import sys

RELEASES = "https://github.com/orchestra-mcp/orchestra-mcp/releases/download"


def main(version: str, out: str, bundles: list[str]) -> None:
    here = pathlib.Path(__file__).resolve().parent
    template = json.loads((here / "server.template.json").read_text())
    environment = template.pop("environment")
    text = json.dumps(template).replace("{version}", version)
    server = json.loads(text)
    for package in server["packages"]:
        package["environmentVariables"] = environment
    for bundle in map(pathlib.Path, bundles):
        prefix = f"orchestra-mcp-v{version}-"
        if not (bundle.name.startswith(prefix) and bundle.suffix == ".mcpb"):
            sys.exit(f"server_json.py: {bundle.name} is not named {prefix}<target>.mcpb")
        server["packages"].append(
            {
                "registryType": "mcpb",
                "identifier": f"{RELEASES}/v{version}/{bundle.name}",
                "fileSha256": hashlib.sha256(bundle.read_bytes()).hexdigest(),
                "transport": {"type": "stdio"},
                "environmentVariables": environment,
            }
        )
    pathlib.Path(out).write_text(json.dumps(server, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
