"""The capability probe: key, ChannelShipper `/full`, OBA labels, without generating a label."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from clickdrop_desktop.api.capabilities import Capabilities
from clickdrop_desktop.api.errors import Offline, ServiceUnavailable
from tests.helpers.fake_api import FakeApi, json_response, make_client

PAGE = {"orders": [], "continuationToken": None}


def _api(*, full: int, label: int) -> FakeApi:
    api = FakeApi()
    api.add("GET", "/orders", json_response(200, PAGE))
    api.add(
        "GET", "/orders/full", json_response(full, PAGE) if full == 200 else httpx.Response(full)
    )
    api.add("GET", r"/orders/[^/]+/label", httpx.Response(label, json=[]))
    return api


@pytest.mark.parametrize(
    ("full", "label", "expected"),
    [
        (403, 403, Capabilities(True, False, False, "OLP", "bearer")),
        (403, 404, Capabilities(True, True, False, "OBA", "bearer")),
        (403, 400, Capabilities(True, True, False, "OBA", "bearer")),
        (200, 404, Capabilities(True, True, True, "ChannelShipper", "bearer")),
        (200, 403, Capabilities(True, False, True, "ChannelShipper", "bearer")),
    ],
)
def test_account_types(full: int, label: int, expected: Capabilities) -> None:
    api = _api(full=full, label=label)
    with make_client(api) as client:
        assert client.probe_capabilities() == expected


def test_the_label_probe_cannot_generate_a_label() -> None:
    api = _api(full=403, label=404)
    with make_client(api) as client:
        client.probe_capabilities()
    label_calls = [r for r in api.requests if r.url.path.endswith("/label")]
    assert len(label_calls) == 1
    assert label_calls[0].url.raw_path.startswith(b"/api/v1/orders/0/label?")
    assert parse_qs(urlsplit(str(label_calls[0].url)).query) == {
        "documentType": ["postageLabel"],
        "includeReturnsLabel": ["false"],
    }
    assert [parse_qs(urlsplit(str(r.url)).query).get("pageSize") for r in api.requests[:2]] == [
        ["1"],
        ["1"],
    ]


def test_invalid_key_skips_the_other_probes() -> None:
    api = FakeApi()
    api.add("GET", "/orders", httpx.Response(401))
    with make_client(api) as client:
        caps = client.probe_capabilities()
    assert caps == Capabilities(False, False, False, None, None)
    assert len(api.requests) == 2  # Bearer, then the bare key; nothing else


def test_bare_key_scheme_is_reported() -> None:
    api = _api(full=403, label=403)
    api.add(
        "GET",
        "/orders",
        lambda r: (
            httpx.Response(401)
            if r.headers["authorization"].startswith("Bearer ")
            else json_response(200, PAGE)
        ),
    )
    with make_client(api) as client:
        assert client.probe_capabilities().auth_scheme == "bare"


@pytest.mark.parametrize("status", [500, 503])
def test_server_trouble_is_not_an_answer_about_the_account(status: int) -> None:
    api = _api(full=403, label=403)
    api.add("GET", "/orders/full", httpx.Response(status))
    with make_client(api, max_retries=0) as client, pytest.raises(ServiceUnavailable):
        client.probe_capabilities()


def test_offline_propagates() -> None:
    api = FakeApi()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    api.add("GET", "/orders", refuse)
    with make_client(api, max_retries=0) as client, pytest.raises(Offline):
        client.probe_capabilities()
