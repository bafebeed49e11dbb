"""Shared steps of the outbox end-to-end tests: CSV files, request-log counting, upstream checks."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from clickdrop_desktop.api.identifiers import encode_keys
from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.cli import cli, orders_json, sign_in
from tests.helpers.sandbox import api_client

HEADER = ["Order Number", "Name", "Address 1", "City", "Post Code", "Country", "Weight", "Service"]


def write_csv(path: Path, refs: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, ref in enumerate(refs):
            writer.writerow(
                [
                    ref,
                    f"Customer {i}",
                    f"{i + 1} High St",
                    "Leeds",
                    "LS1 1AA",
                    "GB",
                    str(100 + i),
                    "",
                ]
            )
    return path


def signed_in_and_synced(info: SandboxInfo, account: str = "oba") -> None:
    sign_in(info, account)
    done = cli("sync")
    assert done.returncode == 0, done.stderr


def order_ids(status: str) -> list[int]:
    return [o["orderIdentifier"] for o in orders_json("--status", status)]


def outbox_json(*args: str) -> dict[str, Any]:
    done = cli("outbox", "--json", *args)
    assert done.returncode in (0, 3), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def applied_counts(info: SandboxInfo, account: str = "oba") -> dict[str, Counter[Any]]:
    """How many times each order was named by a mutating request Click & Drop processed.

    Requests turned away or refused (maintenance, dropped before the server acted, 500 fault,
    4xx) are left out; a request the server processed counts even if its answer was lost
    (dropped after, or its client killed while the server worked on it).
    """
    counts: dict[str, Counter[Any]] = {"PUT": Counter(), "POST": Counter(), "DELETE": Counter()}
    for entry in info.requests():
        if entry["account"] != account or entry["status"] is None or entry["status"] >= 400:
            continue  # turned away or refused (a body cut short by a kill gets a 400): not applied
        if not isinstance(entry["body"], dict) and entry["method"] != "DELETE":
            continue
        fault = entry["fault"] or ""
        if "maintenance" in fault or "error_500" in fault:
            continue
        body, method = entry["body"], entry["method"]
        if method == "PUT" and entry["path"].endswith("/orders/status"):
            for item in body["items"]:
                counts["PUT"][item.get("orderIdentifier") or item.get("orderReference")] += 1
        elif method == "POST" and entry["path"].endswith("/orders"):
            for item in body["items"]:
                counts["POST"][item["orderReference"]] += 1
        elif method == "DELETE":
            segment = entry["path"].rsplit("/orders/", 1)[1].split("?")[0]
            for ident in segment.split(";"):
                counts["DELETE"][int(ident) if ident.isdigit() else ident] += 1
    return counts


def upstream_by_reference(info: SandboxInfo, refs: list[str], account: str = "oba") -> Counter[str]:
    """How many orders upstream carry each reference (looked up 50 at a time)."""
    found: Counter[str] = Counter()
    with api_client(info, account) as client:
        for start in range(0, len(refs), 50):
            chunk = refs[start : start + 50]
            path = "/orders/" + encode_keys(chunk)
            answer = client.get(path)
            if answer.status_code == 404:
                continue
            assert answer.status_code == 200, answer.text
            for order in answer.json():
                found[order["orderReference"]] += 1
    return found
