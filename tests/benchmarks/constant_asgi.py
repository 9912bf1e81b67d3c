"""The floor of the endpoint benchmark: an ASGI app that answers every request at once.

Run as ``python tests/benchmarks/constant_asgi.py PORT``: the same uvicorn settings as
sgkg and rdflib-endpoint (httptools, uvloop, no access log), and a constant SPARQL JSON
answer. What one client measures against it is the round trip that no server on this
stack, on this machine, can go below; the ratios it bounds are in RESULTS.md.
"""

import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

ANSWER = b'{"head":{},"boolean":true}'
HEADERS = [(b"content-type", b"application/sparql-results+json")]


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": ANSWER})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
