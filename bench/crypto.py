"""Benchmark `crypto` against the pure-Python `gmssl` 3.2.2, side by side.

Run: .venv/bin/python bench/crypto.py   (about 20 s; single thread; median of 3 timed runs,
ours and gmssl alternating so that load from other processes affects both sides alike)

SM2 figures are operations per second (sign/verify over a 256-byte message including Z_A and SM3;
encrypt/decrypt of a 16-byte content key). SM3 and SM4 are MB/s (10^6 bytes) over 1 MiB for ours and
16 KiB for gmssl. gmssl has no SM4-GCM, so its SM4 rows are SM4-CBC, labelled as such.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

if __name__ != "__main__":
    raise ImportError(
        "bench/crypto.py was imported as a module and shadows the `crypto` package: keep bench/ off "
        "sys.path (run other bench scripts as `python -m bench.<name>` or put the repo root first)"
    )
# This file is bench/crypto.py: drop bench/ from the path so `import crypto` finds the package.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from gmssl import func as gmssl_func  # noqa: E402
from gmssl import sm2 as gmssl_sm2  # noqa: E402
from gmssl import sm3 as gmssl_sm3  # noqa: E402
from gmssl import sm4 as gmssl_sm4  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import crypto  # noqa: E402
from crypto._sm2_curve import N  # noqa: E402

SIGN_GOAL = 25.0
MESSAGE = secrets.token_bytes(256)
CONTENT_KEY = secrets.token_bytes(16)
OURS_BUFFER = secrets.token_bytes(1 << 20)
THEIRS_BUFFER = secrets.token_bytes(1 << 14)


Operation = Callable[[], object]


def _calibrate(operation: Operation, min_seconds: float) -> int:
    """Loop count that makes one timed run last about `min_seconds`."""
    operation()
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            operation()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds / 4:
            return max(1, int(loops * min_seconds / elapsed))
        loops *= 4


def _timed(operation: Operation, loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        operation()
    return time.perf_counter() - start


def paired_rates(mine: Operation, theirs: Operation, *, repeats: int = 3) -> tuple[float, float]:
    """Calls per second of both sides, median of `repeats` runs; the runs alternate between the two
    sides so that load from other processes (2 shared cores) hits both alike and spares the ratio."""
    mine_loops, their_loops = _calibrate(mine, 0.2), _calibrate(theirs, 0.3)
    mine_times, their_times = [], []
    for _ in range(repeats):
        mine_times.append(_timed(mine, mine_loops))
        their_times.append(_timed(theirs, their_loops))
    return mine_loops / statistics.median(mine_times), their_loops / statistics.median(their_times)


def rate(operation: Operation, *, repeats: int = 3) -> float:
    loops = _calibrate(operation, 0.2)
    return loops / statistics.median(_timed(operation, loops) for _ in range(repeats))


def pairs() -> dict[str, tuple[Operation, Operation, float, float]]:
    """Per row: our operation, gmssl's, and the MB per call of each (1.0 for ops/s rows)."""
    key = crypto.SM2PrivateKey.generate()
    signature = crypto.sm2_sign(key, MESSAGE)
    wrapped = crypto.sm2_encrypt(key.public_key, CONTENT_KEY)
    sm2 = gmssl_sm2.CryptSM2(private_key=key.to_bytes().hex(), public_key=key.public_key.xy.hex(), mode=1)
    sm2.public_key = key.public_key.xy.hex()  # its constructor's lstrip("04") can corrupt the key

    def their_sign() -> object:  # never its default nonce: gmssl draws it from `random`, not a CSPRNG
        return sm2.sign_with_sm3(MESSAGE, f"{secrets.randbelow(N - 1) + 1:064x}")

    their_signature = str(their_sign())
    their_wrapped = sm2.encrypt(CONTENT_KEY)
    sm4_key, iv = crypto.generate_sm4_key(), secrets.token_bytes(16)
    sealed = crypto.sm4_gcm_encrypt(sm4_key, OURS_BUFFER)
    cbc = crypto.sm4_cbc_encrypt(sm4_key, OURS_BUFFER, iv=iv)
    encryptor, decryptor = gmssl_sm4.CryptSM4(), gmssl_sm4.CryptSM4()
    encryptor.set_key(sm4_key, gmssl_sm4.SM4_ENCRYPT)
    decryptor.set_key(sm4_key, gmssl_sm4.SM4_DECRYPT)
    their_cbc = bytes(encryptor.crypt_cbc(iv, THEIRS_BUFFER))
    mb, their_mb = len(OURS_BUFFER) / 1e6, len(THEIRS_BUFFER) / 1e6

    def their_cbc_encrypt() -> object:
        return encryptor.crypt_cbc(iv, THEIRS_BUFFER)

    def their_cbc_decrypt() -> object:
        return decryptor.crypt_cbc(iv, their_cbc)

    return {
        "sign": (lambda: crypto.sm2_sign(key, MESSAGE), their_sign, 1.0, 1.0),
        "verify": (
            lambda: crypto.sm2_verify(key.public_key, MESSAGE, signature),
            lambda: sm2.verify_with_sm3(their_signature, MESSAGE),
            1.0,
            1.0,
        ),
        "encrypt": (
            lambda: crypto.sm2_encrypt(key.public_key, CONTENT_KEY),
            lambda: sm2.encrypt(CONTENT_KEY),
            1,
            1,
        ),
        "decrypt": (lambda: crypto.sm2_decrypt(key, wrapped), lambda: sm2.decrypt(their_wrapped), 1.0, 1.0),
        "sm3": (
            lambda: crypto.sm3(OURS_BUFFER),
            lambda: gmssl_sm3.sm3_hash(gmssl_func.bytes_to_list(THEIRS_BUFFER)),
            mb,
            their_mb,
        ),
        "sm4_enc": (lambda: crypto.sm4_gcm_encrypt(sm4_key, OURS_BUFFER), their_cbc_encrypt, mb, their_mb),
        "sm4_dec": (lambda: crypto.sm4_gcm_decrypt(sm4_key, sealed), their_cbc_decrypt, mb, their_mb),
        "cbc_enc": (
            lambda: crypto.sm4_cbc_encrypt(sm4_key, OURS_BUFFER, iv=iv),
            their_cbc_encrypt,
            mb,
            their_mb,
        ),
        "cbc_dec": (lambda: crypto.sm4_cbc_decrypt(sm4_key, cbc, iv=iv), their_cbc_decrypt, mb, their_mb),
    }


def ours_composites() -> dict[str, float]:
    """Whole operations the application performs: an envelope and a personal-data field."""
    sender, recipient = crypto.SM2PrivateKey.generate(), crypto.SM2PrivateKey.generate()
    content = secrets.token_bytes(1024)
    envelope = crypto.seal(content, [("dev", recipient.public_key)], ("kms", sender))
    trusted = {"kms": sender.public_key}

    class Keys:
        index_key = secrets.token_bytes(32)
        _kek = crypto.generate_sm4_key()

        def current_kek(self) -> tuple[str, bytes]:
            return crypto.kek_key_id(self._kek), self._kek

        def kek(self, key_id: str) -> bytes:
            return self._kek

    cipher = crypto.FieldCipher(Keys())
    token = cipher.encrypt("420106199001011238", context=b"customer.id_number:1")
    return {
        "seal": rate(lambda: crypto.seal(content, [("dev", recipient.public_key)], ("kms", sender))),
        "open": rate(
            lambda: crypto.open_envelope(
                envelope, "dev", recipient, trusted_senders=trusted, seen_nonces=None, now=datetime.now(UTC)
            )
        ),
        "field_enc": rate(lambda: cipher.encrypt("420106199001011238", context=b"customer.id_number:1")),
        "field_dec": rate(lambda: cipher.decrypt(token, context=b"customer.id_number:1")),
        "blind_index": rate(lambda: cipher.blind_index("420106199001011238")),
    }


ROWS = [
    ("SM2 sign", "sign", "ops/s", "SM2 sign"),
    ("SM2 verify", "verify", "ops/s", "SM2 verify"),
    ("SM2 encrypt (16 B key)", "encrypt", "ops/s", "SM2 encrypt (mode=1)"),
    ("SM2 decrypt (16 B key)", "decrypt", "ops/s", "SM2 decrypt (no C3 check)"),
    ("SM3", "sm3", "MB/s", "SM3"),
    ("SM4-GCM encrypt", "sm4_enc", "MB/s", "SM4-CBC encrypt (no GCM)"),
    ("SM4-GCM decrypt", "sm4_dec", "MB/s", "SM4-CBC decrypt (no GCM)"),
    ("SM4-CBC encrypt", "cbc_enc", "MB/s", "SM4-CBC encrypt"),
    ("SM4-CBC decrypt", "cbc_dec", "MB/s", "SM4-CBC decrypt"),
]
COMPOSITE_ROWS = [
    ("envelope seal (1 KiB, 1 recipient, signed)", "seal"),
    ("envelope open (verify, unwrap, decrypt)", "open"),
    ("field encrypt (18-char ID number)", "field_enc"),
    ("field decrypt", "field_dec"),
    ("blind index (HMAC-SM3)", "blind_index"),
]


def main() -> None:
    console = Console()
    started = time.perf_counter()
    mine: dict[str, float] = {}
    other: dict[str, float] = {}
    with console.status("timing ours and pure-Python gmssl 3.2.2, alternately ..."):
        for key, (ours_op, their_op, ours_mb, their_mb) in pairs().items():
            mine_rate, their_rate = paired_rates(ours_op, their_op)
            mine[key], other[key] = mine_rate * ours_mb, their_rate * their_mb
        composite = ours_composites()
    table = Table(title="crypto (cryptography + gmssl-pyx) vs pure-Python gmssl 3.2.2, single thread")
    for column in ("operation", "ours", "gmssl 3.2.2", "gmssl operation", "ratio"):
        table.add_column(column, justify="left" if "operation" in column else "right")
    for label, key, unit, their_label in ROWS:
        ratio = mine[key] / other[key]
        values = f"{mine[key]:,.1f} {unit}", f"{other[key]:,.2f} {unit}"
        table.add_row(label, *values, their_label, f"{ratio:,.0f}x")
    table.add_section()
    for label, key in COMPOSITE_ROWS:
        table.add_row(label, f"{composite[key]:,.0f} ops/s", "–", "–", "")
    console.print(table)
    sign_ratio = mine["sign"] / other["sign"]
    verdict = "[green]met[/green]" if sign_ratio >= SIGN_GOAL else "[red]NOT met[/red]"
    goal = f"goal >= {SIGN_GOAL:.0f}x"
    console.print(f"SM2 sign: {sign_ratio:,.1f}x the pure-Python figure ({goal}): {verdict}")
    console.print(f"total bench time {time.perf_counter() - started:.1f} s; load average {_load()}")


def _load() -> str:
    try:
        return ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
