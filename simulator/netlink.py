"""A TCP relay standing for the network between the robot and a server: it can be cut and restored.

`letan sim` puts it between the robot and the embedded MQTT broker, so "/unplug broker" cuts the
robot's link (connections dropped, new ones refused) while the broker and the staff watching it
stay up, as when a centre's network or broker host goes away. Bytes pass through unchanged.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpRelay:
    def __init__(self, target: tuple[str, int], port: int, host: str = "127.0.0.1"):
        self.target = target
        self.host = host
        self.port = port
        self._server: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def plugged(self) -> bool:
        return self._server is not None

    def start(self) -> TcpRelay:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), name="letan-sim-relay", daemon=True).start()
        return self

    def unplug(self) -> None:
        """Cut the link: stop listening and drop every relayed connection."""
        server, self._server = self._server, None
        if server is not None:
            _close(server)
        with self._lock:
            conns, self._conns = self._conns, set()
        for conn in conns:
            _close(conn)

    def plug(self) -> None:
        if self._server is None:
            self.start()

    stop = unplug

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # unplugged
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._server is not server:  # unplugged meanwhile
                    _close(client)
                    _close(upstream)
                    return
                self._conns.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                _close(sock)
            with self._lock:
                self._conns.discard(src)
                self._conns.discard(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
