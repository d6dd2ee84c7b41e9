"""Serving WSGI apps with waitress, several in one process, each on its own port.

:class:`ServedApp` binds its socket at once (port 0 picks a free one, known through
``port``) and accepts the application later, so URLs that depend on the ports can be
put into the apps' configuration before they are built.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from typing import Any

from waitress.server import create_server  # type: ignore[import-untyped]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _not_ready(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Retry-After", "1")])
    return [b"starting\n"]


class ServedApp:
    """One WSGI app served by waitress in a thread of its own."""

    def __init__(self, name: str, host: str, port: int, *, threads: int = 8) -> None:
        self.name = name
        self.host = host
        self.application: WSGIApp = _not_ready
        self._server: Any = create_server(
            self._dispatch,
            host=host,
            port=port,
            threads=threads,
            ident="calor",
            clear_untrusted_proxy_headers=True,
        )
        self.port: int = int(self._server.effective_port)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.application(environ, start_response)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"serve-{self.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # The socket may close under the loop during shutdown.
        with contextlib.suppress(OSError, ValueError):
            self._server.run()

    def stop(self, timeout: float = 5.0) -> None:
        # Let running requests finish while the loop still flushes their output, then close.
        task_dispatcher = getattr(self._server, "task_dispatcher", None)
        if task_dispatcher is not None:
            task_dispatcher.shutdown(timeout=timeout)
        self._server.close()
        # Open keep-alive connections would keep the loop running: close them too.
        for channel in list(getattr(self._server, "_map", {}).values()):
            with contextlib.suppress(OSError):
                channel.close()
        if self._thread is not None:
            self._thread.join(timeout)


def serve_until_signalled(server: ServedApp, program: str) -> int:
    """Start ``server``, say where it listens, and stop it on SIGTERM or SIGINT (exit status 0)."""
    import logging
    import signal
    from types import FrameType

    stopping = threading.Event()

    def stop(signal_number: int, _frame: FrameType | None) -> None:
        logging.getLogger(program).info("signal %s: stopping", signal_number)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.start()
    print(f"{program} serving on {server.url}", flush=True)
    while not stopping.wait(1.0):
        pass
    server.stop()
    return 0
