"""The import graph of the `pipeline` package, from its source (ast, nothing is imported).

  python scripts/import_graph.py            # edges, one module a line, then "no cycles"
  python scripts/import_graph.py --dot      # Graphviz DOT

Exits 1 when the graph has a cycle (and prints it). Imports inside functions count too: a cycle
through a lazy import is still a cycle of concerns.
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PACKAGE = "pipeline"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The package's modules that ``module`` imports (``from . import x`` resolves to the
    module x when it is one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    base = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [(alias.name, alias.name.rsplit(".", 1)[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from X import y": the module X.y when there is one, else the module X itself
            candidates = [(f"{target}.{alias.name}", target) for alias in node.names]
        else:
            continue
        for name, parent in candidates:
            if name in modules:
                found.add(name)
            elif parent in modules:
                found.add(parent)
    found.discard(module)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in sorted((root / PACKAGE).rglob("*.py"))}
    modules = set(files)
    return {m: imports_of(p, m, p.name == "__init__.py", modules) for m, p in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as a list of modules whose last imports the first, or None.
    A package importing its own submodules (its __init__ re-exports them) is not a cycle."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if target.startswith(node + "."):  # a package and its own submodule
                continue
            if state.get(target) == 1:
                return path[path.index(target):]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true")
    args = parser.parse_args()
    graph = import_graph(Path(__file__).resolve().parent.parent)
    if args.dot:
        print("digraph pipeline {")
        for module, targets in sorted(graph.items()):
            for target in sorted(targets):
                print(f'  "{module}" -> "{target}";')
        print("}")
    else:
        for module, targets in sorted(graph.items()):
            print(f"{module} -> {', '.join(sorted(targets)) or '-'}")
    cycle = find_cycle(graph)
    if cycle:
        print("cycle: " + " -> ".join([*cycle, cycle[0]]), file=sys.stderr)
        return 1
    print(f"{len(graph)} modules, {sum(map(len, graph.values()))} imports, no cycles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
