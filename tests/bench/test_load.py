"""The load generator's HTTP client (``bench.load.Connection``) against a bare asyncio server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from bench.load import Connection

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def _client_of(handler: Handler) -> AsyncIterator[Connection]:
    """A ``Connection`` to a local server that runs ``handler`` for each connection; both closed after."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    client = Connection("127.0.0.1", server.sockets[0].getsockname()[1])
    try:
        yield client
    finally:
        client.close()
        server.close()
        await server.wait_closed()


def _echo(received: list[bytes], connections: list[int]) -> Handler:
    """A handler that answers each request with its own request line and body as JSON, keeping the
    connection; it records each request in ``received`` and each connection in ``connections``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while line := await reader.readline():
            length = 0
            while (header := await reader.readline()) != b"\r\n":
                name, _, value = header.decode().partition(":")
                length = int(value) if name.lower() == "content-length" else length
            body = await reader.readexactly(length)
            received.append(line + body)
            status = b"404 Not Found" if b"/missing" in line else b"200 OK"
            payload = json.dumps({"line": line.decode().strip(), "body": body.decode()}).encode()
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
        writer.close()

    return handle


def test_requests_share_one_connection_and_bodies_arrive_whole() -> None:
    received: list[bytes] = []
    connections: list[int] = []

    async def scenario() -> None:
        async with _client_of(_echo(received, connections)) as client:
            status, body = await client.request("GET", "/search?q=%E9%98%B2%E7%81%BD")
            assert status == 200
            assert json.loads(body)["line"] == "GET /search?q=%E9%98%B2%E7%81%BD HTTP/1.1"
            status, body = await client.request("POST", "/ask", json.dumps({"question": "防災"}).encode())
            assert (status, json.loads(json.loads(body)["body"])) == (200, {"question": "防災"})
            status, _ = await client.request("GET", "/missing")
            assert status == 404

    asyncio.run(scenario())
    assert len(received) == 3 and len(connections) == 1  # kept alive: one connection for all three


def test_a_chunked_response_is_refused_not_misread() -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")

    async def scenario() -> None:
        async with _client_of(chunked) as client:
            with pytest.raises(ConnectionError, match="Content-Length"):
                await client.request("GET", "/search?q=x")

    asyncio.run(scenario())


def test_a_closed_connection_is_reported_then_reopened() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.close()

    async def scenario() -> None:
        async with _client_of(hang_up) as client:
            for _ in range(2):  # the second request opens a new connection and fails the same way
                with pytest.raises(ConnectionError):
                    await client.request("GET", "/search?q=x")

    asyncio.run(scenario())
