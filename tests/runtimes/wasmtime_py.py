"""Runs the tools component in wasmtime-py (PyPI `wasmtime`), as a third-party embedder would.

Usage: python wasmtime_py.py COMPONENT.wasm < script.json

The script is {"env": {...}, "calls": [{"tool": ..., "arguments": {...}}, ...]}; a call to
the tool "list-tools" lists the catalogue instead. Each call runs in a fresh store, and a
`pending` outcome is resumed after its `resume-after-ms`, as the WIT contract asks of the
embedder. Prints one JSON object: {"results": [...], "timings": {...}}.
"""

import json
import sys
import time

from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Component, Linker, Record, Variant

INTERFACE = "orchestra:mcp/tools@0.4.0"


def main() -> None:
    path = sys.argv[1]
    script = json.load(sys.stdin)
    started = time.monotonic()
    engine = Engine()
    component = Component.from_file(engine, path)
    linker = Linker(engine)
    linker.add_wasip2()
    linker.add_wasi_http()
    compiled = time.monotonic()

    def instance():
        store = Store(engine)
        wasi = WasiConfig()
        wasi.env = list(script["env"].items())
        store.set_wasi(wasi)
        store.set_wasi_http()
        inst = linker.instantiate(store, component)
        tools = inst.get_export_index(store, INTERFACE)
        return store, inst, tools

    def function(store, inst, tools, name):
        return inst.get_func(store, inst.get_export_index(store, name, tools))

    results = []
    call_ms = []
    for call in script["calls"]:
        began = time.monotonic()
        if call["tool"] == "list-tools":
            store, inst, tools = instance()
            listed = function(store, inst, tools, "list-tools")(store)
            results.append({"tools": [{"name": t.name, "description": t.description} for t in listed]})
            call_ms.append((time.monotonic() - began) * 1000)
            continue
        state = None
        steps = 0
        progress = []
        while True:
            steps += 1
            store, inst, tools = instance()
            request = Record()
            setattr(request, "tool", call["tool"])
            setattr(request, "arguments", json.dumps(call["arguments"]))
            setattr(request, "resume-state", state)
            outcome = function(store, inst, tools, "call-tool")(store, request)
            if isinstance(outcome, Variant):
                results.append({"error": {"tag": outcome.tag, "val": plain(outcome.payload)}, "steps": steps})
                break
            if isinstance(outcome, str):
                results.append({"done": json.loads(outcome), "steps": steps, "progress": progress})
                break
            # pending: wait as asked, then resume with its state.
            if outcome.progress is not None:
                progress.append(outcome.progress.message)
            state = outcome.state
            time.sleep(getattr(outcome, "resume-after-ms") / 1000)
        call_ms.append((time.monotonic() - began) * 1000)
    print(json.dumps({
        "results": results,
        "timings": {"load_ms": (compiled - started) * 1000, "call_ms": call_ms},
    }))


def plain(value):
    """A lifted WIT value as JSON: records become objects, variants {tag, val}."""
    if isinstance(value, Record):
        return {k: plain(v) for k, v in value.__dict__.items()}
    if isinstance(value, Variant):
        return {"tag": value.tag, "val": plain(value.payload)}
    return value


if __name__ == "__main__":
    main()
