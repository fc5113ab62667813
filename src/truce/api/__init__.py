"""The HTTP API: FastAPI over a workspace, with role-based access (deny by default), RFC 9457
problem details, limits, guarantor alerts, the log in Rekor's layout and OGC API – Features.

    create_app(workspace, settings) -> FastAPI         (truce serve runs it with uvicorn)
    create_demo_users(workspace) -> {role: token}      (one user and token per role, for the demo)
    notice_declarations(workspace) -> Declarations     (advance notices, for assess_workspace)

See docs/api.md."""

from truce.api.app import API_PREFIX, create_app
from truce.api.notices import notice_declarations
from truce.api.policy import POLICY, Action, Actor, Resource, Role, allowed
from truce.api.settings import ApiSettings
from truce.api.users import add_user, create_demo_users, issue_token, list_users, revoke

__all__ = [
    "API_PREFIX",
    "POLICY",
    "Action",
    "Actor",
    "ApiSettings",
    "Resource",
    "Role",
    "add_user",
    "allowed",
    "create_app",
    "create_demo_users",
    "issue_token",
    "list_users",
    "notice_declarations",
    "revoke",
]
