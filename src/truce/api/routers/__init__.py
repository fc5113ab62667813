"""One router per resource; truce.api.app mounts them under /api/v1."""
