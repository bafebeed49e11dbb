"""Print pipeline benchmarks: 6x4 label PDF -> printer bytes, against `pdftoppm` in the same run.

Figures:
- `print.raster_ms_p95.<language>`: PDF bytes to job bytes (raster + threshold + encode) at
  203 dpi, p95 over the runs; `print.raster_ms_p95` is the slowest language;
  `print.raster_ms_p95.<language>.300dpi` the same at 300 dpi.
- `print.raster_ratio_vs_pdftoppm`: our PDF-to-1-bit-bitmap time / `pdftoppm -mono -r 203` on
  the same file (median over interleaved runs, so machine noise hits both alike).
- `print.bytes_ratio`: our ZPL job size / the same job as uncompressed `^GFA` hex (Z64 default);
  `print.bytes_ratio.acs` for Zebra's ACS run-length scheme.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from printing.encoders import RASTER_LANGUAGES, encode  # noqa: E402
from printing.encoders.zpl import encode_zpl  # noqa: E402
from printing.raster import RasterOptions, rasterise_pdf  # noqa: E402
from tests.unit.printing.samples import label_pdf  # noqa: E402


def _times(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up: first-call costs (font caches, imports) are not the steady state
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _sandbox_label() -> bytes | None:
    """A sandbox postage label (what the app really prints), if the sandbox is installed."""
    try:
        from clickdrop_desktop.sandbox import accounts, data, labels
    except ImportError:
        return None
    account = next(a for a in accounts.default_accounts() if a.name == "oba")
    record = data.SeededData(1, account, 40).order(0)
    record.tracking = record.tracking or "JX000000000GB"
    pdf: bytes = labels.render_documents("postageLabel", [record], account)
    return pdf


def run(quick: bool) -> dict[str, float]:
    runs = 30 if quick else 200
    pdf = _sandbox_label() or label_pdf()
    options = RasterOptions(dpi=203)
    results: dict[str, float] = {}

    for language in RASTER_LANGUAGES:
        times = _times(lambda lang=language: encode(lang, rasterise_pdf(pdf, options)), runs)
        results[f"print.raster_ms_p95.{language}"] = round(_p95(times), 2)
    results["print.raster_ms_p95"] = max(
        results[f"print.raster_ms_p95.{x}"] for x in RASTER_LANGUAGES
    )
    options_300 = RasterOptions(dpi=300)
    for language in RASTER_LANGUAGES:
        times = _times(lambda lang=language: encode(lang, rasterise_pdf(pdf, options_300)), runs)
        results[f"print.raster_ms_p95.{language}.300dpi"] = round(_p95(times), 2)

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "label.pdf"
            source.write_bytes(pdf)
            target = str(Path(folder) / "out")
            command = [pdftoppm, "-mono", "-r", "203", "-singlefile", str(source), target]

            def baseline() -> None:
                subprocess.run(command, check=True, capture_output=True)

            def ours() -> None:
                rasterise_pdf(source.read_bytes(), options)

            baseline()
            ours()
            ours_ms: list[float] = []
            base_ms: list[float] = []
            for _ in range(max(10, runs // 4)):
                ours_ms += _times(ours, 1)[-1:]
                base_ms += _times(baseline, 1)[-1:]
        results["print.raster_ratio_vs_pdftoppm"] = round(
            statistics.median(ours_ms) / statistics.median(base_ms), 3
        )
        results["print.raster_ms_median"] = round(statistics.median(ours_ms), 2)
        results["print.pdftoppm_ms_median"] = round(statistics.median(base_ms), 2)
    else:
        print("bench_print: pdftoppm not found (apt install poppler-utils); ratio not measured")

    [bitmap] = rasterise_pdf(pdf, options)
    plain = len(encode_zpl([bitmap], compression="hex"))
    results["print.bytes_ratio"] = round(len(encode_zpl([bitmap])) / plain, 4)
    results["print.bytes_ratio.acs"] = round(
        len(encode_zpl([bitmap], compression="acs")) / plain, 4
    )
    return results


if __name__ == "__main__":
    for name, value in run("--quick" in sys.argv).items():
        print(f"{name:40} {value}")
