#!/usr/bin/env python3
"""Sums Meson's test logs of the given build folders into one line:
"N passed, N failed". Exits 1 if anything failed."""
import json
import os
import sys

passed = failed = 0
failures = []
for build in sys.argv[1:]:
    log = os.path.join(build, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        continue
    with open(log) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            result = rec.get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                continue
            else:
                failed += 1
                failures.append(f"{build}: {rec.get('name')} ({result})")
for f in failures:
    print("FAILED:", f)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
