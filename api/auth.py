"""Routes: auth (placeholder until implemented)."""

from fastapi import APIRouter

router = APIRouter(tags=["auth"])
