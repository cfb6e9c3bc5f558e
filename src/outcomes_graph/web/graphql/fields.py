"""A typed ``strawberry.field`` for resolver methods.

``@strawberry.field(description=...)`` is typed as returning ``Any``, which makes every
decorated resolver untyped under ``mypy --strict``; :func:`resolver` keeps the method's
own type for mypy and hands the real work to strawberry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

__all__ = ["resolver"]

F = TypeVar("F", bound=Callable[..., Any])


def resolver(*, description: str | None = None, name: str | None = None) -> Callable[[F], F]:
    """``@strawberry.field(description=..., name=...)`` for a method, typed for mypy."""
    decorate: Callable[[F], F] = strawberry.field(description=description, name=name)
    return decorate
