"""Requests that are not valid HTTP get the server's own JSON error, not uvicorn's text.

uvicorn answers a request its HTTP parser (httptools) cannot read with a plain-text
``400 Invalid HTTP request received.``: no JSON, no request id, and nothing logged with
one. That happens before the app sees anything, for a malformed ``Content-Length``, a
method the parser does not know, and a URL longer than 65,535 bytes (httptools keeps
URL offsets in 16 bits), which is how a long GET query fails: uvicorn's answer would
leave the 414 documented for a query too long for a URL unreachable.

:class:`JsonErrorHttpProtocol` is uvicorn's own protocol with that one answer replaced:
the JSON body every other error has (:func:`api.server.http_errors.error_payload`), a request
id in it and in ``X-Request-Id``, the parser's reason in the message, the line logged;
414 for a URL too long, 400 for the rest. ``sgkg serve`` hands it to uvicorn
(``uvicorn.Config(http=...)``).
"""

import json
import secrets
from http import HTTPStatus
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.server.http_errors import RequestContext, error_payload, log_error

#: The longest URL httptools can parse.
MAX_URL_BYTES = 65_535


class JsonErrorHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering unreadable requests like the app would."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parser = _RememberingParser(self.parser)

    def send_400_response(self, msg: str) -> None:
        error = self.parser.error
        if len(self.url) > MAX_URL_BYTES:
            status = 414
            message = (
                f"the URL has {len(self.url):,} bytes; this server reads URLs of at most "
                f"{MAX_URL_BYTES:,}: send a long query by POST (as application/sparql-query, "
                "or a form)"
            )
        else:
            status = 400
            # a callback's failure (uvicorn's code reading the request) is the reason
            cause = error.__context__ if error is not None and error.__context__ else error
            reason = str(cause) if cause is not None else msg
            message = f"the request is not valid HTTP/1.1: {reason}"
        request_id = secrets.token_hex(8)
        log_error(status, message, RequestContext(request_id, "-", "-", None))
        body = json.dumps(error_payload(status, message, request_id)).encode()
        head = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode(),
            *(name + b": " + value for name, value in self.server_state.default_headers),
            b"content-type: application/json",
            b"content-length: " + str(len(body)).encode(),
            b"x-request-id: " + request_id.encode(),
            b"x-content-type-options: nosniff",
            b"connection: close",
        ]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()


class _RememberingParser:
    """The request parser, remembering the error that stopped it (uvicorn drops it)."""

    def __init__(self, parser: httptools.HttpRequestParser) -> None:
        self._parser = parser
        self.error: httptools.HttpParserError | None = None

    def feed_data(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self.error = error
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)
