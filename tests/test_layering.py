"""The architecture of DEVELOPERS.md, checked on the source: arrows only point down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package -> the project packages it must never import
FORBIDDEN = {
    "drivers": {"dialogs", "robot", "simulator", "letan"},
    "dialogs": {"drivers", "robot", "simulator", "letan"},
    "robot": {"simulator", "letan"},
    "simulator": {"letan"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_arrows_only_point_down(package: str) -> None:
    crossing = [f"{path.relative_to(ROOT)} imports {sorted(_imports(path) & FORBIDDEN[package])}"
                for path in sorted((ROOT / package).rglob("*.py")) if _imports(path) & FORBIDDEN[package]]
    assert not crossing, "\n".join(crossing)
