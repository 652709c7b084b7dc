"""RAG_LLM_REPACK: llama.cpp's repacked weights only when asked for, never on an AMX CPU (they crash there)."""

import llama_cpp.llama as module

from rag import llm


def extra_buffers() -> bool:
    return bool(module.llama_cpp.llama_model_default_params().use_extra_bufts)


def test_the_weights_are_repacked_only_when_asked_and_never_on_amx(monkeypatch):
    monkeypatch.setattr(llm, "has_amx", lambda: False)
    with llm._loading(repack=False):
        assert not extra_buffers()
    with llm._loading(repack=True):
        assert extra_buffers()
    monkeypatch.setattr(llm, "has_amx", lambda: True)
    with llm._loading(repack=True):
        assert not extra_buffers()
    assert extra_buffers()  # llama.cpp's own default is restored after loading


def test_the_setting_reaches_the_model_and_its_rewriting_sibling(tmp_path, monkeypatch):
    import llama_cpp

    from rag import Settings

    loaded = []  # whether llama.cpp would repack, as each model is constructed

    class Constructed:
        def __init__(self, **_) -> None:
            loaded.append(extra_buffers())

        def close(self) -> None: ...

    monkeypatch.setattr(llama_cpp, "Llama", Constructed)
    monkeypatch.setattr(llm, "has_amx", lambda: False)
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    for repack in (True, False):
        model = llm.local_llm(Settings(data_dir=tmp_path, llm_model_path=gguf, llm_repack=repack))
        assert model.repack is repack and model.sibling().repack is repack
    assert loaded == [True, True, False, False] and Settings().llm_repack is False
