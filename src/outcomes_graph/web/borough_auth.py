"""Who is asking: the bearer token of a borough request, and what it lets the caller do.

Reads are public, except a borough's private overlay, which only that borough's token
can see; to anyone else it answers exactly like a borough with no overlay (404), so its
existence does not leak. Writes need the borough's own token: no token or an unknown one
is 401, another borough's token is 403.
"""

from __future__ import annotations

from typing import Final

from fastapi import Depends, Request

from outcomes_graph.borough_tokens import TokenGrant, TokenStore
from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.state import AppState, get_state

__all__ = ["bearer_grant", "may_read", "require_writer"]

_CHALLENGE: Final = 'Bearer realm="outcomes-graph"'


def bearer_grant(request: Request, state: AppState = Depends(get_state)) -> TokenGrant | None:
    """The grant of the request's bearer token; None without one; 401 for a malformed or unknown one."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthorized",
            "the Authorization header must be 'Bearer <token>'",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    grant = TokenStore(state.settings).verify(token.strip())
    if grant is None:
        raise ApiError(
            401,
            "invalid-token",
            "this bearer token is not known: it was revoked or mistyped",
            headers={"WWW-Authenticate": _CHALLENGE + ', error="invalid_token"'},
        )
    return grant


def require_writer(gss: str, grant: TokenGrant | None) -> TokenGrant:
    """The grant, if it may write borough ``gss``."""
    if grant is None:
        raise ApiError(
            401,
            "unauthorized",
            f"writing {gss}'s overlay needs its bearer token; `outcomes-graph borough token {gss}` makes one",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    if grant.gss != gss:
        raise ApiError(403, "forbidden", f"this token may write {grant.gss}'s overlay only, not {gss}'s")
    return grant


def may_read(gss: str, visibility: str, grant: TokenGrant | None) -> bool:
    """Whether the caller may see borough ``gss``'s overlay."""
    return visibility == "public" or (grant is not None and grant.gss == gss)
