"""Shared fixtures: real SMTP servers on 127.0.0.1 and a free port, always stopped afterwards."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest
from aiosmtpd.controller import Controller

from smtplab.server import LabServer
from smtplab.testing import running_lab

HOST = "127.0.0.1"
BANNER_HOST = "bare.example.test"


class BareController(Controller):  # type: ignore[misc]  # aiosmtpd ships no types
    """aiosmtpd's Controller listening on a socket we bound first: a free port with no race
    (``port=0`` breaks its ready-check) and no second listener left behind."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((HOST, 0))
        super().__init__(
            object(),  # aiosmtpd's default behaviour: no handler hooks
            hostname=HOST,
            port=self._sock.getsockname()[1],
            server_hostname=BANNER_HOST,
            ident="Python SMTP",
        )

    def _create_server(self):  # type: ignore[no-untyped-def]
        return self.loop.create_server(self._factory_invoker, sock=self._sock)

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert)
        self._sock.close()


@pytest.fixture
def start_bare_server() -> Iterator[Callable[[], BareController]]:
    """Start bare Controllers on demand (a test may stop one itself); all stopped at the end."""
    started: list[BareController] = []

    def start() -> BareController:
        controller = BareController()
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        if controller.loop.is_running():
            controller.stop()


@pytest.fixture
def bare_server(start_bare_server: Callable[[], BareController]) -> BareController:
    """A bare aiosmtpd Controller: the anchor our lab server is compared against."""
    return start_bare_server()


class Target(NamedTuple):
    """Where the client tests connect: address, and the server's event loop (for lab sessions)."""

    host: str
    port: int
    loop: asyncio.AbstractEventLoop


@pytest.fixture
def lab() -> Iterator[LabServer]:
    """The lab server with its defaults, as ``smtplab.start()`` gives a learner."""
    with running_lab() as server:
        yield server


@pytest.fixture
def server(lab: LabServer) -> Target:
    """The server the client tests talk to: the lab server."""
    return Target(lab.host, lab.port, lab.loop)
