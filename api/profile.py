"""Routes: profile (placeholder until implemented)."""

from fastapi import APIRouter

router = APIRouter(tags=["profile"])
