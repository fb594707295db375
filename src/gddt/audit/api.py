"""The audit app's API router (the history of a dossier is served by the counter's API)."""

from ninja import Router

router = Router(tags=["audit"])
