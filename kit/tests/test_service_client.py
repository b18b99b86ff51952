"""The client services call each other with: a read whose connection breaks before the answer (a
kept-alive connection the other side closed meanwhile) is sent once more; a write never is; the
environment's proxy (the way out to the internet) is not put between services."""
from __future__ import annotations

import socket
import threading

import pytest
import requests

from egov_kit.http import ServiceClient


class Tokens:
    def token_for(self, target: str) -> str:
        return "token"


class DropsTheFirstRequest:
    """An HTTP server on a free port that reads the first request and closes the connection without
    a word, then answers every later one with 200."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests_seen = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.requests_seen += 1
                if self.requests_seen > 1:
                    body = b'{"ok":true}'
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def close(self):
        self.listener.close()


@pytest.fixture
def server():
    served = DropsTheFirstRequest()
    yield served
    served.close()


def test_a_read_whose_connection_breaks_is_sent_once_more(server):
    client = ServiceClient("accidents", Tokens(), urls={"registry": server.url})
    answer = client.get("registry", "/api/registry/organizations/1701100561")
    assert answer.status_code == 200 and answer.json() == {"ok": True} and server.requests_seen == 2


def test_a_write_whose_connection_breaks_is_not_sent_again(server):
    client = ServiceClient("accidents", Tokens(), urls={"auth": server.url})
    with pytest.raises(requests.ConnectionError):
        client.post("auth", "/api/auth/signatures", json={})
    assert server.requests_seen == 1


def test_the_environments_proxy_is_not_put_between_services(server, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    server.requests_seen = 1  # answer the first request already
    client = ServiceClient("accidents", Tokens(), urls={"registry": server.url})
    answer = client.get("registry", "/api/registry/organizations/1701100561")
    assert answer.status_code == 200 and server.requests_seen == 2
