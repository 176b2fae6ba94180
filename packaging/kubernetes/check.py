"""Runs the image as packaging/kubernetes/deployment.yaml runs it, on podman, since no
cluster is at hand: the container's arguments, the ConfigMap's variables, its user, its
read-only root with the emptyDir volumes as tmpfs, its dropped capabilities. Then it asks
the probes' paths, drives a whole MCP session with the Python client the way a team member
would (their own Orchestra key as the bearer, per-user keys), and stops the container as
the kubelet does (SIGTERM, then SIGKILL after the grace period), expecting a clean exit.

Only the Orchestra base URL is changed (to the fake on loopback) and the port (to a free
one, as the container shares the host's network to reach the fake).
  python check.py <orchestra-mcp binary> <image tag> <python with the mcp client>
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def manifests() -> dict:
    """The resources of this folder, by kind."""
    found = {}
    for path in sorted(HERE.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            found[doc["kind"]] = doc
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def podman_run(container: dict, pod: dict, config: dict, env: dict) -> list[str]:
    """The `podman run` flags that do what the pod spec asks."""
    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    flags = ["--network", "host", "--user", f"{security['runAsUser']}:{security['runAsGroup']}"]
    if security.get("readOnlyRootFilesystem"):
        # Without podman's writable /tmp and /run: a pod has only its volumes.
        flags += ["--read-only", "--read-only-tmpfs=false"]
    if security.get("allowPrivilegeEscalation") is False:
        flags += ["--security-opt", "no-new-privileges"]
    if "ALL" in security.get("capabilities", {}).get("drop", []):
        flags += ["--cap-drop", "all"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        empty_dir = volumes[mount["name"]]["emptyDir"]
        size = empty_dir.get("sizeLimit", "").replace("Mi", "m")
        # An emptyDir is created writable by all, as this is.
        options = "rw,mode=1777"
        flags += ["--tmpfs", f"{mount['mountPath']}:{options}" + (f",size={size}" if size else "")]
    limit = container.get("resources", {}).get("limits", {}).get("memory")
    if limit:
        flags += ["--memory", limit.replace("Mi", "m").replace("Gi", "g")]
    for name, value in {**config, **env}.items():
        flags += ["-e", f"{name}={value}"]
    return flags


def main(binary: str, tag: str, python: str) -> None:
    resources = manifests()
    pod = resources["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    config = dict(resources["ConfigMap"]["data"])
    # The variables the Deployment takes from the Secret, where the Secret has the key.
    secret = resources["Secret"].get("stringData") or {}
    for var in container.get("env", []):
        ref = var.get("valueFrom", {}).get("secretKeyRef")
        if ref and ref["key"] in secret:
            config[var["name"]] = secret[ref["key"]]
    container_port = container["ports"][0]["containerPort"]
    assert config["ORCHESTRA_MCP_HTTP"].endswith(f":{container_port}"), "the ConfigMap listens on the container's port"
    # One pod per protocol era, each against a fresh fake (the session writes to it).
    for mode in ("auto", "legacy"):
        stopped, protocol = run_pod(binary, tag, python, mode, pod, container, config)
        print(
            f"kubernetes: the Deployment's container, run as its pod spec says, passed its probes, served an "
            f"MCP session ({protocol}) with a per-user key, and stopped cleanly on SIGTERM in {stopped:.1f} s of its "
            f"{pod['terminationGracePeriodSeconds']} s grace"
        )


def run_pod(
    binary: str, tag: str, python: str, mode: str, pod: dict, container: dict, config: dict
) -> tuple[float, str]:
    """Runs the container against a fresh fake, probes it, drives one session in `mode`,
    stops it; the seconds the stop took, and the protocol the session spoke."""
    fake = subprocess.Popen(
        [binary, "fake", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    name = f"orchestra-mcp-k8s-check-{os.getpid()}-{mode}"
    try:
        # Its one line on stdout: `export NAME=value NAME=value ...`.
        line = fake.stdout.readline()
        if not line.startswith("export "):
            sys.exit("the fake Orchestra API did not start")
        exports = dict(re.findall(r"(\w+)=(\S+)", line))
        port = free_port()
        env = {
            "ORCHESTRA_MCP_HTTP": f"0.0.0.0:{port}",
            "ORCHESTRA_BASE_URL": exports["ORCHESTRA_BASE_URL"],
            "ORCHESTRA_ALLOW_INSECURE_LOOPBACK": exports["ORCHESTRA_ALLOW_INSECURE_LOOPBACK"],
        }
        subprocess.run(
            ["podman", "run", "-d", "--name", name, *podman_run(container, pod, config, env), tag, *container["args"]],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        startup = container["startupProbe"]
        deadline = time.monotonic() + startup["periodSeconds"] * startup["failureThreshold"]
        while get(base + startup["httpGet"]["path"]) != 200:
            if time.monotonic() > deadline:
                logs = subprocess.run(["podman", "logs", name], capture_output=True, text=True)
                sys.exit(f"the startup probe never passed:\n{logs.stdout}{logs.stderr}")
            time.sleep(0.2)
        for probe in ("livenessProbe", "readinessProbe"):
            path = container[probe]["httpGet"]["path"]
            status = get(base + path)
            assert status == 200, f"the {probe} ({path}) answered {status}"
        # A team member: their own Orchestra key as the bearer.
        session = subprocess.run(
            [python, str(ROOT / "tests/clients/python_client.py"), "http", f"{base}/mcp", exports["ORCHESTRA_API_KEY"], mode],
            capture_output=True,
            text=True,
        )
        if session.returncode != 0:
            sys.exit(f"the MCP session ({mode}) failed:\n{session.stdout}{session.stderr}")
        grace = pod["terminationGracePeriodSeconds"]
        started = time.monotonic()
        subprocess.run(["podman", "stop", "--time", str(grace), name], check=True, stdout=subprocess.DEVNULL)
        stopped = time.monotonic() - started
        code = subprocess.run(
            ["podman", "inspect", "--format", "{{.State.ExitCode}}", name], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert code == "0", f"on SIGTERM the server exited with {code}, not 0"
        assert stopped < grace, "the server did not stop within the grace period"
        return stopped, session.stdout.splitlines()[0]
    finally:
        subprocess.run(["podman", "rm", "--force", name], capture_output=True)
        fake.kill()


if __name__ == "__main__":
    main(*sys.argv[1:])
