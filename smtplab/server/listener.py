"""aiosmtpd's threaded ``Controller``, listening on a socket we bind ourselves.

Why: aiosmtpd 1.4.6 cannot take ``port=0`` (its ready check connects to port 0), and its default
listen backlog (100) stalls a class of 200 connecting at once. Binding the socket here gives a free
port chosen by the kernel, errors ("address in use") in the caller's thread, and a backlog we pick.
Its ready check also opens a throw-away client connection; we build the protocol once directly
instead, which checks the same thing without a phantom session in the log.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from aiosmtpd.controller import Controller

from smtplab.server.handler import LabState
from smtplab.server.protocol import LabSMTP

DEFAULT_BACKLOG = 1024
GOODBYE_WAIT = 0.5  # seconds stop() waits for connected clients to hear their 421
STOP_QUIET = 0.05  # seconds without input after which stop() closes a connection (no reset)


def bind_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port=0``: a free one)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class LabController(Controller):
    """A Controller for one run of a lab server (a stopped Controller cannot start again)."""

    def __init__(self, state: LabState, sock: socket.socket, *, backlog: int) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(state, hostname=host, port=port, server_hostname=state.hostname)
        self.state = state
        self.sock = sock
        self.backlog = backlog

    def factory(self) -> LabSMTP:
        return LabSMTP(self.state, loop=self.loop)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self.sock, backlog=self.backlog)

    def _trigger_server(self) -> None:
        """Build one protocol instance to surface factory errors (no network round trip)."""
        self._factory_invoker()

    async def say_goodbye(self) -> None:
        """Stop accepting, tell every connected client 421, and close each connection once its
        input has gone quiet: a shortened linger, so that stop() returns within a second."""
        if self.server is not None:
            self.server.close()
        for client in list(self.state.live):
            client.goodbye("shutdown")
        deadline = self.loop.time() + GOODBYE_WAIT
        while self.state.live:
            since = self.loop.time()
            await asyncio.sleep(STOP_QUIET)
            last_round = self.loop.time() >= deadline
            for client in list(self.state.live):
                if last_round or client.quiet_since(since):
                    client.close_now()
            await asyncio.sleep(0)  # connection_lost runs: the closed ones leave ``live``
            if last_round:
                return
