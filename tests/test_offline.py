"""Offline guarantee: index, answer with the real models and build the chat UI with every non-loopback connection
refused and recorded; nothing may try to reach the network (no download, no telemetry, no analytics)."""

import ipaddress
import os
import socket

import pytest
from conftest import SEEDS

import rag

pytestmark = pytest.mark.slow


def _loopback(host) -> bool:
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def attempts(monkeypatch) -> list[str]:
    """Every attempt to reach a non-loopback address, refused and recorded."""
    tried: list[str] = []

    def refuse(what: str):
        tried.append(what)
        raise OSError(f"network disabled in this test: {what}")

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create, real_getaddrinfo = socket.create_connection, socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            refuse(f"connect {address}")
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            refuse(f"connect_ex {address}")
        return real_connect_ex(self, address)

    def create_connection(address, *args, **kwargs):
        if not _loopback(address[0]):
            refuse(f"create_connection {address}")
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            refuse(f"getaddrinfo {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return tried


def test_guard_records_and_refuses_outside_addresses(attempts):
    with pytest.raises(OSError, match="network disabled"):
        socket.create_connection(("93.184.215.14", 80), timeout=1)
    with pytest.raises(OSError, match="network disabled"):
        socket.getaddrinfo("huggingface.co", 443)
    assert len(attempts) == 2
    attempts.clear()


def test_index_ask_and_ui_never_touch_the_network(real, attempts, tmp_path):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    report = rag.index(str(SEEDS))
    assert sorted(report.added) == ["000_4c23560438d8b1e6.txt", "004_c32bc8aee1998fbf.txt"]
    answer = rag.ask("On what date did Microsoft and OpenAI formalize their new agreement?")
    assert not answer.refused and "October 28, 2025" in answer.text

    from ui.app import build_app

    app = build_app()
    assert app is not None
    assert attempts == [], f"network attempts: {attempts}"
