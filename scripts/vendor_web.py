"""Install the pinned browser libraries into api/web/static/vendor/ from the npm registry.

`npm pack` fetches each tarball (through the machine's npm config, so registry mirrors work); the
tarball must match the SHA-512 integrity pinned in api/web/vendor.json before any file is taken out.
Only the prebuilt bundles are copied: no node_modules tree, nothing fetched from a CDN at run time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "api" / "web" / "vendor.json"
TARGET = ROOT / "api" / "web" / "static" / "vendor"
STAMP = TARGET / ".installed"


def main() -> int:
    lock_text = LOCK.read_text(encoding="utf-8")
    want = hashlib.sha256(lock_text.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return 0
    packages = json.loads(lock_text)["packages"]
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, pin in packages.items():
            tarball = _pack(name, pin["version"], Path(tmp))
            _check_integrity(tarball, pin["integrity"], name)
            _extract(tarball, pin["files"])
    STAMP.write_text(want)
    return 0


def _pack(name: str, version: str, into: Path) -> Path:
    out = subprocess.run(  # noqa: S603 - arguments come from our own pinned lock file
        ["npm", "pack", f"{name}@{version}", "--silent", "--pack-destination", str(into)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    return into / out.stdout.strip().splitlines()[-1]


def _check_integrity(tarball: Path, integrity: str, name: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{name}: tarball integrity {algorithm}-{digest} != pinned {integrity}")


def _extract(tarball: Path, files: dict[str, str]) -> None:
    with tarfile.open(tarball) as archive:
        for member_name, target_name in files.items():
            member = archive.extractfile(member_name)
            if member is None:
                raise SystemExit(f"{tarball.name}: {member_name} is not a file")
            (TARGET / target_name).write_bytes(member.read())


if __name__ == "__main__":
    sys.exit(main())
