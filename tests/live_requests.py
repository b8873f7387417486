"""The live server's connections still being served, so a test ends only once they are done.

A browser test ends with its page closed, then the database is flushed (TRUNCATE on
PostgreSQL). A request the page sent just before (the door's counts every 20 s, a scan, an
upload) may still be running in a thread of the live server: its transaction and the TRUNCATE
then lock the same tables in opposite order, and PostgreSQL ends one of them (a deadlock at
teardown). The test's last fixture therefore closes every page and waits here until the server
serves no connection, before the flush.

A connection is counted from the moment the server accepts it until its thread has answered
and closed its database connections (``ThreadedWSGIServer.close_request``). Chromium opens its
connections before it sends a request on them, so a request sent before the pages closed is on
a connection already counted.
"""

import threading
from collections.abc import Callable


class LiveServerConnections:
    """Counts the connections the live server is serving; ``hold`` keeps requests to one path
    waiting in the server (a slow request, made on purpose by a test)."""

    def __init__(self, server):
        self.changed = threading.Condition()
        self.open = 0
        self.answering: list[str] = []  # the paths of the requests being answered now
        self.held: dict[str, threading.Event] = {}
        self.holding: list[str] = []  # the paths of the requests waiting because of ``hold`` now
        accept, serve = server.process_request, server.process_request_thread

        def accepted(request, client_address):
            with self.changed:
                self.open += 1
            try:
                accept(request, client_address)  # starts the thread that serves it
            except BaseException:
                self._closed()
                raise

        def served(request, client_address):
            try:
                serve(request, client_address)
            finally:
                self._closed()

        server.process_request, server.process_request_thread = accepted, served
        application = server.get_app()

        def answer(environ, start_response):
            path = environ.get("PATH_INFO", "")
            with self.changed:
                self.answering.append(path)
                self.changed.notify_all()
                hold = next((event for end, event in self.held.items() if path.endswith(end)), None)
            try:
                if hold is not None:
                    self._wait_held(path, hold)
                return application(environ, start_response)
            finally:
                with self.changed:
                    self.answering.remove(path)
                    self.changed.notify_all()

        server.set_app(answer)

    def _wait_held(self, path: str, hold: threading.Event):
        with self.changed:
            self.holding.append(path)
            self.changed.notify_all()
        hold.wait()
        with self.changed:
            self.holding.remove(path)

    def _closed(self):
        with self.changed:
            self.open -= 1
            self.changed.notify_all()

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(condition, timeout)

    def wait_until_quiet(self, timeout: float = 30) -> None:
        """Returns once no connection is being served; fails naming the requests still running."""
        if not self.wait_until(lambda: self.open == 0, timeout):
            raise AssertionError(
                f"the live server still serves {self.open} connection(s) {timeout} s after the pages closed;"
                f" answering {self.answering}"
            )

    def hold(self, path_end: str) -> threading.Event:
        """Requests whose path ends with ``path_end`` wait in the server until the event is set."""
        release = self.held[path_end] = threading.Event()
        return release

    def release_all(self) -> None:
        for event in self.held.values():
            event.set()
        self.held.clear()


def connections_of(live_server) -> LiveServerConnections:
    """The counter of the (session-wide) live server, installed once."""
    server = live_server.thread.httpd
    counter = getattr(server, "connections_counted", None)
    if counter is None:
        counter = server.connections_counted = LiveServerConnections(server)
    return counter
