"""`python -m pos_app COMMAND`: the headless commands (demo, catalog import, migrate,
verify-audit) without Qt, for servers and scripts. `pos` offers the same commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pos_app import cli
from pos_app.config import load_config
from pos_app.errors import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pos_app")
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    cli.add_commands(sub)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, data_dir=args.data_dir)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    return cli.run(args, config)


if __name__ == "__main__":
    sys.exit(main())
