"""Network reads of the compiler: the http(s) resources a document names (`<script src>`, `xi:include href`), fetched only when the user allowed it, bounded in size and time.

A document is untrusted: by default the compiler never uses the network (`--allow-fetch`,
API `allow_fetch=True`, turns it on). Even then a fetch reads at most the limit of a chart's
files (MAX_DOCUMENT_BYTES, as for files), gives up after a deadline however slowly the server
drips its answer, and follows redirects only to http(s): a page on the network never makes
the compiler read a local file (`file:`) or use another protocol.
"""

from __future__ import annotations

import re

from scxmlc_runtime.documents import MAX_DOCUMENT_BYTES, read_body

REMOTE = re.compile(r"^https?://", re.I)
# (a URL whose scheme is not http(s) or file: ftp, data, ...; a Windows drive letter is a path)
OTHER_SCHEME = re.compile(r"^[a-zA-Z][\w+.-]+:")
TIMEOUT = 30.0


class FetchError(Exception):
    """A resource that could not be fetched; the message says why, for a diagnostic."""


def fetch(url: str, limit: int | None = None, timeout: float | None = None) -> tuple[bytes, str | None]:
    """The body of an http(s) `url` and the charset its answer names (None when it names
    none). FetchError for anything else: an HTTP error status, no connection, a body larger
    than `limit` (default MAX_DOCUMENT_BYTES), more than `timeout` seconds in all (default
    TIMEOUT), a redirect to another protocol."""
    import http.client
    import urllib.error
    import urllib.request

    if not REMOTE.match(url):
        raise FetchError("only http(s) URLs are fetched")
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    timeout = TIMEOUT if timeout is None else timeout

    class HttpOnly(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
            if not REMOTE.match(newurl):
                raise FetchError(f"redirected to {newurl[:200]}, which is not http(s)")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(HttpOnly)
    try:
        # (the socket's timeout bounds each wait; read_body's deadline, the whole body)
        with opener.open(url, timeout=min(timeout, 10.0)) as response:
            return read_body(response, limit, timeout), response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(str(exc.reason) or "cannot connect") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise FetchError(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__) from None


__all__ = ["FetchError", "OTHER_SCHEME", "REMOTE", "fetch"]
