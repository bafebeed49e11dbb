"""Typed desktop preferences with defaults, kept in an INI file under `CLICKDROP_DATA_DIR`.

Secrets never come here (they live in the vault). The file is versioned so a later release can
upgrade old keys; `load()` tolerates missing or malformed values by falling back to defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from PySide6.QtCore import QSettings

from clickdrop_desktop.paths import data_dir

PREFS_VERSION = 1

#: Documents the app prints, with the printer each one goes to.
DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    ("postageLabel", "Postage label"),
    ("packingSlip", "Packing slip"),
    ("despatchNote", "Despatch note"),
    ("CN22", "Customs form CN22"),
    ("CN23", "Customs form CN23"),
)
MEDIA_CHOICES: tuple[tuple[str, str], ...] = (
    ("4x6", "4×6 in thermal label"),
    ("a4", "A4 sheet (4 labels per page)"),
)
DPI_CHOICES = (203, 300)
SORT_CHOICES: tuple[tuple[str, str], ...] = (
    ("order_date", "Order date"),
    ("reference", "Order reference"),
    ("postcode", "Postcode"),
)


def open_settings() -> QSettings:
    """The app's QSettings, always an INI file in the data dir: never the registry or real home."""
    settings = QSettings(str(data_dir() / "desktop.ini"), QSettings.Format.IniFormat)
    settings.setFallbacksEnabled(False)
    return settings


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the Settings dialog edits. Printer addresses use DESIGN.md's printer URIs."""

    printers: dict[str, str] = field(default_factory=dict)  # document type -> URI (no options)
    dpi: int = 203
    media: str = "4x6"
    darkness: int | None = None  # ZPL ~SD 0-30 / TSPL DENSITY 0-15; None: printer default
    speed: int | None = None  # inches per second; None: printer default
    a4_start_position: int = 1  # 1-4: the first free label on a part-used A4 sheet
    auto_print: bool = False  # print new labels as soon as they are prepared
    packing_slip_on_scan: bool = False  # bench mode: a scan also prints the packing slip
    batch_sort: str = "order_date"
    retention_days: int = 90  # purge personal data of despatched orders after this
    sync_interval_minutes: int = 5
    lock_after_idle_minutes: int = 0  # 0: never

    def printer_uri(self, document: str) -> str | None:
        """The URI for `document` with this profile's dpi, media and darkness as options."""
        base = self.printers.get(document) or self.printers.get("postageLabel")
        if not base:
            return None
        parts = urlsplit(base)
        options = dict(parse_qsl(parts.query))
        options.setdefault("dpi", str(self.dpi))
        options.setdefault("media", self.media)
        if self.darkness is not None:
            options.setdefault("darkness", str(self.darkness))
        if self.speed is not None:
            options.setdefault("speed", str(self.speed))
        # Not urlunsplit: it drops the empty authority of `file:///path` (`file:/path`).
        return f"{base.partition('?')[0]}?{urlencode(options)}"

    def with_changes(self, **changes: Any) -> Preferences:
        return replace(self, **changes)


_INT_FIELDS = {"dpi", "a4_start_position", "retention_days", "sync_interval_minutes"}
_INT_FIELDS |= {"lock_after_idle_minutes"}
_OPTIONAL_INT_FIELDS = {"darkness", "speed"}
_BOOL_FIELDS = {"auto_print", "packing_slip_on_scan"}
_STR_FIELDS = {"media", "batch_sort"}


def load(settings: QSettings) -> Preferences:
    """Read preferences; anything missing or malformed takes its default."""
    defaults = Preferences()
    values: dict[str, Any] = {}
    settings.beginGroup("preferences")
    try:
        for f in fields(Preferences):
            if f.name == "printers":
                continue
            raw = settings.value(f.name)
            if raw is None or raw == "":
                continue
            try:
                if f.name in _BOOL_FIELDS:
                    values[f.name] = str(raw).lower() in {"1", "true", "yes", "on"}
                elif f.name in _INT_FIELDS | _OPTIONAL_INT_FIELDS:
                    values[f.name] = int(str(raw))
                elif f.name in _STR_FIELDS:
                    values[f.name] = str(raw)
            except ValueError:
                continue
        printers = {}
        settings.beginGroup("printers")
        for document, _label in DOCUMENT_TYPES:
            uri = settings.value(document)
            if uri:
                printers[document] = str(uri)
        settings.endGroup()
        values["printers"] = printers
    finally:
        settings.endGroup()
    prefs = replace(defaults, **values)
    if prefs.dpi not in DPI_CHOICES:
        prefs = replace(prefs, dpi=defaults.dpi)
    if prefs.media not in {m for m, _ in MEDIA_CHOICES}:
        prefs = replace(prefs, media=defaults.media)
    if not 1 <= prefs.a4_start_position <= 4:
        prefs = replace(prefs, a4_start_position=1)
    return prefs


def save(settings: QSettings, prefs: Preferences) -> None:
    settings.setValue("version", PREFS_VERSION)
    settings.beginGroup("preferences")
    try:
        for f in fields(Preferences):
            if f.name == "printers":
                continue
            value = getattr(prefs, f.name)
            if value is None:
                settings.remove(f.name)
            elif isinstance(value, bool):
                settings.setValue(f.name, "true" if value else "false")
            else:
                settings.setValue(f.name, value)
        settings.remove("printers")
        settings.beginGroup("printers")
        for document, uri in prefs.printers.items():
            if uri:
                settings.setValue(document, uri)
        settings.endGroup()
    finally:
        settings.endGroup()
    settings.sync()
