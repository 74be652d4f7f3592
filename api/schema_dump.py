"""`python -m api.schema_dump [--check]`: rewrite (or only compare) the committed SDL file.

Why a committed SDL: frontends and reviewers read `api/schema.graphql` without running code,
and a schema change shows up in the diff. `tests/api/test_schema_file.py` fails when the code
and the file disagree; run this module to regenerate the file after changing the schema.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from api.schema import sdl

__all__ = ["SCHEMA_FILE", "main"]

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.schema_dump", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    parser.add_argument("--output", type=Path, default=SCHEMA_FILE, help="where to write the SDL")
    args = parser.parse_args(argv)
    text = sdl()
    current = args.output.read_text("utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is out of date: run `python -m api.schema_dump`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
