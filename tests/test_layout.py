"""The package layout: the library `rag` depends on none of its applications, and its modules import no circle."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPLICATIONS = {"ui", "eval", "rag_cli"}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (inside functions too), as written."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_library_imports_nothing_from_ui_eval_or_the_command():
    modules = sorted((ROOT / "rag").glob("*.py"))
    assert len(modules) > 10
    found = {
        f"{path.name} imports {name}"
        for path in modules
        for name in imported(path)
        if name.split(".")[0] in APPLICATIONS
    }
    assert not found


def test_the_llm_backends_do_not_register_themselves():
    from rag import llm, models, server

    for backend in ("llm.py", "server.py"):
        assert not {n for n in imported(ROOT / "rag" / backend) if n.startswith("rag.models")}
    # the registry names the built-in backends by path, imported on first use (llama.cpp and openai load slowly)
    assert not {"rag.llm", "rag.server"} & set(imported(ROOT / "rag" / "models.py"))
    assert models._resolve(models._llms["local"]) is llm.local_llm
    assert models._resolve(models._llms["openai"]) is server.server_llm
