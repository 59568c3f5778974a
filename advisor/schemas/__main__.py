"""``python -m advisor.schemas [--check]``: write (or check) the published JSON Schemas."""

from __future__ import annotations

import sys

from advisor.schemas import stale, write


def main(argv: list[str]) -> int:
    if "--check" in argv:
        changed = stale()
        for name in changed:
            print(f"{name} differs from its definition: run python -m advisor.schemas")
        return 1 if changed else 0
    for name in write():
        print(f"wrote advisor/schemas/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
