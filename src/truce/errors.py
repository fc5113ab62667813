"""User-facing errors: one line, `PATH:LINE: what is wrong`, exit status 2."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A problem with the user's input, reported without a traceback."""

    def __init__(self, path: str | None, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = " ".join(str(message).split())  # always a single line
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None and self.line is None:
            return f"truce: {self.message}"  # about the command line itself, not a file
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"
