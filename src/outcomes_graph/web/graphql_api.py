"""Router stub: filled in by the service work (issue 4)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
