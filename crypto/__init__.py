"""FieldBank's national cryptography (SM2, SM3, SM4), envelopes, keys, field encryption and masking.

The only package that imports an SM library; everything else goes through this API. Bytes in, bytes
out, one canonical form per artefact (see README.md).
"""

from crypto.envelope import OpenedEnvelope, open_envelope, seal
from crypto.errors import (
    BadSignature,
    CryptoError,
    DecryptionFailed,
    EnvelopeExpired,
    EnvelopeNotForRecipient,
    EnvelopeRejected,
    EnvelopeReplayed,
    KeyStoreError,
    MalformedInput,
    UnknownKeyId,
    UntrustedSender,
    WrongKey,
)
from crypto.fields import BLIND_INDEX_KINDS, FieldCipher, FieldKeys
from crypto.keystore import KeyStore, init_key_store, kek_key_id, load_key_store, load_or_init_key_store
from crypto.masking import (
    mask_account_number,
    mask_address,
    mask_card_number,
    mask_email,
    mask_id_number,
    mask_mobile,
    mask_name,
)
from crypto.nonces import InMemorySeenNonces, SeenNonceStore
from crypto.sm2 import (
    DEFAULT_USER_ID,
    sm2_ciphertext_from_raw,
    sm2_ciphertext_to_raw,
    sm2_decrypt,
    sm2_encrypt,
    sm2_sign,
    sm2_signature_from_raw,
    sm2_signature_to_raw,
    sm2_verify,
)
from crypto.sm2_keys import SM2PrivateKey, SM2PublicKey
from crypto.sm3 import Digest, hmac_sm3, hmac_sm3_hasher, sm3, sm3_hasher, verify_hmac_sm3
from crypto.sm4 import (
    generate_sm4_key,
    sm4_cbc_decrypt,
    sm4_cbc_encrypt,
    sm4_encrypt_block,
    sm4_gcm_decrypt,
    sm4_gcm_encrypt,
    sm4_kcv,
)

__all__ = [
    "BLIND_INDEX_KINDS",
    "DEFAULT_USER_ID",
    "BadSignature",
    "CryptoError",
    "DecryptionFailed",
    "Digest",
    "EnvelopeExpired",
    "EnvelopeNotForRecipient",
    "EnvelopeRejected",
    "EnvelopeReplayed",
    "FieldCipher",
    "FieldKeys",
    "InMemorySeenNonces",
    "KeyStore",
    "KeyStoreError",
    "MalformedInput",
    "OpenedEnvelope",
    "SM2PrivateKey",
    "SM2PublicKey",
    "SeenNonceStore",
    "UnknownKeyId",
    "UntrustedSender",
    "WrongKey",
    "generate_sm4_key",
    "hmac_sm3",
    "hmac_sm3_hasher",
    "init_key_store",
    "kek_key_id",
    "load_key_store",
    "load_or_init_key_store",
    "mask_account_number",
    "mask_address",
    "mask_card_number",
    "mask_email",
    "mask_id_number",
    "mask_mobile",
    "mask_name",
    "open_envelope",
    "seal",
    "sm2_ciphertext_from_raw",
    "sm2_ciphertext_to_raw",
    "sm2_decrypt",
    "sm2_encrypt",
    "sm2_sign",
    "sm2_signature_from_raw",
    "sm2_signature_to_raw",
    "sm2_verify",
    "sm3",
    "sm3_hasher",
    "sm4_cbc_decrypt",
    "sm4_cbc_encrypt",
    "sm4_encrypt_block",
    "sm4_gcm_decrypt",
    "sm4_gcm_encrypt",
    "sm4_kcv",
    "verify_hmac_sm3",
]
