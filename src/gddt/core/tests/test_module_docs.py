"""Every services, selectors and api module says in its first line what it holds (issue 6), so a newcomer can tell
the file from the feature."""

import ast
from pathlib import Path

import gddt

ROOT = Path(gddt.__file__).parent
LAYERS = ("services.py", "selectors.py", "api.py")


def test_every_services_selectors_and_api_module_has_a_docstring():
    modules = [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if path.name in LAYERS and "tests" not in path.parts and "migrations" not in path.parts
    ]
    assert len(modules) > 15  # the walk found the apps' modules
    undocumented = [
        str(path.relative_to(ROOT))
        for path in modules
        if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()
    ]
    assert undocumented == []
