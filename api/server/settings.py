"""The settings of the HTTP server, in one frozen dataclass.

Every knob of ``sgkg serve`` lives here, so a reader finds them in one place and a
later change (limits, other store backends) adds a field rather than a global. The
CLI builds a :class:`Settings`; :func:`api.server.app.create_app` reads it and nothing else.
"""

from dataclasses import dataclass, field
from pathlib import Path

from api.core.errors import SgkgError
from api.core.layout import Layout
from api.store.backends import EMBEDDED, STORES, StoreChoice

__all__ = ["EMBEDDED", "STORES", "Settings", "SettingsError", "StoreChoice"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Where ``make ui`` installs YASGUI and Swagger UI, relative to the project root.
VENDOR_UI_DIR = "vendor-ui"
#: The command that installs them, as a person should type it.
UI_INSTALL_COMMAND = "make ui"

# Limits of the endpoint; each is a `sgkg serve` option.
DEFAULT_QUERY_TIMEOUT = 10.0
DEFAULT_QUERY_WORKERS = 4
DEFAULT_QUERY_QUEUE = 32
DEFAULT_MAX_QUERY_LENGTH = 100_000
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_RESULT_ROWS = 100_000
DEFAULT_MAX_RESPONSE_BYTES = 50_000_000
#: A smaller byte limit would leave no room for the note that says an answer was cut.
MIN_RESPONSE_BYTES = 1024
#: A shorter admin token is refused: it could be guessed.
MIN_ADMIN_TOKEN_LENGTH = 16
#: The environment variable ``sgkg serve`` reads the admin token from.
ADMIN_TOKEN_ENV = "SGKG_ADMIN_TOKEN"


class SettingsError(SgkgError):
    """A setting out of range (bad port, negative timeout...)."""


@dataclass(frozen=True)
class Settings:
    """How the server runs. ``layout`` says where the build and the inputs are."""

    layout: Layout
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    #: the store backend and what it needs (:mod:`api.store.backends`)
    store: StoreChoice = field(default_factory=StoreChoice)
    #: seconds a query may run before its worker is killed and the client gets a 503
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    #: worker processes (each with its own copy of an in-memory store): queries that run at once
    query_workers: int = DEFAULT_QUERY_WORKERS
    #: requests that may wait for a busy worker; one more gets 429 with Retry-After
    query_queue: int = DEFAULT_QUERY_QUEUE
    #: characters a SPARQL query may have (longer: 413, or 414 in a URL)
    max_query_length: int = DEFAULT_MAX_QUERY_LENGTH
    #: bytes a request body may have (larger: 413)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: rows (SELECT) or triples (CONSTRUCT, DESCRIBE) an answer may have; more are cut
    #: and the answer says so (``X-Sgkg-Truncated: true``)
    max_result_rows: int = DEFAULT_MAX_RESULT_ROWS
    #: bytes an answer may have; rows (or triples) past it are cut and the answer says
    #: so (``X-Sgkg-Truncated: true``, ``X-Sgkg-Byte-Limit``)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    #: YASGUI and Swagger UI assets (``None``: ``ROOT/vendor-ui``)
    vendor_ui_dir: Path | None = None
    #: one log line per request (uvicorn's access log)
    access_log: bool = True
    #: let pages on other origins query the endpoint (CORS, read-only data, no credentials)
    cors: bool = True
    #: the bearer token of ``POST /admin/reload``; None disables the route
    admin_token: str | None = field(default=None, repr=False)
    #: rebuild and reload when a file under ontology/, shapes/ or data/ changes
    watch: bool = False
    #: seconds of quiet after a change before a reload in watch mode (a save in steps
    #: reloads once)
    watch_interval: float = 1.0
    #: reason when rebuilding for a reload (as ``sgkg build`` does)
    reason: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port {self.port} is not between 0 and 65535")
        if not isinstance(self.store, StoreChoice):
            raise SettingsError(f"store must be a StoreChoice, got {self.store!r}")
        if self.query_timeout <= 0:
            raise SettingsError(f"query timeout must be positive, got {self.query_timeout}")
        if self.query_workers < 1:
            raise SettingsError(f"need at least one query worker, got {self.query_workers}")
        for name in ("query_queue", "max_query_length", "max_body_bytes", "max_result_rows"):
            if getattr(self, name) < (0 if name == "query_queue" else 1):
                raise SettingsError(f"{name} must be positive, got {getattr(self, name)}")
        if self.max_response_bytes < MIN_RESPONSE_BYTES:
            raise SettingsError(
                f"max_response_bytes must be at least {MIN_RESPONSE_BYTES}, "
                f"got {self.max_response_bytes}"
            )
        if self.watch_interval <= 0:
            raise SettingsError(f"watch interval must be positive, got {self.watch_interval}")
        if self.admin_token is not None and len(self.admin_token) < MIN_ADMIN_TOKEN_LENGTH:
            raise SettingsError(
                f"the admin token must have at least {MIN_ADMIN_TOKEN_LENGTH} characters"
            )

    @property
    def ui_dir(self) -> Path:
        return self.vendor_ui_dir or self.layout.root / VENDOR_UI_DIR

    @property
    def base_url(self) -> str:
        """The URL people open, e.g. ``http://127.0.0.1:8000``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"
