"""Misbehaving portals for failure tests: a server answering 500, one that never
answers, an empty column, and a GBK site that lies about its charset."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = tuple[int, dict[str, str], bytes, float]  # status, headers, body, delay seconds


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, headers, body, delay = self.server.routes.get(
            self.path,
            (404, {"Content-Type": "text/html; charset=utf-8"}, "<h1>404</h1>".encode(), 0.0),
        )
        if delay:
            time.sleep(delay)
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: str, routes: dict[str, Route]):
        super().__init__((address, 0), _Handler)
        self.routes = routes


@contextmanager
def serve(address: str, routes: dict[str, Route]) -> Iterator[str]:
    """Serve `routes` on `address`; yields the base URL."""
    server = _Server(address, routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{address}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port(address: str) -> int:
    """A port on `address` with nothing listening (connection refused)."""
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])
