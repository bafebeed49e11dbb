"""`clickdrop-desktop virtual-printer`: a loopback raw printer that decodes jobs to PNG files.

The first stdout line is one JSON object (`host`, `port`, `out`, `dpi`, `uris`), so a script
that asked for `--port 0` learns the port; then one line per printed label. It runs until
interrupted (Ctrl+C or SIGTERM) and exits 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from clickdrop_desktop.cli import EXIT_OK, EXIT_USAGE, CliError


def run(args: argparse.Namespace) -> int:
    from printing.virtual_printer import PrintedLabel, VirtualPrinter  # lazy: front end only

    if args.dpi not in (203, 300, 600):
        raise CliError(f"--dpi must be 203, 300 or 600, not {args.dpi}", EXIT_USAGE)
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be 0..65535, not {args.port}", EXIT_USAGE)
    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out} exists and is not a folder", EXIT_USAGE)

    def announce(label: PrintedLabel) -> None:
        bitmap = label.bitmap
        name = label.png.name if label.png else "-"
        print(
            f"printed {label.language} label {bitmap.width}x{bitmap.height} dots "
            f"({label.job_bytes} bytes, copy {label.copy}/{label.copies}) -> {name}",
            flush=True,
        )

    printer = VirtualPrinter(args.host, args.port, out, dpi=args.dpi, on_label=announce)
    try:
        printer.start()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CliError(
            f"cannot listen on {args.host}:{args.port} ({reason}); choose another --port"
        ) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        print(
            json.dumps(
                {
                    "host": printer.host,
                    "port": printer.port,
                    "out": str(out),
                    "dpi": printer.dpi,
                    "uris": {lang: printer.uri(lang) for lang in ("escpos", "zpl", "tspl")},
                }
            ),
            flush=True,
        )
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        printer.stop()
    for error in printer.errors:
        print(f"clickdrop-desktop: virtual printer: {error}", file=sys.stderr)
    return EXIT_OK
