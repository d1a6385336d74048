#!/usr/bin/env python3
"""Fails if sibling modules of any workspace crate depend on each other in a cycle.

A module depends on a sibling when code in it (or below it) names the sibling through
`crate::…` or `super::…`. A parent naming its children, or a child its parent, is not a
cycle: only modules under the same parent are compared. Comments are ignored.

    python3 .ci/module_cycles.py            # every crate in the workspace
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATES = ["src", "samp-grammar/src", "samp-core/src", "samp-http/src", "samp-runtime/src",
          "samp-hub/src", "samp-macros/src"]

COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\])*"')
PATH = re.compile(r"\b(crate|super(?:::super)*)::((?:[a-z_][a-z0-9_]*)(?:::[a-z_][a-z0-9_]*)*)")
USE_GROUP = re.compile(r"\b(crate|super(?:::super)*)::\{([^}]*)\}")


def module_path(src: pathlib.Path, file: pathlib.Path) -> tuple:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def targets(mod: tuple, text: str, is_mod_rs: bool):
    """Module paths named in `text`, resolved from module `mod`."""
    text = STRING.sub('""', COMMENT.sub("", text))
    found = []
    for m in PATH.finditer(text):
        found.append((m.group(1), m.group(2).split("::")))
    for m in USE_GROUP.finditer(text):
        for item in m.group(2).split(","):
            item = item.strip().split(" as ")[0].strip()
            if re.fullmatch(r"[a-z_][a-z0-9_]*(::[a-z_][a-z0-9_]*)*", item):
                found.append((m.group(1), item.split("::")))
    for head, rest in found:
        if head == "crate":
            base = ()
        else:
            ups = head.count("super")
            # In a mod.rs (or lib.rs) file, `super` is the parent of the module itself.
            base = mod[: len(mod) - ups] if len(mod) >= ups else None
            if base is None:
                continue
        yield base + tuple(rest)


def main() -> int:
    problems = []
    for crate in CRATES:
        src = ROOT / crate
        files = sorted(src.rglob("*.rs"))
        mods = {module_path(src, f): f for f in files}
        known = set(mods)
        edges = {}  # parent -> {child: set(children)}
        for mod, file in mods.items():
            for target in targets(mod, file.read_text(), file.name in ("mod.rs", "lib.rs")):
                # The longest known module prefix of the target.
                while target and target not in known:
                    target = target[:-1]
                if not target:
                    continue
                common = 0
                while common < min(len(mod), len(target)) and mod[common] == target[common]:
                    common += 1
                if common == len(mod) or common == len(target):
                    continue  # ancestor or descendant
                parent, a, b = mod[:common], mod[common], target[common]
                edges.setdefault(parent, {}).setdefault(a, set()).add(b)
        for parent, graph in edges.items():
            for cycle in cycles(graph):
                where = "::".join(parent) or "crate root"
                problems.append(f"{crate}: {where}: {' -> '.join(cycle + [cycle[0]])}")
    for p in problems:
        print(f"module cycle in {p}")
    if not problems:
        print(f"no module cycles in {len(CRATES)} crates")
    return 1 if problems else 0


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    sys.exit(main())
