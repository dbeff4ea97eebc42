"""The load generator's HTTP client (``bench.load.Connection``) against a bare asyncio server."""

from __future__ import annotations

import asyncio
import json

import pytest

from bench.load import Connection


async def _serve(received: list[bytes]) -> asyncio.Server:
    """A server that answers each request with its own request line as JSON, keeping the connection."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_requests_share_one_connection_and_bodies_arrive_whole() -> None:
    async def scenario() -> None:
        received: list[bytes] = []
        server = await _serve(received)
        port = server.sockets[0].getsockname()[1]
        client = Connection("127.0.0.1", port)
        try:
            status, body = await client.request("GET", "/search?q=%E9%98%B2%E7%81%BD")
            assert status == 200
            assert json.loads(body)["line"] == "GET /search?q=%E9%98%B2%E7%81%BD HTTP/1.1"
            status, body = await client.request("POST", "/ask", json.dumps({"question": "防災"}).encode())
            assert (status, json.loads(json.loads(body)["body"])) == (200, {"question": "防災"})
            status, _ = await client.request("GET", "/missing")
            assert status == 404
        finally:
            client.close()
            server.close()
            await server.wait_closed()
        assert len(received) == 3

    asyncio.run(scenario())


def test_a_chunked_response_is_refused_not_misread() -> None:
    async def scenario() -> None:
        async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")

        server = await asyncio.start_server(chunked, "127.0.0.1", 0)
        client = Connection("127.0.0.1", server.sockets[0].getsockname()[1])
        try:
            with pytest.raises(ConnectionError, match="Content-Length"):
                await client.request("GET", "/search?q=x")
        finally:
            client.close()
            server.close()
            await server.wait_closed()

    asyncio.run(scenario())


def test_a_closed_connection_is_reported_then_reopened() -> None:
    async def scenario() -> None:
        async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readline()
            writer.close()

        server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
        client = Connection("127.0.0.1", server.sockets[0].getsockname()[1])
        try:
            for _ in range(2):  # the second request opens a new connection and fails the same way
                with pytest.raises(ConnectionError):
                    await client.request("GET", "/search?q=x")
        finally:
            client.close()
            server.close()
            await server.wait_closed()

    asyncio.run(scenario())
