"""Short-lived signed tokens: output URLs (``?_jwt=``) and upload slots.

Tokens are HS256 JWTs signed with a random per-instance secret, so nothing is stored
per URL and a token from another instance (or an edited one) is simply invalid.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable

_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Verified:
    """The outcome of checking a token: ``claims`` is empty unless ``ok``."""

    ok: bool
    expired: bool
    claims: dict[str, Any]


class Signer:
    def __init__(self, secret: bytes | None = None, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock

    def sign(self, claims: dict[str, Any], ttl_s: float) -> str:
        """A token carrying ``claims`` that expires ``ttl_s`` seconds from now."""
        body = dict(claims, exp=round(self._clock() + ttl_s, 3))
        head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{head}.{payload}.{self._mac(f'{head}.{payload}')}"

    def verify(self, token: str) -> Verified:
        parts = token.split(".")
        if len(parts) != 3:
            return Verified(False, False, {})
        head, payload, mac = parts
        if not hmac.compare_digest(mac, self._mac(f"{head}.{payload}")):
            return Verified(False, False, {})
        try:
            claims = json.loads(_unb64(payload))
        except ValueError:
            return Verified(False, False, {})
        if not isinstance(claims, dict) or not isinstance(claims.get("exp"), (int, float)):
            return Verified(False, False, {})
        if claims["exp"] <= self._clock():
            return Verified(False, True, {})
        return Verified(True, False, claims)

    def mac(self, text: str) -> str:
        """A plain signature over ``text`` (upload policies)."""
        return self._mac(text)

    def _mac(self, text: str) -> str:
        return _b64(hmac.new(self._secret, text.encode(), hashlib.sha256).digest())
