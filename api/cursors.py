"""Opaque, tamper-proof Relay cursors.

Why sealed: the service pages with the last item's ref as cursor (`fabrikam/bob`). Handing that
out would let a tenant-scoped token read another tenant's refs out of a cursor, and let any
client forge positions. A cursor is therefore the ref encrypted and authenticated with a key
held by the server process: a keystream from HMAC-SHA256(key, nonce || counter) XORed with the
text, then HMAC-SHA256 over nonce + ciphertext (encrypt-then-MAC, standard-library only).
Cursors stay valid while the server runs; after a restart a client starts from the first page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from api.errors import ApiError

__all__ = ["CursorSealer"]

_NONCE = 12
_TAG = 16


class CursorSealer:
    """Seals strings into cursors and opens them again; `open` rejects anything else."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def _stream(self, nonce: bytes, length: int) -> bytes:
        out = bytearray()
        counter = 0
        while len(out) < length:
            block = nonce + counter.to_bytes(4, "big")
            out += hmac.new(self._key, b"enc" + block, hashlib.sha256).digest()
            counter += 1
        return bytes(out[:length])

    def _tag(self, data: bytes) -> bytes:
        return hmac.new(self._key, b"mac" + data, hashlib.sha256).digest()[:_TAG]

    def seal(self, text: str) -> str:
        """An opaque cursor for `text`.

        Examples
        --------
        >>> s = CursorSealer(b"k" * 32)
        >>> s.open(s.seal("contoso/alice"))
        'contoso/alice'
        """
        raw = text.encode("utf-8")
        nonce = secrets.token_bytes(_NONCE)
        body = nonce + bytes(a ^ b for a, b in zip(raw, self._stream(nonce, len(raw)), strict=True))
        return base64.urlsafe_b64encode(body + self._tag(body)).decode("ascii").rstrip("=")

    def open(self, cursor: str) -> str:
        """The text sealed in `cursor`; raises `ApiError(invalid-input)` for a bad cursor."""
        try:
            data = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (ValueError, TypeError):
            data = b""
        body, tag = data[:-_TAG], data[-_TAG:]
        if len(body) < _NONCE or not hmac.compare_digest(tag, self._tag(body)):
            raise ApiError("invalid-input", f"cursor `{cursor[:40]}` is not valid here")
        nonce, cipher = body[:_NONCE], body[_NONCE:]
        plain = bytes(a ^ b for a, b in zip(cipher, self._stream(nonce, len(cipher)), strict=True))
        return plain.decode("utf-8")
