"""The read-only open-data API under /api/v1/ (docs/api.md)."""
