"""What an API key can do: is it valid, does the account get labels (OBA) and `/full`
(ChannelShipper). Click & Drop has no endpoint that says so; this probes without side effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from clickdrop_desktop.api.errors import AuthError, FeatureNotAvailable, NotFound, ValidationFailed

if TYPE_CHECKING:
    from clickdrop_desktop.api.client import ClickDropClient
    from clickdrop_desktop.api.http import AuthScheme

AccountType = Literal["OLP", "OBA", "ChannelShipper"]

#: No Click & Drop order has identifier 0 (order numbers start in the thousands), so a label
#: call for it can never generate, or bill, a label.
PROBE_ORDER_IDENTIFIER = 0


@dataclass(frozen=True, slots=True)
class Capabilities:
    """The answer of `probe_capabilities`.

    `account_type` is a guess: ChannelShipper when `/full` is allowed, OBA when labels are,
    OLP (pay-as-you-go) otherwise; None when the key is not valid.
    """

    key_valid: bool
    labels: bool
    full: bool
    account_type: AccountType | None
    auth_scheme: AuthScheme | None


def probe_capabilities(client: ClickDropClient) -> Capabilities:
    """Probe the account behind `client`'s key with three calls, none of which changes anything.

    1. Key: `GET /orders?pageSize=1`. 401 with both auth schemes means the key is not valid
       (the other probes are skipped). The client remembers the scheme that worked.
    2. `/full`: `GET /orders/full?pageSize=1`. 403 means not ChannelShipper; any page means yes.
    3. Labels: the label endpoint generates (and may bill) a label, so it must never be called
       on a real order just to find out. It is called for order identifier 0, which cannot
       exist, with `documentType=postageLabel&includeReturnsLabel=false`. The endpoint checks
       the account's entitlement before it looks for orders ("Forbidden (Feature available for
       OBA accounts only)" applies to the whole endpoint), so 403 means not OBA, while 404 (no
       such order) or 400 (the order cannot get a label) means the account may generate labels.

    Offline, 5xx and 429 are not answers about the account: those errors propagate, and the
    caller keeps whatever it knew before. Each probe call is rate limited like any other.
    """
    try:
        client.list_orders(page_size=1)
    except AuthError:
        return Capabilities(
            key_valid=False, labels=False, full=False, account_type=None, auth_scheme=None
        )

    try:
        client.list_orders(page_size=1, full=True)
        full = True
    except FeatureNotAvailable:
        full = False

    try:
        client.get_labels([PROBE_ORDER_IDENTIFIER], include_returns_label=False)
        labels = True  # cannot happen for order 0; if it ever does, labels clearly work
    except FeatureNotAvailable:
        labels = False
    except (NotFound, ValidationFailed):
        labels = True

    account_type: AccountType = "ChannelShipper" if full else "OBA" if labels else "OLP"
    return Capabilities(
        key_valid=True,
        labels=labels,
        full=full,
        account_type=account_type,
        auth_scheme=client.auth_scheme,
    )
