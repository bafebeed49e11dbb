"""The manifest endpoints (OBA): manifest eligible orders, retry, and fetch the manifest PDF."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.sandbox import documents, resources
from clickdrop_desktop.sandbox.accounts import Account
from clickdrop_desktop.sandbox.core import BodyError, Reply, Request, SandboxState, parse_json
from clickdrop_desktop.sandbox.store import Manifest

# -- manifests ----------------------------------------------------------------------------------


def _manifest_error(status: int, code: str, description: str) -> Reply:
    return Reply(status, {"errors": [{"code": code, "description": description}]})


def manifest(state: SandboxState, req: Request, account: Account) -> Reply:
    carrier = None
    if req.body.strip():
        try:
            body = parse_json(req.body)
        except BodyError as exc:
            return _manifest_error(400, "InvalidRequest", str(exc))
        if not isinstance(body, dict):
            return _manifest_error(400, "InvalidRequest", "The body must be a JSON object")
        carrier = body.get("carrierName")
    if carrier is not None and carrier != account.carrier_name:
        return _manifest_error(
            400,
            "InvalidCarrier",
            f"Carrier {str(carrier)[:50]!r} is not configured on this account",
        )
    now = datetime.now(UTC)
    with state.lock:
        store = state.store(account)
        eligible = []
        overlay = set(store.overlay_positions())
        for position in store.positions():
            if position in overlay:
                rec = store.get(position)
                ok = not rec.deleted and rec.manifested_on is None and rec.printed_on is not None
            else:
                ok = store.data.seeded_status(position) in ("labelGenerated", "despatched")
            if ok:
                eligible.append(position)
        if not eligible:
            return _manifest_error(
                400,
                "NoEligibleOrders",
                "There are no orders in Label Generated or Despatched status",
            )
        polls = state.config.manifest_ready_after_polls
        man = store.new_manifest([], polls)
        for position in eligible:
            record = store.mutable(position)
            record.manifested_on, record.manifest_number = now, man.number
            man.order_ids.append(record.order_id)
            service = account.service(record.service_code)
            man.order_summaries.append(
                (
                    record.order_id,
                    record.reference,
                    record.tracking,
                    service.name if service else "-",
                )
            )
        if polls <= 0:
            man.status = "Completed"
    return _manifest_reply(account, man, 201 if man.status == "Completed" else 202)


def _manifest_reply(
    account: Account, man: Manifest, status: int, *, details: bool = False
) -> Reply:
    pdf = None
    if man.status == "Completed":
        raw = documents.render_manifest(man.number, account, man.order_summaries)
        pdf = base64.b64encode(raw).decode("ascii")
    body: dict[str, Any] = {"manifestNumber": man.number, "documentPdf": pdf}
    if details:
        body["status"] = man.status
    return Reply(status, body)


def _find_manifest(state: SandboxState, account: Account, text: str) -> Manifest | Reply:
    if not text.isdigit():
        return _manifest_error(
            400, "InvalidManifestIdentifier", "The manifest number must be an integer"
        )
    man = state.store(account).manifests.get(int(text))
    if man is None:
        return _manifest_error(404, "NotFound", "Manifest not found")
    if man.polls_until_ready > 0:
        man.polls_until_ready -= 1
        if man.polls_until_ready == 0:
            man.status = "Completed"
    return man


def get_manifest(state: SandboxState, account: Account, text: str) -> Reply:
    with state.lock:
        man = _find_manifest(state, account, text)
    if isinstance(man, Reply):
        return man
    return _manifest_reply(account, man, 200, details=True)


def retry_manifest(state: SandboxState, req: Request, account: Account, text: str) -> Reply:
    if req.method != "POST":
        return Reply(
            405,
            resources.error("Method not allowed", "MethodNotAllowed"),
            headers={"Allow": "POST"},
        )
    with state.lock:
        man = _find_manifest(state, account, text)
    if isinstance(man, Reply):
        return man
    return _manifest_reply(account, man, 201 if man.status == "Completed" else 202)
