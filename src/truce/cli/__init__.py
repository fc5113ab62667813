"""The `truce` command line (Typer + rich)."""
