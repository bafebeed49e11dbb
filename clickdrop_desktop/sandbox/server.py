"""The Click & Drop sandbox server: `Sandbox` (in-process) and `run(args)` (its own process).

Serves every endpoint of `reference/click-and-drop-api-v1.yaml` under `/api/v1` with the
spec's shapes and status codes, for five accounts (stable names; keys random per run):

    olp             OLP             both auth forms     no labels/manifests/full (403)
    oba             OBA             both                labels 6x4 (101.6 x 152.4 mm)
    oba-a4          OBA             both                labels A4 (6x4 in the top-left quarter)
    channelshipper  ChannelShipper  both                /full, despatchedByOtherCourier
    olp-bare        OLP             bare key ONLY       `Bearer <key>` gets 401 (client fallback)

`clickdrop-desktop sandbox` prints as its first stdout line
`{"url": "http://127.0.0.1:PORT/api/v1", "control_url": ".../_sandbox",
"accounts": [{"name", "type", "api_key"}]}` and runs until SIGTERM/SIGINT.

Control API (JSON in and out; never faulted, authenticated or rate-limited):

    GET    /_sandbox/info                 url, control_url, accounts (with keys, trading_name,
                                          label_format, auth_mode, services), seed, orders,
                                          rate_limit, rate_limit_retry_after,
                                          manifest_ready_after_polls, in_flight (API requests
                                          being served now, slowed ones included)
    GET    /_sandbox/faults               {"faults": [fault...]}  (active ones)
    POST   /_sandbox/faults               body: a fault spec (below) -> 201 {"id": N, ...}
    DELETE /_sandbox/faults               clear all
    DELETE /_sandbox/faults/{id}          clear one (404 if unknown)
    GET    /_sandbox/requests[?all=1][&since=SEQ]
                                          {"requests": [entry...]}; mutating calls only unless
                                          all=1; entries with seq > since
    DELETE /_sandbox/requests             clear the log
    POST   /_sandbox/reset                body (optional): {"log": true, "data": false}; clears
                                          faults and run-time config always, the log if `log`,
                                          orders back to seeded if `data`
    POST   /_sandbox/config               any of {"rate_limit": float (0 = off),
                                          "account": name (rate_limit for that account only),
                                          "rate_limit_retry_after": int|null (Retry-After on
                                          ordinary 429s; default null = no header),
                                          "manifest_ready_after_polls": int (default 1),
                                          "label_format": "6x4"|"A4" (needs account),
                                          "auth_mode": "both"|"bearer"|"bare" (needs account),
                                          "trading_name": str (needs account: the business
                                          renamed; every seeded order shows the new name)}
    GET    /_sandbox/accounts/{name}/orders/{id}
                                          the sandbox's view: {"deleted", "status",
                                          "labelsGenerated", "manifestNumber", "serviceCode",
                                          "order": GetOrderInfoResource, "full": ...Details}
    POST   /_sandbox/accounts/{name}/orders/{id}
                                          body {"action": A} changes the order upstream as if
                                          in the web UI. A: delete | despatch | print (applies
                                          postage if needed, generates a label: tracking +
                                          printedOn) | manifest | reset (label voided) |
                                          apply_postage (optional "service_code") |
                                          remove_postage
    POST   /_sandbox/accounts/{name}/orders
                                          body: a CreateOrderRequest (or {"items": [...]});
                                          created as if imported in the web UI -> the
                                          CreateOrdersResponse (not in the request log)

Request-log entry: {"seq", "time" (ISO UTC), "method", "path" (from /api/v1, with query),
"account" (name or null), "body" (parsed JSON, text, or null), "status" (int, or null when
dropped before a response), "delivered" (false when dropped/truncated), "mutating" (POST, PUT,
DELETE, and GET .../label, which generates labels), "fault" (comma-separated kinds or null)}.
Every /api/v1 request is logged; API keys never are.

Fault spec: {"kind": K, options...}. Common options: "count" (fire on the next N matching
requests; default: until cleared), "duration_s" (expire after), "account" (only requests with
that account's key), "path" (substring of the path after /api/v1, e.g. "/orders/status",
"/label"), "method". Kinds:

    maintenance        503 on everything under /api/v1 (incl. /version); "body": "html"
                       (default) | "json" | "empty"; "retry_after": seconds
    slow               wait "delay_ms" before answering
    drop               close the socket without a response; "when": "before" (default: not
                       processed) | "after" (processed, e.g. the order WAS created, reply lost)
    storm              429 before auth; "retry_after": seconds (default: no header)
    error_500          500 ErrorResponse
    malformed          JSON cut in half (Content-Length correct); PDFs replaced by HTML
    truncated          Content-Length of the full body, half of it sent, connection closed
    leak_mixed         (a) another account's orders mixed into a GET /orders(/full) page;
                       "from_account" (default: the next account), "leak_count" (default 3)
    leak_extra_ids     (b) GET /orders/{ids}(/full) answers with ids not asked for, from
                       another account; "from_account", "leak_count" (default 1)
    leak_shared_cache  (c) a list page that is another account's first page, with `Age`,
                       `X-Cache: HIT`, `Cache-Control: public, max-age=60`; "from_account", "age"
    leak_trading_name  (d) the first /full record carries another account's tradingName
    mutate_immutable   (e) a record comes back with orderReference + "-CHANGED" and/or
                       createdOn 3 days earlier; "order": id (fires only on replies holding
                       that order; default: the first record of any list/by-id reply),
                       "fields": ["orderReference", "createdOn"] (default both)

Ordering per request: maintenance, drop(before), slow, storm, error_500, then auth (401), rate
limit (429), gating (403), the endpoint with its leak faults, then drop(after), truncated,
malformed. Leak faults only count when they fire on a matching endpoint.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from clickdrop_desktop.sandbox.control import info as control_info
from clickdrop_desktop.sandbox.core import SandboxConfig, SandboxState
from clickdrop_desktop.sandbox.handler import SandboxHTTPServer
from clickdrop_desktop.sandbox.info import SandboxInfo

MAX_ORDERS = 9_999_999  # each account owns a 10,000,000-wide order-number range


class Sandbox:
    """A sandbox server in a background thread (demo mode, fast tests).

    >>> with Sandbox(seed=3, orders=50) as info:
    ...     info.url   # 'http://127.0.0.1:PORT/api/v1'
    """

    def __init__(self, config: SandboxConfig | None = None, **overrides: Any) -> None:
        config = config or SandboxConfig()
        for key, value in overrides.items():
            setattr(config, key, value)
        if not 0 <= config.orders <= MAX_ORDERS:
            raise ValueError(f"orders must be between 0 and {MAX_ORDERS}")
        if config.rate_limit < 0:
            raise ValueError("rate limit must be 0 (off) or more")
        self.state = SandboxState(config)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._info: SandboxInfo | None = None

    @property
    def info(self) -> SandboxInfo:
        if self._info is None:
            raise RuntimeError("the sandbox is not running")
        return self._info

    def start(self) -> SandboxInfo:
        """Bind (port 0 picks a free one), serve in a daemon thread, return where."""
        if self._server is not None:
            return self.info
        config = self.state.config
        server = SandboxHTTPServer((config.host, config.port), self.state)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="clickdrop-sandbox",
            daemon=True,
        )
        self._thread.start()
        self._info = SandboxInfo.from_json(self.describe())
        return self._info

    def describe(self) -> dict[str, Any]:
        """The first-stdout-line object: url, control_url, accounts with keys."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host, port = self._server.server_address[:2]
        text = host.decode() if isinstance(host, bytes) else str(host)
        shown = "127.0.0.1" if text in ("0.0.0.0", "") else text  # noqa: S104 - display only
        data = control_info(self.state, f"http://{shown}:{port}")
        return {
            "url": data["url"],
            "control_url": data["control_url"],
            "accounts": [a.public() for a in self.state.accounts],
        }

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = self._info = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> SandboxInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run(args: argparse.Namespace) -> int:
    """`clickdrop-desktop sandbox`: serve until SIGTERM or SIGINT; exit 0."""
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        orders=args.orders,
        rate_limit=args.rate_limit,
    )
    try:
        sandbox = Sandbox(config)
    except ValueError as exc:
        print(f"clickdrop-desktop sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        sandbox.start()
    except OSError as exc:
        print(
            f"clickdrop-desktop sandbox: cannot listen on {args.host}:{args.port}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        print(json.dumps(sandbox.describe()), flush=True)
        print(
            f"sandbox serving {sandbox.info.url} (control {sandbox.info.control_url}); "
            "stop with Ctrl+C",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0
