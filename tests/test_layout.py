"""The package layout: the library `rag` depends on none of its applications, its modules import no circle, and
the applications `eval` and `ui` use only its public names (`rag.__all__`)."""

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


def private_imports(path: Path) -> set[str]:
    """The `rag` submodules and the names outside `rag.__all__` that `path` imports, at any depth."""
    import rag

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("rag."))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.startswith("rag."):
                found.add(node.module)
            elif node.module == "rag":
                found.update(f"rag.{alias.name}" for alias in node.names if alias.name not in rag.__all__)
    return found


def test_eval_and_ui_import_only_the_public_names_of_rag():
    import rag

    assert all(hasattr(rag, name) for name in rag.__all__)
    modules = sorted(path for app in ("eval", "ui") for path in (ROOT / app).rglob("*.py"))
    assert len(modules) > 20
    found = {f"{path.relative_to(ROOT)} imports {name}" for path in modules for name in private_imports(path)}
    assert not found, sorted(found)


def test_the_public_api_check_sees_every_kind_of_private_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import rag\nimport rag.engine\nfrom rag import Engine, offline\nfrom rag.cite import strip_markers\n"
        "def later():\n    from rag.settings import ROOT\n"
    )
    assert private_imports(bad) == {"rag.engine", "rag.offline", "rag.cite", "rag.settings"}


def test_the_llm_backends_do_not_register_themselves():
    from rag import llm, models, server

    for backend in ("llm.py", "server.py"):
        assert not {n for n in imported(ROOT / "rag" / backend) if n.startswith("rag.models")}
    # the registry names the built-in backends by path, imported on first use (llama.cpp and openai load slowly)
    assert not {"rag.llm", "rag.server"} & set(imported(ROOT / "rag" / "models.py"))
    assert models._resolve(models._llms["local"]) is llm.local_llm
    assert models._resolve(models._llms["openai"]) is server.server_llm
