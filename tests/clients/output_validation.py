"""Times the check the Python MCP client (mcp 2.3.0) makes of every tool result: the
result's structured content against the tool's output schema, with the validator it
compiles once per schema and keeps (`ClientSession._output_schema_validator`), so only
the per-result work is timed. Reads `{"schema": ..., "instance": ...}` on stdin, prints
the median milliseconds of one check. Run by the bench (`tests/src/bin/bench.rs`).
"""

import json
import statistics
import sys
import time

from jsonschema import exceptions
from jsonschema.validators import validator_for
from referencing import Registry

ROUNDS = 2000


def main() -> None:
    given = json.load(sys.stdin)
    schema, instance = given["schema"], given["instance"]
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, registry=Registry())
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        sys.exit(f"the result does not match its output schema: {error}")
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        exceptions.best_match(validator.iter_errors(instance))
        samples.append(time.perf_counter() - started)
    print(f"{statistics.median(samples) * 1000:.4f}")


if __name__ == "__main__":
    main()
