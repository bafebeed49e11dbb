"""The sandbox's accounts: type, API key, trading name, label format, auth style, services."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field


class AccountType(enum.StrEnum):
    """The three Click & Drop account types the API gates features on."""

    OLP = "OLP"  # pay-as-you-go: no labels, no manifests, no /full
    OBA = "OBA"  # online business account: labels, inline labels, manifests
    CHANNEL_SHIPPER = "ChannelShipper"  # /full endpoints, despatchedByOtherCourier


class LabelFormat(enum.StrEnum):
    """The account's "Label format" setting (web UI only upstream; fixed per sandbox account)."""

    THERMAL_6X4 = "6x4"  # 4x6 in portrait, 101.6 x 152.4 mm
    A4 = "A4"  # A4 sheet, the 6x4 label in the top-left quarter


class AuthMode(enum.StrEnum):
    """Which `Authorization` header forms an account accepts (upstream: evidence of both)."""

    BOTH = "both"  # `Bearer <key>` and the bare key
    BEARER = "bearer"  # only `Bearer <key>`
    BARE = "bare"  # only the bare key: exercises the client's one-time fallback


@dataclass(frozen=True, slots=True)
class Service:
    """A postage service an account may use (service codes are per account upstream)."""

    code: str
    name: str
    tracking_prefix: str
    international: bool = False


OLP_SERVICES = (
    Service("OLP1", "Royal Mail 1st Class", "JX"),
    Service("OLP2", "Royal Mail 2nd Class", "JY"),
    Service("TOLP24", "Royal Mail Tracked 24", "TT"),
    Service("TOLP48", "Royal Mail Tracked 48", "TS"),
    Service("SD1OLP", "Special Delivery Guaranteed by 1pm", "ZW"),
    Service("ITROLP", "International Tracked", "LX", international=True),
)
OBA_SERVICES = (
    Service("CRL1", "Royal Mail 24", "JV"),
    Service("CRL2", "Royal Mail 48", "JW"),
    Service("TPN24", "Royal Mail Tracked 24", "TT"),
    Service("TPS48", "Royal Mail Tracked 48", "TS"),
    Service("SD1", "Special Delivery Guaranteed by 1pm", "ZW"),
    Service("MP7", "International Tracked", "LX", international=True),
)


@dataclass(slots=True)
class Account:
    """One Click & Drop account as the sandbox serves it.

    `index` fixes the account's order-number range and its seeded data; `api_key` is random per
    sandbox run (from `secrets`), never derived from the seed and never written to a file.
    """

    index: int
    name: str
    type: AccountType
    trading_name: str
    return_address: tuple[str, ...]
    label_format: LabelFormat = LabelFormat.THERMAL_6X4
    auth_mode: AuthMode = AuthMode.BOTH
    carrier_name: str = "Royal Mail OBA"
    api_key: str = field(default_factory=lambda: _new_api_key(), repr=False)

    @property
    def services(self) -> tuple[Service, ...]:
        if self.type is AccountType.OLP:
            return OLP_SERVICES
        if self.type is AccountType.OBA:
            return OBA_SERVICES
        return OLP_SERVICES + OBA_SERVICES[2:]

    def service(self, code: str | None) -> Service | None:
        for service in self.services:
            if service.code == code:
                return service
        return None

    @property
    def id_base(self) -> int:
        """Order numbers of account k are k*10,000,000 + 1, 2, ... (never shared by accounts)."""
        return (self.index + 1) * 10_000_000

    def public(self) -> dict[str, str]:
        """The account as the first stdout line and `/_sandbox/info` show it."""
        return {"name": self.name, "type": self.type.value, "api_key": self.api_key}

    def describe(self) -> dict[str, object]:
        """Everything about the account except its key (for `/_sandbox/info`)."""
        return {
            "name": self.name,
            "type": self.type.value,
            "trading_name": self.trading_name,
            "label_format": self.label_format.value,
            "auth_mode": self.auth_mode.value,
            "services": [s.code for s in self.services],
            "id_range_start": self.id_base + 1,
        }


def _new_api_key() -> str:
    """A GUID-like 36-character key, like the keys Click & Drop issues."""
    h = secrets.token_hex(16)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def default_accounts() -> list[Account]:
    """The five accounts every sandbox starts with (names are stable: tests use them)."""
    return [
        Account(
            0,
            "olp",
            AccountType.OLP,
            "Hedgerow Crafts",
            ("Hedgerow Crafts", "Unit 4, Tannery Yard", "HEXHAM", "NE46 3BQ"),
        ),
        Account(
            1,
            "oba",
            AccountType.OBA,
            "Northwind Parcels Ltd",
            ("Northwind Parcels Ltd", "Bay 7, Calder Park", "WAKEFIELD", "WF2 7AW"),
        ),
        Account(
            2,
            "oba-a4",
            AccountType.OBA,
            "Pennine Paper Co",
            ("Pennine Paper Co", "2 Wharf Street", "SKIPTON", "BD23 1AF"),
            label_format=LabelFormat.A4,
        ),
        Account(
            3,
            "channelshipper",
            AccountType.CHANNEL_SHIPPER,
            "Kestrel Trading Co",
            ("Kestrel Trading Co", "Kestrel House, 19 Dock Road", "BIRKENHEAD", "CH41 1DL"),
        ),
        Account(
            4,
            "olp-bare",
            AccountType.OLP,
            "Little Fern Studio",
            ("Little Fern Studio", "The Stables, Mill Lane", "LEDBURY", "HR8 2DQ"),
            auth_mode=AuthMode.BARE,
        ),
    ]
