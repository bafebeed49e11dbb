"""BUILD-INFO.json beside the frozen executables: version and a digest of the sources it was built from.

The frozen tests compare the digest with the working tree, so a stale `dist/` is reported as
stale (rebuild with `python3 dev.py build`) instead of being tested as if it were current.
Loaded by path (this folder is not a package: `packaging` is also a PyPI library's name).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

INFO_FILE = "BUILD-INFO.json"
#: What ends up in the bundle: the code, our resources, and how it is built.
SOURCES = ("clickdrop_desktop", "printing", "ui", "resources")
SINGLE_FILES = ("build.spec", "pyproject.toml", "packaging/entry.py")
_SKIP_PARTS = {"__pycache__"}


def source_digest(root: Path) -> str:
    """SHA-256 over the relative paths and bytes of every file that goes into the build."""
    files = [root / name for name in SINGLE_FILES]
    for folder in SOURCES:
        files += [
            p
            for p in (root / folder).rglob("*")
            if p.is_file() and not _SKIP_PARTS & set(p.parts) and p.suffix != ".pyc"
        ]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def write_build_info(bundle: Path, root: Path, version: str) -> dict[str, str]:
    info = {"version": version, "source_digest": source_digest(root)}
    (bundle / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def read_build_info(bundle: Path) -> dict[str, str] | None:
    try:
        data = json.loads((bundle / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
