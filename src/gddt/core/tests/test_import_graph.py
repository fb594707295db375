"""The layers of style.md, checked on the source: core imports no app, migrations import no project code, and no
two modules import each other, however indirectly. Every import counts, those inside functions included, because a
function-level import only hides a circle; it does not remove it. Run it alone with
`pytest src/gddt/core/tests/test_import_graph.py`."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # src/gddt
ROOT = PACKAGE.name  # "gddt"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_test_support(path: Path) -> bool:
    return "tests" in path.relative_to(PACKAGE).parts


def _is_migration(path: Path) -> bool:
    return "migrations" in path.relative_to(PACKAGE).parts


def _sources() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(*, module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that `module` imports anywhere in its file. `from a import b` names the module a.b
    when there is one, else the module a."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:  # `import gddt.a.b` where b is a name: the module is gddt.a
                name = name.rpartition(".")[0]
            if name.startswith(f"{ROOT}.") and name != module:
                targets.add(name)
    return targets


def _graph() -> dict[str, set[str]]:
    """Every module of the package except tests and migrations, with the project modules it imports."""
    sources = _sources()
    known = set(sources)
    return {
        module: _imported(module=module, path=path, known=known)
        for module, path in sources.items()
        if not (_is_test_support(path) or _is_migration(path))
    }


def _app(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each given as one closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_closed_path(graph, component) for component in components]


def _closed_path(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One circle through the first module of a strongly connected component, shortest first (breadth-first)."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & members):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no circle through {start}")  # unreachable for a strongly connected component


def test_the_walk_sees_imports_inside_functions_and_relative_ones(tmp_path):
    source = tmp_path / "gddt" / "shop" / "views.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from . import models\n\n\ndef buy():\n    from gddt.shop.services import pay\n    import gddt.core\n"
    )
    known = {"gddt.core", "gddt.shop", "gddt.shop.models", "gddt.shop.services", "gddt.shop.views"}
    assert _imported(module="gddt.shop.views", path=source, known=known) == {
        "gddt.shop.models",
        "gddt.shop.services",
        "gddt.core",
    }


def test_a_circle_is_found_and_shown():
    graph = {"gddt.a": {"gddt.b"}, "gddt.b": {"gddt.c"}, "gddt.c": {"gddt.a"}, "gddt.d": {"gddt.a"}}
    assert _cycles(graph) == [["gddt.a", "gddt.b", "gddt.c", "gddt.a"]]


def test_the_walk_covers_the_package():
    graph = _graph()
    assert "gddt.core.scheduler" in graph and "gddt.registrations.services" in graph
    assert "gddt.core.models" in graph["gddt.core.scheduler"]


def test_core_imports_no_app():
    graph = _graph()
    arrows = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if _app(module) == "core"
        for target in targets
        if _app(target) != "core"
    )
    assert arrows == [], "core must not know the apps; let the app register with core instead:\n" + "\n".join(arrows)


def test_migrations_import_no_project_code():
    """A migration is frozen history: a later change to app code must not change what an old migration does. Only
    the models modules may appear, for the callables that makemigrations itself writes (an `upload_to`)."""
    sources = _sources()
    known = set(sources)
    arrows = sorted(
        f"{module} -> {target}"
        for module, path in sources.items()
        if _is_migration(path)
        for target in _imported(module=module, path=path, known=known)
        if not target.endswith(".models")
    )
    assert arrows == [], "migrations use apps.get_model and their own copy of data:\n" + "\n".join(arrows)


def test_no_module_imports_itself_through_others():
    circles = _cycles(_graph())
    assert circles == [], "import circles:\n" + "\n".join(" -> ".join(circle) for circle in circles)
