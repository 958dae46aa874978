"""Command-line interface: ``meshcost`` / ``python -m meshcost``."""

from __future__ import annotations

import argparse
import sys

from .errors import MeshcostError
from .projection import project

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="meshcost", description="Project what a service mesh adds to a cluster.")
    parser.add_argument("--nodes", type=float, default=500, help="worker nodes (default 500)")
    parser.add_argument("--sidecars", type=float, default=5000, help="meshed pods (default 5000)")
    parser.add_argument("--services", type=float, default=None, help="services (default sidecars / 10)")
    parser.add_argument("--rps", type=float, default=0.0, help="mesh-wide requests per second (default 0)")
    args = parser.parse_args(argv)
    try:
        result = project(nodes=args.nodes, sidecars=args.sidecars, services=args.services, rps=args.rps)
    except MeshcostError as exc:
        print(f"meshcost: {exc}", file=sys.stderr)
        return 2
    print(result)
    return 0
