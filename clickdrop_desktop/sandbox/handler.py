"""The HTTP layer: reads requests, applies transport faults, logs, and writes replies."""

from __future__ import annotations

import json
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from clickdrop_desktop.sandbox import api, control, resources
from clickdrop_desktop.sandbox.core import Reply, Request, SandboxState

API_PREFIX = "/api/v1"
CONTROL_PREFIX = "/_sandbox"
MAX_BODY = 20 * 1024 * 1024
_MAINTENANCE_HTML = (
    b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>"
    b"<h1>Click &amp; Drop is currently unavailable</h1><p>We are carrying out planned "
    b"maintenance. Please try again later.</p></body></html>"
)


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that carries the sandbox state for its handlers."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        self.state = state
        super().__init__(address, SandboxHandler)


class _BodyTooLarge(Exception):
    pass


class SandboxHandler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive, as the real API (and httpx) use."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, keep-alive clients wait out
    # the peer's delayed ACK (~40 ms) on every request.
    disable_nagle_algorithm = True
    server_version = "ClickDropSandbox/1.0"
    sys_version = ""
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log replaces access logging; keys must not reach stderr anyway

    # -- reading -------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise _BodyTooLarge
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise _BodyTooLarge
        return self.rfile.read(length) if length > 0 else b""

    # -- dispatch ------------------------------------------------------------------------

    def _dispatch(self) -> None:
        state = self.server.state
        split = urlsplit(self.path)
        try:
            body = self._read_body()
        except (_BodyTooLarge, ValueError):
            self.close_connection = True
            self._send(Reply(413, resources.error("Request body too large or malformed")))
            return
        query = parse_qs(split.query, keep_blank_values=True)
        if split.path == CONTROL_PREFIX or split.path.startswith(CONTROL_PREFIX + "/"):
            reply = self._guarded(
                lambda: control.handle(
                    state,
                    self.command,
                    split.path[len(CONTROL_PREFIX) :],
                    query,
                    body,
                    self._base(),
                )
            )
            self._send(reply)
            return
        if not (split.path == API_PREFIX or split.path.startswith(API_PREFIX + "/")):
            self._send(Reply(404, resources.error("Not Found", "NotFound")))
            return
        api_path = split.path[len(API_PREFIX) :] or "/"
        account, auth_ok = state.identify(self.headers.get("Authorization"))
        req = Request(self.command, api_path, query, body, account)
        with state.serving():
            self._api(state, req, auth_ok)

    def _base(self) -> str:
        host, port = self.server.server_address[:2]
        text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{text}:{port}"

    def _guarded(self, produce: Any) -> Reply:
        try:
            reply: Reply = produce()
        except Exception:  # noqa: BLE001 - a sandbox bug must answer 500, not kill the thread
            traceback.print_exc(file=sys.stderr)
            reply = server_error(self.path, None)
        return reply

    def _api(self, state: SandboxState, req: Request, auth_ok: bool) -> None:
        name = req.account.name if req.account else None
        mutating = req.method in ("POST", "PUT", "DELETE", "PATCH") or (
            req.method == "GET" and req.path.rstrip("/").endswith("/label")
        )
        take = state.faults.take
        where = (req.method, req.path, name)

        def log(reply: Reply | None, delivered: bool, fault: str | None) -> None:
            state.log.record(
                method=req.method,
                path=API_PREFIX + req.path + _query_text(self.path),
                account=name,
                body=_body_for_log(req.body),
                status=reply.status if reply else None,
                delivered=delivered,
                mutating=mutating,
                fault=fault,
            )

        fault = take("maintenance", *where)
        if fault is not None:
            reply = _maintenance(fault.options)
            log(reply, True, "maintenance")
            self._send(reply)
            return
        if take("drop", *where, when="before") is not None:
            log(None, False, "drop")
            self._drop()
            return
        fault = take("slow", *where)
        if fault is not None:
            time.sleep(fault.options["delay_ms"] / 1000)
        fault = take("storm", *where)
        if fault is not None:
            reply = Reply(
                429, resources.error("Too many requests", "TooManyRequests"), fault="storm"
            )
            if fault.options.get("retry_after") is not None:
                reply.headers["Retry-After"] = str(fault.options["retry_after"])
        elif take("error_500", *where) is not None:
            reply = server_error(req.path, "error_500")
        else:
            reply = self._guarded(lambda: api.handle(state, req, auth_ok))
        if take("drop", *where, when="after") is not None:
            log(reply, False, _faults(reply.fault, "drop"))
            self._drop()
            return
        if take("truncated", *where) is not None:
            log(reply, False, _faults(reply.fault, "truncated"))
            self._send(reply, truncate=True)
            return
        if take("malformed", *where) is not None:
            reply = _malformed(reply)
        log(reply, True, reply.fault)
        self._send(reply)

    # -- writing -------------------------------------------------------------------------

    def _send(self, reply: Reply, *, truncate: bool = False) -> None:
        body = reply.body()
        try:
            self.send_response(reply.status)
            if body or reply.status not in (204, 304):
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body[: len(body) // 2] if truncate else body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        if truncate:
            self._drop()

    def _drop(self) -> None:
        """Close the socket with nothing (more) sent."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def server_error(path: str, fault: str | None) -> Reply:
    """A 500 in the shape the spec gives for the endpoint (manifests have their own)."""
    if "/manifests" in path:
        body: Any = {"errors": [{"code": "InternalError", "description": "An error occurred"}]}
    else:
        body = resources.error("An unexpected error occurred", "InternalError")
    return Reply(500, body, fault=fault)


def _faults(first: str | None, second: str) -> str:
    return second if first is None else f"{first},{second}"


def _maintenance(options: dict[str, Any]) -> Reply:
    style = options.get("body", "html")
    reply = Reply(503, fault="maintenance")
    if style == "html":
        reply.raw, reply.content_type = _MAINTENANCE_HTML, "text/html; charset=utf-8"
    elif style == "json":
        reply.data = resources.error("Service is under maintenance", "ServiceUnavailable")
    if options.get("retry_after") is not None:
        reply.headers["Retry-After"] = str(options["retry_after"])
    return reply


def _malformed(reply: Reply) -> Reply:
    """JSON cut in half (still a complete HTTP body), or an HTML page where a PDF should be."""
    body = reply.body()
    if reply.content_type.startswith("application/pdf"):
        raw = b"<html><body>Error generating document</body></html>"
    else:
        raw = body[: max(1, len(body) // 2)] if body else b"{"
        if raw.endswith((b"}", b"]")):
            raw = raw[:-1]
    return Reply(
        reply.status,
        raw=raw,
        content_type=reply.content_type,
        headers=reply.headers,
        fault=_faults(reply.fault, "malformed"),
    )


def _query_text(path: str) -> str:
    query = urlsplit(path).query
    return f"?{query}" if query else ""


def _body_for_log(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return body.decode("utf-8", "replace")[:10_000]
