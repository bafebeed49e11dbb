"""The HTTP engine under `ClickDropClient`: auth header, rate limit, retries, size cap, events.

Retry policy (why each case is safe):
- Connection never made (refused, DNS, connect timeout, pool timeout): the request was not sent,
  so every call is retried, `POST /orders` included.
- 429: the request was refused before it was processed (RFC 6585), so every call waits
  (`Retry-After` when given, else exponential backoff with jitter) and tries again.
- 401 while the auth scheme is unknown: refused before processing; resent once with the other
  scheme (`Bearer <key>` first, then the bare key), and the one that works is remembered.
- Ambiguous failures (read timeout, connection dropped mid-way, 5xx, body cut off): retried only
  for idempotent calls, i.e. reads (`GET /orders...`, `/version`, `GET /manifests/{id}`) and
  `PUT /orders/status` (setting the same status twice leaves the same state). Never retried:
  `POST /orders` (a duplicate order ships twice: the caller reconciles by `orderReference`),
  the label call (it generates and may bill the label), manifests (irreversible), and `DELETE`
  (a replay of an applied delete reports "not found" for orders that were in fact deleted, and
  the decision to resend a destructive call belongs to the user). Those raise with
  `maybe_applied=True` instead.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable

import httpx

from clickdrop_desktop import __version__
from clickdrop_desktop.api.errors import (
    ApiError,
    AuthError,
    BadResponse,
    Offline,
    RateLimited,
    ServiceUnavailable,
)
from clickdrop_desktop.api.events import CallEvent, Outcome, ResponseMeta
from clickdrop_desktop.api.ratelimit import TokenBucket
from clickdrop_desktop.api.results import one_line, problems_from_body
from clickdrop_desktop.api.wire import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Answer,
    AuthScheme,
    Call,
    content_length,
    lower_headers,
    parse_json,
    retry_after_seconds,
)

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "Answer",
    "AuthScheme",
    "Call",
    "HttpEngine",
    "parse_json",
    "retry_after_seconds",
]

log = logging.getLogger("clickdrop_desktop.api")


class _Failure(Exception):
    """An attempt that got no usable answer; `sent` says whether the server may have acted."""

    def __init__(
        self, outcome: Outcome, detail: str, *, sent: bool, bad: bool = False, final: bool = False
    ) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.sent = sent
        self.bad = bad  # an answer came but was broken (cut off, too big): BadResponse
        self.final = final  # trying again would fail the same way (too big)


class HttpEngine:
    """Owns the one `httpx.Client` of a `ClickDropClient`; see the module docstring for policy."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate_per_s: float,
        timeout: float,
        deadline_s: float,
        transport: httpx.BaseTransport | None,
        max_response_bytes: int,
        max_retries: int,
        max_rate_limit_retries: int,
        max_retry_after_s: float,
        auth_scheme: AuthScheme | None,
        on_event: Callable[[CallEvent], None] | None,
        on_rate_wait: Callable[[float], None] | None,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        rng: random.Random,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._key = api_key
        self._limiter = TokenBucket(rate_per_s, clock=clock, sleep=sleep)
        self._deadline_s = deadline_s
        self._max_bytes = max_response_bytes
        self._max_retries = max_retries
        self._max_429 = max_rate_limit_retries
        self._max_retry_after = max_retry_after_s
        self._scheme: AuthScheme | None = auth_scheme
        self._scheme_lock = threading.Lock()
        self._on_event = on_event
        self._on_rate_wait = on_rate_wait
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,  # never carry the key to another URL
            headers={"User-Agent": f"clickdrop-desktop/{__version__}"},
        )

    # -- public ---------------------------------------------------------------------------------

    @property
    def auth_scheme(self) -> AuthScheme | None:
        return self._scheme

    @property
    def limiter(self) -> TokenBucket:
        return self._limiter

    def close(self) -> None:
        self._http.close()

    def send(self, call: Call) -> Answer:
        """Run `call` to an answer, retrying as the policy allows; raise a typed `ApiError`."""
        failures = 0
        rate_limited = 0
        attempt = 0
        fell_back = False
        with self._scheme_lock:
            scheme: AuthScheme = self._scheme or "bearer"
        while True:
            attempt += 1
            self._wait_for_token()
            started = self._clock()
            try:
                answer = self._attempt(call, scheme)
            except _Failure as failure:
                elapsed = self._clock() - started
                retry = (
                    not failure.final
                    and (not failure.sent or call.idempotent)
                    and failures < self._max_retries
                )
                self._emit(call, failure.outcome, None, elapsed, attempt, retry, failure.detail)
                if retry:
                    failures += 1
                    self._sleep(self._backoff(failures, base=0.5, cap=8.0))
                    continue
                raise self._failure_error(call, failure) from None
            elapsed = self._clock() - started
            status = answer.status

            if status == 401 and call.authenticated:
                unknown = self._scheme is None
                retry = unknown and not fell_back
                self._emit(call, Outcome.ACCOUNT, 401, elapsed, attempt, retry, "HTTP 401")
                if retry:
                    fell_back = True
                    scheme = "bare" if scheme == "bearer" else "bearer"
                    continue
                raise AuthError("Click & Drop refused the API key (401).", status_code=401)

            if status == 429:
                wait = retry_after_seconds(answer.meta.header("retry-after"))
                retry = rate_limited < self._max_429 and (
                    wait is None or wait <= self._max_retry_after
                )
                self._emit(call, Outcome.RATE_LIMITED, 429, elapsed, attempt, retry, "HTTP 429")
                if wait is not None and wait <= self._max_retry_after:
                    # Every thread holds back, not only this one, even if this call gives up.
                    self._limiter.pause(wait)
                if not retry:
                    raise RateLimited(
                        "Click & Drop is rate limiting this account (429); try again shortly.",
                        retry_after=wait,
                    )
                rate_limited += 1
                if wait is None:
                    self._limiter.pause(self._backoff(rate_limited, base=1.0, cap=30.0))
                continue

            if status >= 500:
                outcome = Outcome.MAINTENANCE if status == 503 else Outcome.SERVER_ERROR
                retry = call.idempotent and failures < self._max_retries
                self._emit(call, outcome, status, elapsed, attempt, retry, f"HTTP {status}")
                if retry:
                    failures += 1
                    self._sleep(self._backoff(failures, base=0.5, cap=8.0))
                    continue
                raise self._server_error(call, answer)

            if call.authenticated and status not in (401, 429) and self._scheme != scheme:
                with self._scheme_lock:
                    self._scheme = scheme  # this scheme got past authentication: keep it
            if 200 <= status < 300:
                outcome, detail = Outcome.OK, ""
            elif status == 403:
                outcome, detail = Outcome.ACCOUNT, "HTTP 403 (feature not available)"
            else:
                outcome, detail = Outcome.CLIENT_ERROR, f"HTTP {status}"
            self._emit(call, outcome, status, elapsed, attempt, False, detail)
            return answer

    # -- one attempt ------------------------------------------------------------------------------

    def _headers(self, call: Call, scheme: AuthScheme) -> dict[str, str]:
        headers = {"Accept": call.accept, "Cache-Control": "no-store"}
        if call.authenticated:
            headers["Authorization"] = f"Bearer {self._key}" if scheme == "bearer" else self._key
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def _attempt(self, call: Call, scheme: AuthScheme) -> Answer:
        content = None
        if call.body is not None:
            content = json.dumps(
                call.body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode("utf-8")
        started = self._clock()
        got_headers = False
        try:
            with self._http.stream(
                call.method,
                self._base + call.path,
                params=dict(call.params) if call.params else None,
                content=content,
                headers=self._headers(call, scheme),
            ) as response:
                got_headers = True
                body = self._read_capped(response, started)
                meta = ResponseMeta(
                    status=response.status_code,
                    url=str(response.url),
                    headers=lower_headers(response.headers),
                    elapsed_s=self._clock() - started,
                )
                return Answer(response.status_code, body, meta)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            outcome = (
                Outcome.TIMEOUT
                if isinstance(exc, httpx.TimeoutException)
                else (Outcome.UNREACHABLE)
            )
            raise _Failure(outcome, f"no connection ({type(exc).__name__})", sent=False) from None
        except httpx.TimeoutException as exc:
            where = "while reading the answer" if got_headers else "waiting for an answer"
            raise _Failure(
                Outcome.TIMEOUT,
                f"timed out {where} ({type(exc).__name__})",
                sent=True,
                bad=False,
            ) from None
        except httpx.DecodingError:
            raise _Failure(
                Outcome.SERVER_ERROR, "the answer could not be decoded", sent=True, bad=True
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            if got_headers:
                raise _Failure(
                    Outcome.TIMEOUT,
                    "the answer was cut off (connection dropped)",
                    sent=True,
                    bad=True,
                ) from None
            raise _Failure(
                Outcome.TIMEOUT, f"connection dropped ({type(exc).__name__})", sent=True
            ) from None
        except httpx.TransportError as exc:
            # Unsupported protocol, proxy errors: nothing reached Click & Drop.
            raise _Failure(
                Outcome.UNREACHABLE, f"no connection ({type(exc).__name__})", sent=False
            ) from None

    def _read_capped(self, response: httpx.Response, started: float) -> bytes:
        declared = content_length(response.headers.get("content-length"))
        if declared is not None and declared > self._max_bytes:
            raise _Failure(Outcome.SERVER_ERROR, self._too_big(), sent=True, bad=True, final=True)
        buffer = bytearray()
        for chunk in response.iter_bytes():
            buffer += chunk
            if len(buffer) > self._max_bytes:
                raise _Failure(
                    Outcome.SERVER_ERROR, self._too_big(), sent=True, bad=True, final=True
                )
            if self._clock() - started > self._deadline_s:
                raise _Failure(
                    Outcome.TIMEOUT,
                    f"the answer took longer than {self._deadline_s:g} s",
                    sent=True,
                )
        # A body shorter than its Content-Length was cut off, even if the transport let it
        # through (h11 raises on a real socket; other transports may not).
        # Compressed bodies are checked on the raw byte count, plain ones on what we hold
        # (a pre-read in-memory response never counts raw bytes).
        if "content-encoding" in response.headers:
            received = response.num_bytes_downloaded or declared or 0
        else:
            received = len(buffer)
        if declared is not None and received < declared:
            raise _Failure(
                Outcome.TIMEOUT,
                "the answer was cut off (shorter than announced)",
                sent=True,
                bad=True,
            )
        return bytes(buffer)

    def _too_big(self) -> str:
        return f"the answer is larger than the {self._max_bytes // 1024} kB limit"

    # -- errors, waits and events -------------------------------------------------------------

    def _failure_error(self, call: Call, failure: _Failure) -> ApiError:
        maybe_applied = failure.sent and not call.idempotent
        error: ApiError
        if failure.bad:
            error = BadResponse(f"Click & Drop's answer was unusable: {failure.detail}.")
            error.maybe_applied = maybe_applied
        else:
            error = Offline(
                f"Click & Drop cannot be reached: {failure.detail}.", maybe_applied=maybe_applied
            )
        return error

    def _server_error(self, call: Call, answer: Answer) -> ServiceUnavailable:
        status = answer.status
        if status == 503:
            text = "Click & Drop is unavailable (503, maintenance)."
        else:
            text = f"Click & Drop is failing (HTTP {status})."
        try:
            problems = problems_from_body(answer.json())
        except BadResponse:
            problems = ()
        if problems:
            text = f"{text[:-1]}: {one_line(problems[0].message, 160)}"
        return ServiceUnavailable(text, status_code=status, maybe_applied=not call.idempotent)

    def _wait_for_token(self) -> None:
        wait = self._limiter.reserve()
        if wait > 0:
            if self._on_rate_wait is not None:
                try:
                    self._on_rate_wait(wait)
                except Exception:
                    log.warning("on_rate_wait observer failed", exc_info=True)
            self._sleep(wait)

    def _backoff(self, n: int, *, base: float, cap: float) -> float:
        # "Full jitter lite": half fixed, half random, so retries spread out (Stripe's rule).
        return float(min(base * 2 ** (n - 1), cap) * (0.5 + self._rng.random() / 2))

    def _emit(
        self,
        call: Call,
        outcome: Outcome,
        status: int | None,
        elapsed: float,
        attempt: int,
        will_retry: bool,
        detail: str,
    ) -> None:
        log.debug(
            "%s -> %s (%s) in %.3f s, attempt %d%s",
            call.endpoint,
            status if status is not None else "-",
            outcome.value,
            elapsed,
            attempt,
            ", retrying" if will_retry else "",
        )
        if self._on_event is None:
            return
        event = CallEvent(
            outcome=outcome,
            endpoint=call.endpoint,
            status=status,
            elapsed_s=elapsed,
            attempt=attempt,
            will_retry=will_retry,
            detail=f"{call.endpoint}: {detail}" if detail else "",
        )
        try:
            self._on_event(event)
        except Exception:
            log.warning("on_event observer failed", exc_info=True)
