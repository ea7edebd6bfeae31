"""sm2p256v1 curve arithmetic in Python, for key checks only (never for signing or decryption).

gmssl-pyx cannot derive a public key from a private key, validate a point or decompress one, and
loading a key must do all three. These run once per key load (a few milliseconds), are not
constant-time, and never touch a signing nonce or a decryption.
"""

from __future__ import annotations

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

_Jacobian = tuple[int, int, int]


def is_on_curve(x: int, y: int) -> bool:
    """True if (x, y) is a finite point of the curve (the curve has cofactor 1, so it is in the group)."""
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def decompress(prefix: int, x: int) -> tuple[int, int] | None:
    """Return the point with abscissa x and the parity of `prefix` (2 even, 3 odd), or None."""
    if not 0 <= x < P:
        return None
    y = pow((x * x * x + A * x + B) % P, (P + 1) // 4, P)  # P = 3 mod 4, so this is a square root
    if (y * y - (x * x * x + A * x + B)) % P:
        return None
    if y & 1 != prefix & 1:
        y = P - y
    return x, y


def _double(pt: _Jacobian) -> _Jacobian:
    x, y, z = pt
    if y == 0 or z == 0:
        return 0, 1, 0
    yy = y * y % P
    s = 4 * x * yy % P
    zz = z * z % P
    m = 3 * (x - zz) * (x + zz) % P  # a = -3
    x3 = (m * m - 2 * s) % P
    return x3, (m * (s - x3) - 8 * yy * yy) % P, 2 * y * z % P


def _add_affine(pt: _Jacobian, qx: int, qy: int) -> _Jacobian:
    x, y, z = pt
    if z == 0:
        return qx, qy, 1
    zz = z * z % P
    u2 = qx * zz % P
    s2 = qy * zz * z % P
    h = (u2 - x) % P
    r = (s2 - y) % P
    if h == 0:
        return _double(pt) if r == 0 else (0, 1, 0)
    hh = h * h % P
    hhh = h * hh % P
    v = x * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - y * hhh) % P, z * h % P


def scalar_base_mult(k: int) -> tuple[int, int]:
    """Return k*G in affine coordinates; 0 < k < N."""
    acc: _Jacobian = (0, 1, 0)
    for bit in bin(k)[2:]:
        acc = _double(acc)
        if bit == "1":
            acc = _add_affine(acc, GX, GY)
    x, y, z = acc
    z_inv = pow(z, -1, P)
    zz_inv = z_inv * z_inv % P
    return x * zz_inv % P, y * zz_inv * z_inv % P
