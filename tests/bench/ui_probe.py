"""Child process for bench_ui.py: starts a window, reports timings on stdout as JSON lines.

Modes (argv[1]):
  bare   a bare PySide6 QMainWindow; prints {"painted": true} at its first paint.
  app    the real main window over an existing encrypted store of many orders (store key read
         from stdin, never from argv); prints {"painted": ...} at the first paint of the window
         showing the signed-in account (its table holding rows or saying it is loading them),
         {"rows_painted": true} at the first paint with the first screen of rows, then
         {"rss_mb": ...} after scrolling through the table.
  sync   the real main window syncing an account from a sandbox process (url and key from
         stdin) while a GUI-thread heartbeat measures stalls; prints {"max_block_ms": ...}.
  scan   bench mode against the sandbox with the virtual printer: labels prepared (cached)
         first, then each scan timed from Enter to the transport taking the bytes; prints
         {"scan_ms": [...]}.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def say(**data: object) -> None:
    print(json.dumps(data), flush=True)


def cpu_s() -> float:
    """CPU seconds this process has used (all threads), interpreter start-up included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bare() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: TID251 - the baseline

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 720)

    class Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                # Reported once the paint is done (the filter runs before it).
                QTimer.singleShot(0, lambda: (say(painted=True, cpu_s=cpu_s()), app.quit()))
            return False

    watcher = Painted()
    window.installEventFilter(watcher)
    window.show()
    app.exec()


class _OneAccount:
    """An account directory holding one account whose session is built by `opener` (and, when
    `store_opener` is given, whose store opens alone, as `VaultAccounts.open_store` does)."""

    def __init__(self, name: str, opener: object, store_opener: object = None) -> None:
        self.name = name
        self.opener = opener
        if store_opener is not None:
            self.open_store = lambda _name: store_opener()  # type: ignore[operator]

    def list_accounts(self) -> list[object]:
        from ui.services.views import AccountInfo

        return [AccountInfo(self.name, "OBA", active=True)]

    def active_name(self) -> str:
        return self.name

    def set_active(self, name: str) -> None:
        return None

    def open_session(self, name: str) -> object:
        return self.opener()  # type: ignore[operator]

    def needs_passphrase(self, name: str | None) -> bool:
        return False

    def provide_passphrase(self, passphrase: str) -> None:
        return None

    def verify(self, api_url: str, api_key: str) -> object:
        raise NotImplementedError

    def sign_in(self, name: str, api_url: str, api_key: str) -> object:
        raise NotImplementedError

    def sign_out(self, name: str) -> None:
        return None


def _window(directory: object, prefs: object = None):
    """The app's own start-up (`ui.app.start`, as `run_app` runs it) over `directory`."""
    from clickdrop_desktop.paths import data_dir
    from ui.app import start

    def configure(ctx: object) -> object:
        ctx.feedback.enabled = False  # type: ignore[attr-defined]
        if prefs is not None:
            ctx.prefs = prefs  # type: ignore[attr-defined]
        return directory

    started = start(configure, base=data_dir())  # type: ignore[arg-type]
    started.window.resize(1366, 768)
    return started.app, started.window, started.ctx


def app_mode(store_path: str, account_id: str) -> None:
    """First paint of the real window for the signed-in account, then of its first rows.

    Reported once each, after the paint is done (the filter runs before it):
    `{"painted": ...}` the first time the orders table paints while the window shows the
    account (its page, its name in the title): the table either holds rows or says it is
    loading them; `{"rows_painted": ...}` the first time it paints with its first screen of
    rows read from the store.
    """
    from PySide6.QtCore import QTimer

    key = bytes.fromhex(sys.stdin.readline().strip())

    def opener() -> object:
        # As the real directory does: the core session (httpx, SQLCipher) loads in the worker.
        from clickdrop_desktop.session import AccountProfile, AccountSession, UnlockedKeys

        profile = AccountProfile(
            name="Bench",
            api_url="http://127.0.0.1:9/api/v1",  # nothing listens: the start-up sync fails fast
            account_id=account_id,
            store_path=Path(store_path),
            labels=True,
        )
        return AccountSession(profile, UnlockedKeys("bench-key", bytearray(key)), max_retries=0)

    def store_opener() -> object:
        from clickdrop_desktop.store import Store

        return Store.open(Path(store_path), key, account_id=account_id)

    app, window, ctx = _window(_OneAccount("Bench", opener, store_opener))
    model = window.model
    state = {"window": False, "rows": False}

    def settle(then: object) -> None:
        """Scroll steps wait for the rows the view asked for (they load off the GUI thread)."""
        deadline = time.monotonic() + 30
        bar = window.orders_view.verticalScrollBar()

        def check() -> None:
            if model.is_row_loaded(bar.value()) or time.monotonic() > deadline:
                then()  # type: ignore[operator]
            else:
                QTimer.singleShot(5, check)

        check()

    def scroll_and_measure() -> None:
        bar = window.orders_view.verticalScrollBar()
        steps = [bar.maximum() // 2, bar.maximum(), 0]

        def step() -> None:
            if not steps:
                say(rss_mb=rss_mb(), rows=model.rowCount())
                window.close()
                app.quit()
                return
            bar.setValue(steps.pop(0))
            window.orders_view.viewport().repaint()
            settle(step)

        step()

    def on_painted() -> None:
        # Emitted by the table at the end of each of its paints, so reported as soon as the
        # paint is done (no viewport filter: the probe adds no work to the start it measures).
        showing = window.stack.currentIndex() == 1 and window.windowTitle().startswith("Bench")
        if showing and not state["window"]:
            state["window"] = True
            say(painted=True, loading=model.loading, rows=model.rowCount(), cpu_s=cpu_s())
        if showing and not state["rows"] and model.rowCount() and model.is_row_loaded(0):
            state["rows"] = True
            say(rows_painted=True, cpu_s=cpu_s())
            QTimer.singleShot(0, scroll_and_measure)

    window.orders_view.painted.connect(on_painted)
    app.exec()
    ctx.tasks.shutdown(5000)


def _sandbox_session(name: str):
    from clickdrop_desktop.paths import account_dir
    from clickdrop_desktop.sandbox.info import SandboxInfo
    from clickdrop_desktop.session import (
        AccountProfile,
        AccountSession,
        UnlockedKeys,
        store_path_for,
    )

    info = SandboxInfo.from_json(sys.stdin.readline())
    account = info.account(name)
    import secrets

    store_key = secrets.token_bytes(32)
    profile = AccountProfile(
        name="Bench",
        api_url=info.url,
        account_id="bench-sync",
        store_path=store_path_for(account_dir("bench")),
        full=account.type == "ChannelShipper",
        labels=account.type == "OBA",
        rate_per_s=0,
    )

    def opener() -> AccountSession:
        return AccountSession(profile, UnlockedKeys(account.api_key, bytearray(store_key)))

    return opener, info


def sync_mode() -> None:
    from PySide6.QtCore import QTimer

    opener, _info = _sandbox_session("oba")
    app, window, ctx = _window(_OneAccount("Bench", opener))
    interval_ms = 5
    gaps: list[float] = []
    last = [time.perf_counter()]
    timer = QTimer()
    timer.setInterval(interval_ms)

    def beat() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000 - interval_ms)
        last[0] = now

    timer.timeout.connect(beat)

    def finished(_text: str) -> None:
        timer.stop()
        ordered = sorted(gaps) or [0.0]
        say(
            max_block_ms=ordered[-1],
            p99_block_ms=ordered[int(0.99 * (len(ordered) - 1))],
            beats=len(gaps),
            rows=window.model.rowCount(),
        )
        window.close()
        app.quit()

    def started() -> None:
        last[0] = time.perf_counter()
        gaps.clear()
        timer.start()

    window.c.sync.started.connect(started)
    window.c.sync.finished.connect(finished)
    window.c.sync.failed.connect(lambda text: (say(error=text), app.quit()))
    # `start` has shown the window and begun opening the account; opening it starts the sync.
    app.exec()
    ctx.tasks.shutdown(5000)


def scan_mode(count: int) -> None:
    from PySide6.QtCore import QTimer

    from clickdrop_desktop.api.models import OrderStatus
    from ui.preferences import Preferences

    opener, _info = _sandbox_session("oba")
    port = int(sys.argv[3])  # a virtual printer process (its decoding is not ours to time)
    prefs = Preferences(printers={"postageLabel": f"zpl+tcp://127.0.0.1:{port}"})
    app, window, ctx = _window(_OneAccount("Bench", opener), prefs)
    timings: list[float] = []
    refs: list[str] = []

    def scan_next() -> None:
        if len(timings) >= len(refs):
            say(scan_ms=timings)
            window.close()
            app.quit()
            return
        window.c.bench.scan(refs[len(timings)])

    def on_synced(_text: str) -> None:
        if refs:
            return
        store = window.logic.workspace.store
        rows = store.query_orders(status=OrderStatus.NEW, limit=count * 3)
        # Cached first (offline-capable); the sandbox refuses labels for some orders (no
        # postage applied), so only orders that got one are scanned.
        window.logic.workspace.printing.prepare_labels([r.order_identifier for r in rows])
        ready = [r for r in rows if store.documents.has(r.order_identifier, "postageLabel")]
        refs.extend(str(r.order_identifier) for r in ready[:count])
        window.c.sync.set_workspace(None)  # no background sync while timing
        QTimer.singleShot(0, scan_next)

    window.c.bench.scan_timing.connect(lambda ms: (timings.append(ms), scan_next()))
    window.c.bench.result.connect(
        lambda outcome, text: None if outcome.value == "ok" else (say(error=text), app.quit())
    )
    window.c.sync.finished.connect(on_synced)
    app.exec()
    ctx.tasks.shutdown(5000)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        bare()
    elif mode == "app":
        app_mode(sys.argv[2], sys.argv[3])
    elif mode == "sync":
        sync_mode()
    elif mode == "scan":
        scan_mode(int(sys.argv[2]))  # argv[3]: the virtual printer's port
    else:
        raise SystemExit(f"unknown mode {mode}")
