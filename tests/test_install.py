"""Outside a source checkout: the wheel, installed on its own, keeps its data in the user's data folder (or
RAG_DATA_DIR), never inside site-packages, and answers a question there."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

pytestmark = pytest.mark.slow


def test_the_installed_wheel_answers_with_its_data_in_the_users_folder(tmp_path, gguf):
    dist, site, home = tmp_path / "dist", tmp_path / "site", tmp_path / "home"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", dist, ROOT], check=True, cwd=tmp_path)
    (wheel,) = dist.glob("rag_news-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", site, wheel], check=True, cwd=tmp_path)
    assert not (site / "seeds").exists() and (site / "rag" / "grounding.py").is_file()
    corpus = tmp_path / "articles"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        (corpus / path.name).write_text(path.read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(PYTHONPATH=str(site), XDG_DATA_HOME=str(home), HF_HUB_OFFLINE="1", RAG_LLM_MODEL_PATH=str(gguf))
    rag = [sys.executable, "-c", "import sys; from rag_cli import main; sys.exit(main())"]
    where = subprocess.run(
        [sys.executable, "-c", "import rag; print(rag.__file__); print(rag.get_settings().data_dir)"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert where == [str(site / "rag" / "__init__.py"), str(home / "rag-news")]
    subprocess.run([*rag, "index", corpus], env=env, cwd=tmp_path, check=True, capture_output=True)
    asked = subprocess.run(
        [*rag, "ask", "--json", "On what date did Microsoft and OpenAI formalize their new agreement?"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and "October 28, 2025" in answer["text"]
    assert (home / "rag-news" / "chroma").is_dir() and list((home / "rag-news" / "kv").glob("*.kv"))
    assert not list(site.glob("**/.rag-data"))
