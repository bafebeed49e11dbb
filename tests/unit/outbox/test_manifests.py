"""Manifests against the sandbox: 201 with the PDF, the 202 poll, a persisted "being prepared"
state, online only, and an interrupted request never silently repeated."""

from __future__ import annotations

from pathlib import Path

import pytest

from clickdrop_desktop.api.results import ManifestDetails
from clickdrop_desktop.manifests import Manifests, ManifestState, ManifestUnavailable
from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.unit.outbox.conftest import Bench, make_bench


def manifests(bench: Bench) -> Manifests:
    return Manifests(bench.store, bench.client, sleep=lambda _s: None)


def test_a_ready_manifest_keeps_its_pdf_in_the_store(bench: Bench) -> None:
    bench.sandbox.configure(manifest_ready_after_polls=0)
    record = manifests(bench).create()
    assert record.state is ManifestState.READY
    assert record.has_pdf
    bench.reopen()  # printable later, offline, from the encrypted store
    again = Manifests(bench.store, bench.client)
    pdf = again.pdf(record.number)
    assert pdf is not None
    assert pdf.startswith(b"%PDF")
    assert [r.number for r in again.list()] == [record.number]
    assert len(bench.mutations("POST")) == 1


def test_a_202_is_polled_until_completed(bench: Bench) -> None:
    bench.sandbox.configure(manifest_ready_after_polls=3)
    waits: list[float] = []
    record = Manifests(bench.store, bench.client, sleep=waits.append).create(wait_s=60)
    assert record.state is ManifestState.READY
    assert waits == [1.0, 2.0]  # backoff between polls
    polls = [
        e
        for e in bench.sandbox.requests(everything=True)
        if e["path"].startswith("/api/v1/manifests/")
    ]
    assert len(polls) == 3


def test_not_ready_in_time_leaves_a_clear_state_to_fetch_later(bench: Bench) -> None:
    bench.sandbox.configure(manifest_ready_after_polls=5)
    record = manifests(bench).create(wait_s=0)
    assert record.state is ManifestState.PREPARING
    assert record.message == f"manifest {record.number} is being prepared; fetch it later"
    bench.reopen()
    kept = Manifests(bench.store, bench.client, sleep=lambda _s: None)
    assert kept.get(record.number) == record
    assert kept.pdf(record.number) is None
    ready = kept.refresh(record.number, wait_s=60)
    assert ready.state is ManifestState.READY
    assert kept.pdf(record.number) is not None


def test_manifests_need_click_and_drop_online(bench: Bench) -> None:
    bench.sandbox.set_fault("maintenance")
    with pytest.raises(ManifestUnavailable, match="need Click & Drop online"):
        manifests(bench).create()
    assert manifests(bench).interrupted_request() is None  # turned away: nothing to check


def test_a_lost_answer_is_never_repeated_blindly(bench: Bench) -> None:
    bench.sandbox.set_fault("drop", when="after", path="/manifests", method="POST", count=1)
    m = manifests(bench)
    with pytest.raises(ManifestUnavailable, match="may have been created"):
        m.create()
    with pytest.raises(ManifestUnavailable, match="check Manifests in Click & Drop"):
        m.create()
    assert len(bench.mutations("POST")) == 1
    m.clear_interrupted()  # the user checked


def test_failed_manifests_say_so_and_can_be_retried(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench.sandbox.configure(manifest_ready_after_polls=2)
    m = manifests(bench)
    record = m.create(wait_s=0)
    real = bench.client.get_manifest

    def failed(number: int) -> ManifestDetails:
        answer = real(number)
        return ManifestDetails(number, "Failed", None, answer.meta)

    monkeypatch.setattr(bench.client, "get_manifest", failed)
    assert m.refresh(record.number).state is ManifestState.FAILED
    monkeypatch.setattr(bench.client, "get_manifest", real)
    assert m.retry(record.number, wait_s=60).state is ManifestState.READY


def test_other_account_types_and_empty_days(inprocess_sandbox: SandboxInfo, tmp_path: Path) -> None:
    olp = make_bench(inprocess_sandbox, tmp_path / "olp", account="olp")
    try:
        with pytest.raises(ManifestUnavailable, match="OBA"):
            manifests(olp).create()
    finally:
        olp.client.close()
        olp.store.close()
    oba = make_bench(inprocess_sandbox, tmp_path / "oba")
    try:
        manifests(oba).create(wait_s=0)
        with pytest.raises(ManifestUnavailable, match="no orders in Label Generated"):
            manifests(oba).create(wait_s=0)  # everything eligible was manifested already
    finally:
        oba.client.close()
        oba.store.close()
