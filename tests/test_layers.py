"""The package's layers: imports flow one way, no cycles, no private names across modules.

Layers, bottom up: the foundation (errors, units, checks, the figure registry), readers
(``io``), reference data (``reference``), pure numpy kernels (``kernels``), and the face
(everything else). A module may import its own layer and the layers below it. Every import
is counted, including the ones inside functions (lazy imports are still edges), except the
display hooks named in ``UPWARD`` (xarray's pattern: results render themselves lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "meshcost"

FOUNDATION = {"meshcost.errors", "meshcost.units", "meshcost.checks", "meshcost.figures"}
LAYERS = ["foundation", "io", "reference", "kernels", "face"]
#: (importer, imported) edges allowed to point up a layer: none today.
UPWARD: set[tuple[str, str]] = set()
#: Modules kept only as deprecated aliases of moved ones (they re-export a lower layer).
ALIASES = {"meshcost.quantity", "meshcost.profiles", "meshcost.sources", "meshcost.prices",
           "meshcost.nodes", "meshcost.inventory"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    if module in FOUNDATION or module == "meshcost.reference.data":
        return "foundation"
    for layer in ("io", "reference", "kernels"):
        if module == f"meshcost.{layer}" or module.startswith(f"meshcost.{layer}."):
            return layer
    return "face"


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import in the file."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("meshcost"):
                names = [alias.name for alias in node.names]
                # `from . import latency` imports a module, not a name
                submodules = [n for n in names if (PACKAGE.parent / (target + "." + n).replace(".", "/")).with_suffix(".py").exists()
                              or (PACKAGE.parent / (target + "." + n).replace(".", "/")).is_dir()]
                for name in submodules:
                    found.append((f"{target}.{name}", []))
                found.append((target, [n for n in names if n not in submodules]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names if alias.name.startswith("meshcost"))
    return found


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_flow_down_the_layers(module):
    if module in ALIASES:
        return
    mine = LAYERS.index(_layer(module))
    for target, _ in _imports(MODULES[module]):
        if (module, target) in UPWARD or target == "meshcost":
            continue
        assert LAYERS.index(_layer(target)) <= mine, f"{module} ({_layer(module)}) imports {target} ({_layer(target)})"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_is_imported_across_modules(module):
    for target, names in _imports(MODULES[module]):
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        # a package's own private helper modules (io.files, reference.data) are its business
        same_package = target.rpartition(".")[0] == module.rpartition(".")[0] or target.startswith(module + ".")
        assert not private, f"{module} imports private {private} from {target}"
        if target.rpartition(".")[2].startswith("_") and not target.endswith("__init__"):
            assert same_package, f"{module} imports the private module {target}"


def test_no_import_cycles_at_module_level():
    """Module-level imports form no cycle (imports inside functions are deferred on purpose)."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], type_ignores=[])
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        edges = set()
        for node in top.body:
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    candidate = f"{target}.{alias.name}"
                    edges.add(candidate if candidate in MODULES else target)
        graph[module] = {e for e in edges if e in MODULES and e != module}

    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1 and nxt != "meshcost":
                raise AssertionError("import cycle: " + " -> ".join(trail + [node, nxt]))
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state and module != "meshcost":
            visit(module, [])


def test_kernels_are_plain_numpy():
    """No pint, pandas or file access inside the kernels: they take and return float arrays."""
    for path in sorted((PACKAGE / "kernels").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for word in ("import pint", "import pandas", "ureg", "open(", "read_text("):
            assert word not in text, f"{path.name} uses {word!r}"


def test_package_data_is_read_through_importlib_resources():
    text = (PACKAGE / "reference" / "data.py").read_text(encoding="utf-8")
    assert "importlib.resources" in text or "from importlib import resources" in text
