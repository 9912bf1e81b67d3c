"""What every request goes through before a route: id, size limit, HEAD, last-resort errors.

:class:`RequestGuard` is plain ASGI (no per-request objects beyond a closure, so it adds
microseconds, not a thread hop) and does four things:

- **request id**: each request gets one (a client's own ``X-Request-Id`` is kept when it
  is short and plain), in the ``X-Request-Id`` response header, in every error body and
  in every error log line (:data:`api.server.http_errors.CURRENT_REQUEST`);
- **body size**: a body larger than ``max_body_bytes`` is refused with 413, before it is
  read when ``Content-Length`` says so, else as soon as the bytes received pass it;
- **HEAD**: answered wherever GET is, with the GET answer's headers and no body;
- **last resort**: an exception no route handled becomes a 500 with a JSON body naming
  the request id (the traceback goes to the log only).

It also sets ``X-Content-Type-Options: nosniff`` on every answer (pages set their own
Content-Security-Policy and friends, :data:`api.html.pages.SECURITY_HEADERS`).
"""

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from api.server.http_errors import CURRENT_REQUEST, RequestContext, error_response

log = logging.getLogger("sgkg")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = b"x-request-id"
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class BodyTooLarge(Exception):
    """Raised by the guarded ``receive`` once a body passes the limit."""


class RequestGuard:
    """ASGI middleware: request ids, the body size limit, HEAD, last-resort 500s."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        request_id = _request_id(headers.get(REQUEST_ID_HEADER))
        context = RequestContext(
            request_id,
            scope["method"],
            scope.get("path", ""),
            headers.get(b"accept", b"").decode("latin-1") or None,
        )
        token = CURRENT_REQUEST.set(context)
        is_head = scope["method"] == "HEAD"
        if is_head:
            scope = {**scope, "method": "GET"}
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [(REQUEST_ID_HEADER, request_id.encode())]
                names = {name.lower() for name, _ in message.get("headers", ())}
                if b"x-content-type-options" not in names:
                    extra.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            elif is_head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        try:
            refusal = self._refuse_declared_size(headers)
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
                return
            await self.app(scope, self._limited(receive), send_with_headers)
        except BodyTooLarge:
            if not started:
                await self._too_large()(scope, receive, send_with_headers)
        except Exception:
            log.exception(
                "sgkg: [%s] unhandled error in %s %s", request_id, context.method, context.path
            )
            if not started:
                message = (
                    "an internal error occurred; it was logged with the request id "
                    f"{request_id}: quote it when reporting the problem"
                )
                await error_response(500, message)(scope, receive, send_with_headers)
        finally:
            CURRENT_REQUEST.reset(token)

    def _refuse_declared_size(self, headers: dict[bytes, bytes]) -> Any:
        declared = headers.get(b"content-length")
        if declared is None:
            return None
        if not declared.strip().isdigit():
            return error_response(400, f"Content-Length {declared.decode('latin-1')!r} is no size")
        if int(declared) > self.max_body_bytes:
            return self._too_large(int(declared))
        return None

    def _too_large(self, size: int | None = None) -> Any:
        told = f" ({size:,} bytes)" if size is not None else ""
        return error_response(
            413,
            f"the request body{told} is larger than this server accepts "
            f"({self.max_body_bytes:,} bytes); send a shorter query",
            limit=self.max_body_bytes,
        )

    def _limited(self, receive: Receive) -> Receive:
        """``receive``, counting body bytes; raises :class:`BodyTooLarge` past the limit."""
        received = 0
        limit = self.max_body_bytes

        async def guarded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        return guarded


def _headers(scope: Scope) -> dict[bytes, bytes]:
    """The request headers, names lower case (ASGI gives them so), last value wins."""
    return dict(scope.get("headers", ()))


def _request_id(offered: bytes | None) -> str:
    if offered is not None:
        text = offered.decode("latin-1")
        if _CLIENT_REQUEST_ID.fullmatch(text):
            return text
    return secrets.token_hex(8)
