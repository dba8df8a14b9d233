"""No import circle in bot/ (issue 22): each package reads from the bottom up, and a module never needs one that
needs it back.

The graph is built with `ast` from every module under bot/, and it counts every import of a bot module, at module
level and inside functions alike. A module-level circle is what breaks loading; but an import moved into a function
to dodge that is still a dependency: the two modules cannot be understood, tested or changed apart, and the
circle this issue untied (knowledge -> conditions -> classify -> knowledge) was made entirely of such deferred
imports. So deferral does not excuse a circle here. Importing a package's `__init__` that happens to run when a
submodule is imported (Python imports `bot.ltr` before `bot.ltr.model`) is not counted: it is how packages load,
not a dependency the module chose.
"""
from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for path in BOT.rglob("*.py"):
        parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_package)
    return out


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> dict[str, set[str]]:
    """module -> the bot modules it imports (anywhere in the file)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, (path, is_package) in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, module, is_package)
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    if target in modules:
                        edges.add(target)  # `from . import offer`: the submodule
                    elif base in modules:
                        edges.add(base)  # `from .model import Case`: the module (or package) named
        edges.discard(module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle for each strongly connected group of modules (Tarjan), as a path that returns to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_circle(graph, group) for group in groups]


def _circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path inside the group from its first module back to itself."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    return sorted(group)


def test_the_graph_sees_every_kind_of_import():
    graph = import_graph()
    assert "bot.ltr.model" in graph["bot.ltr.engine"]  # from .model import ...
    assert "bot.ltr.offer" in graph["bot.ltr.engine"]  # from . import offer
    assert "bot.ltr" in graph["bot.render.text"]  # from bot.ltr import load_knowledge


def test_the_cycle_finder_finds_a_circle_made_of_deferred_imports():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_bot():
    found = cycles(import_graph())
    assert not found, "import circles in bot/: " + "; ".join(" -> ".join(c) for c in found)


def test_the_rule_module_reads_bottom_up_in_layers():
    """bot/ltr: types, then the knowledge loader, then one run's record, then the steps, then the decision order
    (ARCHITECTURE.md). A module imports only modules in its own layer or below."""
    layers = [
        {"cpv_catalogue", "price", "model"},
        {"knowledge"},
        {"run", "match"},
        {"classification", "value", "threshold", "conditions", "exemptions", "psr", "regime", "mixed", "cross_border",
         "offer"},
        {"engine"},
    ]
    layer_of = {m: i for i, layer in enumerate(layers) for m in layer}
    graph = import_graph()
    ltr = {m.rsplit(".", 1)[1] for m in graph if m.startswith("bot.ltr.")}
    assert ltr == set(layer_of), f"modules not placed in a layer: {sorted(ltr ^ set(layer_of))}"
    upward = [f"{m} -> {t}" for m in ltr for t in (x.rsplit(".", 1)[1] for x in graph[f"bot.ltr.{m}"] if x.startswith("bot.ltr."))
              if layer_of[t] > layer_of[m]]
    assert not upward, f"imports from a higher layer: {upward}"
