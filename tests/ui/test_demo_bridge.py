"""Demo mode's virtual printer bridge: the labels it passes on are numbered as the user sees jobs."""

from __future__ import annotations

from printing.bitmap import Bitmap
from printing.virtual_printer import PrintedLabel
from ui.demo import DemoPrinterBridge


def _label(job: int, copy: int = 1) -> PrintedLabel:
    return PrintedLabel(
        sequence=job, language="zpl", bitmap=Bitmap.blank(8, 8), job=job, job_bytes=10, copy=copy
    )


def test_jobs_are_numbered_by_the_labels_that_came_out(qtbot) -> None:
    bridge = DemoPrinterBridge()
    shown: list[int] = []
    bridge.label_printed.connect(lambda label: shown.append(label.job))
    # connection 1 was the status query before the first print: it printed nothing
    for label in (_label(2), _label(2, copy=2), _label(4), _label(7)):
        bridge.deliver(label)
    assert shown == [1, 1, 2, 3]
