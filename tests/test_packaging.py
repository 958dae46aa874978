"""The wheel ships the data and works outside the repository; pandas stays lazy."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_does_not_load_pandas():
    code = ("import sys, meshcost; r = meshcost.project(nodes=5, sidecars=50); str(r); "
            "assert 'pandas' not in sys.modules, 'pandas imported early'; r.to_frame(); "
            "assert 'pandas' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api_is_explicit():
    import meshcost

    for name in meshcost.__all__:
        assert hasattr(meshcost, name), name
    assert (ROOT / "meshcost" / "py.typed").exists()


def test_importing_every_module_shadows_no_public_name():
    """`import meshcost.x` sets the attribute `x` on the package: no module may share a public name."""
    import importlib
    import pkgutil
    import types

    import meshcost

    for info in pkgutil.walk_packages(meshcost.__path__, "meshcost."):
        if info.name.count(".") == 1 and info.name.rpartition(".")[2] in (
                "__main__", "nodes", "quantity", "profiles", "sources", "prices", "inventory"):
            continue  # the command line runs on import; deprecated aliases warn
        importlib.import_module(info.name)
    for name in meshcost.__all__:
        assert not isinstance(getattr(meshcost, name), types.ModuleType), name


@pytest.mark.slow
def test_wheel_installs_and_projects_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheels = list(dist.glob("meshcost-*.whl"))
    assert len(wheels) == 1
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], check=True)
    code = ("import meshcost, meshcost.reference.data as d; "
            "assert 'site-packages' in str(d.data_dir()), d.data_dir(); "
            "r = meshcost.project(nodes=500, sidecars=5000); "
            "print(r['linkerd'].memory.typical.to('GiB')); print(len(meshcost.sources_frame()))")
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert "gibibyte" in out.stdout


@pytest.mark.parametrize("old, new", [("quantity", "io.quantity"), ("profiles", "reference.profiles"),
                                      ("sources", "reference.sources"), ("prices", "reference.prices"),
                                      ("nodes", "reference.nodes"), ("inventory", "io.kubectl")])
def test_moved_modules_keep_a_deprecated_alias(old, new):
    code = (f"import warnings, importlib; warnings.simplefilter('error'); "
            f"new = importlib.import_module('meshcost.{new}')\n"
            f"try:\n    importlib.import_module('meshcost.{old}')\nexcept DeprecationWarning as w:\n"
            f"    assert 'meshcost.{new}' in str(w)\nelse:\n    raise SystemExit('no warning')\n"
            f"warnings.simplefilter('ignore'); old = importlib.import_module('meshcost.{old}')\n"
            f"assert all(getattr(old, n) is getattr(new, n) for n in new.__all__)")
    subprocess.run([sys.executable, "-c", code], check=True)
