"""moto's server on 127.0.0.1 in a background thread, with a request counter.

Used by ``scopeguard demo`` and re-exported by ``scopeguard.testing``. Needs ``moto[server]``
(the ``demo`` or ``testing`` extra); imported only when used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["MotoServer"]


class MotoServer:
    """moto's server on 127.0.0.1 in a background thread, counting the requests it receives.

    ``requests`` counts every HTTP request that reached the emulator, which is the proof a test
    needs that a refused call sent nothing::

        with MotoServer() as server:
            factory = ClientFactory(session=..., endpoint_url=server.endpoint_url)
            before = server.requests
            ...
            assert server.requests == before
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host, self._port = host, port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests = 0
        self.paths: list[str] = []

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("MotoServer is not started; use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _count(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if not environ.get("PATH_INFO", "").startswith("/moto-api"):
                with self._lock:
                    self._requests += 1
                    self.paths.append(environ.get("PATH_INFO", ""))
            return app(environ, start_response)

        return counting

    def start(self) -> MotoServer:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass  # one access-log line per request would drown the demo's output

        app = self._count(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._host, self._port, app, threaded=True, request_handler=QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def reset(self) -> None:
        """Drop all emulated AWS state (moto's reset API), keeping the server running."""
        import urllib.request

        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
