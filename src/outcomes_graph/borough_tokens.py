"""Bearer tokens for borough writes: each scoped to one borough, stored only as a SHA-256 hash.

A token is shown once, when ``outcomes-graph borough token GSS`` makes it; the file keeps
its hash, the borough it may write, a label and when it was made. More hashes can come
from the ``borough_tokens`` setting (``GSS:sha256,...``) for deployments that keep secrets
outside the data folder. A token has 256 random bits, so a plain SHA-256 is enough: there is
nothing to guess that a slow hash would protect.

>>> token = new_token()
>>> token.startswith(TOKEN_PREFIX), len(token_hash(token))
(True, 64)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Final

import orjson

from outcomes_graph.errors import UsageError
from outcomes_graph.settings import Settings

__all__ = [
    "TOKEN_PREFIX",
    "TokenGrant",
    "TokenStore",
    "check_gss",
    "new_token",
    "token_hash",
]

TOKEN_PREFIX: Final = "ogb_"
TOKENS_FILE: Final = "tokens.json"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_gss(gss: str) -> str:
    """``gss`` if it has the shape of a GSS code (a letter and eight digits), else a ``UsageError``."""
    if len(gss) == 9 and gss[0].isalpha() and gss[0].isupper() and gss[1:].isdigit():
        return gss
    raise UsageError(f"{gss!r} is not a GSS code; a London borough's looks like E09000030")


@dataclass(frozen=True)
class TokenGrant:
    """What the store keeps about one token (never the token itself)."""

    id: str
    gss: str
    sha256: str
    label: str
    created: str

    @property
    def who(self) -> str:
        """How upload records name whoever used this token."""
        return f"token {self.id}" + (f" ({self.label})" if self.label else "")


class TokenStore:
    """The hashed tokens of ``settings.overlays_dir / tokens.json`` plus the ``borough_tokens`` setting."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.overlays_dir / TOKENS_FILE
        self.configured = _configured(settings.borough_tokens)

    def grants(self) -> list[TokenGrant]:
        """Every grant in the file, then the configured ones."""
        return [*self._read(), *self.configured]

    def issue(self, gss: str, label: str = "") -> tuple[str, TokenGrant]:
        """A new token for ``gss`` and its grant; the token is not kept anywhere."""
        token = new_token()
        digest = token_hash(token)
        grant = TokenGrant(digest[:8], check_gss(gss), digest, label,
                           datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
        self._write([*self._read(), grant])
        return token, grant

    def revoke(self, token_id: str) -> TokenGrant:
        """Remove the grant with this id (from the file; configured grants live in settings)."""
        kept, gone = [], None
        for grant in self._read():
            if grant.id == token_id:
                gone = grant
            else:
                kept.append(grant)
        if gone is None:
            raise UsageError(f"no token with id {token_id!r}; `outcomes-graph borough tokens` lists them")
        self._write(kept)
        return gone

    def verify(self, token: str) -> TokenGrant | None:
        """The grant a presented token matches, or None."""
        digest = token_hash(token)
        found = None
        for grant in self.grants():
            # Compare every grant, in constant time each, so timing says nothing about which matched.
            if hmac.compare_digest(grant.sha256, digest):
                found = grant
        return found

    def _read(self) -> list[TokenGrant]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return []
        except orjson.JSONDecodeError as exc:
            raise UsageError(f"{self.path} is not valid JSON ({exc}); restore it or delete it") from None
        return [TokenGrant(**item) for item in data.get("tokens", [])]

    def _write(self, grants: list[TokenGrant]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        # Hashes only, but still nobody else's business: the file is readable by its owner alone.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(orjson.dumps({"tokens": [asdict(g) for g in grants]}, option=orjson.OPT_INDENT_2))
        temporary.replace(self.path)


def _configured(setting: str | None) -> list[TokenGrant]:
    grants = []
    for item in (setting or "").split(","):
        if not item.strip():
            continue
        gss, _, digest = item.strip().partition(":")
        digest = digest.lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise UsageError(
                f"borough_tokens: {item.strip()!r} is not GSS:SHA-256 (64 hex digits); "
                "`outcomes-graph borough token GSS --hash-only` prints one"
            )
        grants.append(TokenGrant(digest[:8], check_gss(gss), digest, "from settings", ""))
    return grants
