"""`SandboxInfo`: where a running sandbox is, its accounts, and typed helpers for its control API."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


class SandboxControlError(RuntimeError):
    """The control API refused a request (bad fault spec, unknown account or order)."""


@dataclass(frozen=True, slots=True)
class SandboxAccount:
    """One sandbox account; the key is kept out of `repr` so it never lands in test output."""

    name: str
    type: str  # "OLP" | "OBA" | "ChannelShipper"
    api_key: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class SandboxInfo:
    """A running sandbox (in a thread or a process), as tests and demo mode use it."""

    url: str  # http://127.0.0.1:PORT/api/v1
    control_url: str  # http://127.0.0.1:PORT/_sandbox
    accounts: tuple[SandboxAccount, ...]

    @classmethod
    def from_json(cls, data: str | dict[str, Any]) -> SandboxInfo:
        """From the first stdout line of `clickdrop-desktop sandbox` (or its parsed object)."""
        obj = json.loads(data) if isinstance(data, str) else data
        url = str(obj["url"]).rstrip("/")
        control = obj.get("control_url") or url.rsplit("/api/v1", 1)[0] + "/_sandbox"
        accounts = tuple(
            SandboxAccount(str(a["name"]), str(a["type"]), str(a["api_key"]))
            for a in obj["accounts"]
        )
        return cls(url, str(control), accounts)

    # -- accounts --------------------------------------------------------------------------

    @property
    def by_name(self) -> dict[str, SandboxAccount]:
        return {a.name: a for a in self.accounts}

    def account(self, name: str) -> SandboxAccount:
        try:
            return self.by_name[name]
        except KeyError:
            raise KeyError(f"no sandbox account named {name!r}") from None

    def of_type(self, account_type: str) -> SandboxAccount:
        """The first account of a type (`OLP`, `OBA`, `ChannelShipper`)."""
        for account in self.accounts:
            if account.type == account_type:
                return account
        raise KeyError(f"no sandbox account of type {account_type!r}")

    # -- control API -----------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        response = httpx.request(
            method, self.control_url + path, json=body, params=params, timeout=30.0
        )
        data = response.json() if response.content else None
        if response.status_code >= 400:
            detail = data.get("error") if isinstance(data, dict) else response.text[:200]
            raise SandboxControlError(f"{method} /_sandbox{path}: {detail}")
        return data

    def set_fault(self, kind: str | None = None, **options: Any) -> int:
        """Switch a fault on (see server.py for kinds and options); returns its id."""
        spec = dict(options)
        if kind is not None:
            spec["kind"] = kind
        return int(self._call("POST", "/faults", spec)["id"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/faults")["faults"])

    def clear_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def reset(self, *, log: bool = True, data: bool = False) -> None:
        """Clear faults and run-time config; also the request log (`log`) and orders (`data`)."""
        self._call("POST", "/reset", {"log": log, "data": data})

    def requests(self, *, everything: bool = False, since: int = 0) -> list[dict[str, Any]]:
        """The request log: mutating calls only, unless `everything`."""
        params = {"all": "1" if everything else "0", "since": str(since)}
        return list(self._call("GET", "/requests", params=params)["requests"])

    def configure(self, **options: Any) -> dict[str, Any]:
        """Change run-time config (`rate_limit`, `account`, `label_format`, ...)."""
        result: dict[str, Any] = self._call("POST", "/config", options)
        return result

    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/info")
        return result

    def order_state(self, account: str, order_id: int) -> dict[str, Any]:
        """The sandbox's own view of an order (deleted, labelsGenerated, status, ...)."""
        result: dict[str, Any] = self._call("GET", f"/accounts/{account}/orders/{order_id}")
        return result

    def mutate(self, account: str, order_id: int, action: str, **options: Any) -> dict[str, Any]:
        """Change an order upstream, as if in the web UI (`delete`, `despatch`, `print`, ...)."""
        body = {"action": action, **options}
        result: dict[str, Any] = self._call("POST", f"/accounts/{account}/orders/{order_id}", body)
        return result

    def create_upstream(self, account: str, order: dict[str, Any]) -> dict[str, Any]:
        """Create an order as if imported in the web UI (not logged, not rate-limited)."""
        result: dict[str, Any] = self._call("POST", f"/accounts/{account}/orders", order)
        return result
