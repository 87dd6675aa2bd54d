"""How the command line calls the services: with the bearer token as call metadata."""

from __future__ import annotations


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    """The call metadata that carries `token`; none without one."""
    return (("authorization", f"Bearer {token}"),) if token else ()
