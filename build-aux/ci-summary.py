#!/usr/bin/env python3
# build-aux/ci-summary.py — sum meson test results into one line: "N passed, N failed, N skipped"
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/ci-summary.py BUILDDIR/meson-logs/testlog.json [MORE.json …]
#
# Each line of a testlog.json is one test program with its "result". Only the counts are
# printed: the log also records every test's full environment, which must not be published.
# Exits 1 when a test failed or a log is missing or unreadable (a build that failed before its
# tests ran leaves no log), 0 otherwise; the line is printed either way.

import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
FAILED = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS", "INTERRUPT"}
SKIPPED = {"SKIP"}


def main(argv):
    if len(argv) < 2:
        print("usage: ci-summary.py TESTLOG.json [TESTLOG.json …]", file=sys.stderr)
        return 2

    passed = failed = skipped = 0
    trouble = False
    for path in argv[1:]:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.readlines()
        except OSError as e:
            print(f"ci-summary: no test results in {path}: {e.strerror}", file=sys.stderr)
            trouble = True
            continue
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                name, result = entry.get("name", "?"), entry["result"]
            except (ValueError, KeyError, AttributeError):
                print(f"ci-summary: {path}:{number}: not a meson test record", file=sys.stderr)
                trouble = True
                continue
            if result in PASSED:
                passed += 1
            elif result in SKIPPED:
                skipped += 1
            else:
                # Anything else, including a result this script does not know, is a failure:
                # a summary must never turn an unknown outcome into a pass.
                if result not in FAILED:
                    print(f"ci-summary: {path}: {name}: unknown result {result!r}", file=sys.stderr)
                failed += 1
                print(f"ci-summary: {result}: {name}", file=sys.stderr)

    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or trouble else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
