"""One port, one server: grpc would otherwise let a second process share a taken port
(SO_REUSEPORT) and answer part of the calls with another service ("Method not found")."""

from __future__ import annotations

import asyncio

import pytest

from ogi.rpc import RpcServer


def nothing(_server: object) -> None:
    """No services but health and reflection."""


def test_a_second_server_on_a_taken_port_is_refused() -> None:
    async def second_on_the_same_port() -> None:
        first = RpcServer("127.0.0.1:0", [], nothing)
        port = await first.start()
        try:
            with pytest.raises(RuntimeError, match="Failed to bind"):
                await RpcServer(f"127.0.0.1:{port}", [], nothing).start()
        finally:
            await first.stop(0)

    asyncio.run(second_on_the_same_port())
