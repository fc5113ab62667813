"""The store: SQLAlchemy 2 Core tables, Alembic migrations, and the workspace that holds them."""

from truce.store.workspace import Workspace, copy_workspace, open_workspace

__all__ = ["Workspace", "copy_workspace", "open_workspace"]
