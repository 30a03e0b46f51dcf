"""One module knows the run folder: no other module of the engine or the renderers spells a
file or folder name of it, and the engine's modules import each other without a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWNER = ROOT / "inspector" / "store.py"
# The seal's own two files are named beside the code that signs them.
SEAL = ROOT / "inspector" / "manifest.py"
RUN_FOLDER_NAMES = {"run.json", "records", "evidence", "attempts", "report-parts",
                    "report.html", "report.xml", "manifest.json", "manifest.sig"}


def _sources() -> list[Path]:
    return sorted([*(ROOT / "inspector").glob("*.py"), *(ROOT / "reports").glob("*.py")])


def _spelled_paths(tree: ast.AST) -> list[tuple[int, str]]:
    """Names of the run folder used as paths: `x / "records"`, `f"evidence/{host}"`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and side.value in RUN_FOLDER_NAMES:
                    found.append((node.lineno, side.value))
        if isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str) and (
                    head.value.split("/")[0] in RUN_FOLDER_NAMES and "/" in head.value):
                found.append((node.lineno, head.value))
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and node.value.value in RUN_FOLDER_NAMES):
            found.append((node.lineno, node.value.value))
    return found


def test_only_the_run_store_spells_the_run_folders_layout() -> None:
    spelled = {}
    for path in _sources():
        if path in (OWNER, SEAL):
            continue
        found = _spelled_paths(ast.parse(path.read_text()))
        if found:
            spelled[path.relative_to(ROOT).as_posix()] = found
    assert not spelled, f"the run folder's layout spelled outside inspector/store.py: {spelled}"
    # The detector finds what it looks for: the store itself spells them.
    assert {name for _, name in _spelled_paths(ast.parse(OWNER.read_text()))} >= {
        "run.json", "records", "evidence", "report-parts"}


def _imports() -> dict[str, set[str]]:
    """Every import between the engine's and the renderers' modules, inside functions too,
    but not those for type checking only."""
    modules = {("inspector." if p.parent.name == "inspector" else "reports.") + p.stem: p
               for p in _sources()}
    modules = {name.removesuffix(".__init__"): path for name, path in modules.items()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        typing_only = {id(n) for node in ast.walk(tree)
                       if isinstance(node, ast.If) and getattr(node.test, "id", "") ==
                       "TYPE_CHECKING" for n in ast.walk(node)}
        graph[name] = {node.module for node in ast.walk(tree)
                       if isinstance(node, ast.ImportFrom) and node.module in modules
                       and node.module != name and id(node) not in typing_only}
    return graph


def test_the_engine_has_no_import_cycle() -> None:
    graph = _imports()
    assert "inspector.program" not in graph["inspector.evaluate"]
    assert "inspector.evaluate" not in graph["inspector.records"]
    assert "reports" not in graph["inspector.run"]  # the store feeds the renderers

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return [*path, start]
                if nxt not in path:
                    stack.append((nxt, [*path, nxt]))
        return None

    cycles = [c for name in graph if (c := cycle_from(name))]
    assert not cycles, f"import cycles: {cycles[:3]}"
