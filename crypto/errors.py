"""Named crypto errors: every failed check raises one of these, nothing returns garbage.

`crypto` imports nothing of ours, so these do not derive from `engine.errors`; each carries a stable
`code` so the API layer can map them the same way it maps engine errors.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error raised on purpose by `crypto`."""

    code = "crypto_error"


class MalformedInput(CryptoError, ValueError):
    """Bytes that are not in the expected encoding (PEM, DER, key length, envelope framing)."""

    code = "crypto_malformed_input"


class BadSignature(CryptoError):
    """A signature or MAC does not verify, including one that is not even well formed."""

    code = "crypto_bad_signature"


class DecryptionFailed(CryptoError):
    """Authenticated decryption failed: tampered or truncated ciphertext, wrong key or wrong context.

    SM4-GCM and SM2 cannot tell these causes apart, on purpose; where a key id says which key was
    meant, `WrongKey` is raised before any decryption is tried.
    """

    code = "crypto_decryption_failed"


class WrongKey(CryptoError):
    """The data names a key we do not hold, or is addressed to someone else."""

    code = "crypto_wrong_key"


class UnknownKeyId(WrongKey, LookupError):
    """No key with this id in the key store (never created here, or removed)."""

    code = "crypto_unknown_key_id"


class KeyStoreError(CryptoError):
    """The key store cannot be created or loaded: missing files, loose permissions, refusal to overwrite."""

    code = "crypto_key_store_error"


class EnvelopeRejected(CryptoError):
    """A well-formed, authentic envelope that policy refuses to open."""

    code = "crypto_envelope_rejected"


class EnvelopeExpired(EnvelopeRejected):
    """The envelope's timestamp is outside the freshness window (too old, or too far in the future)."""

    code = "crypto_envelope_expired"


class EnvelopeReplayed(EnvelopeRejected):
    """The envelope's nonce was already seen within the freshness window."""

    code = "crypto_envelope_replayed"


class EnvelopeNotForRecipient(EnvelopeRejected, WrongKey):
    """No wrapped content key in the envelope is addressed to the given recipient key id."""

    code = "crypto_envelope_not_for_recipient"


class UntrustedSender(EnvelopeRejected):
    """The envelope is unsigned, or signed by a key id that is not among the trusted senders."""

    code = "crypto_untrusted_sender"
