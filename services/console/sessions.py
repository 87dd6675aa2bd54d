"""Sessions kept on the server: the browser holds only a random session id (an HttpOnly cookie);
the token the services are called with, the person's roles and the form token (CSRF) stay here.
A session unused for the idle time is gone; signing out removes it at once.

Kept in the process's memory: one console replica, or an ingress with session affinity
(deploy/k8s/console.yaml); a restart signs everyone out."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ogi.auth import Principal

SESSION_COOKIE = "ogi_session"


@dataclass
class Session:
    id: str
    principal: Principal
    csrf: str
    # The bearer token for the services, and when it stops being valid (monotonic clock).
    token: str = ""
    token_expires: float = 0.0
    refresh_token: str = ""
    id_token: str = ""
    last_seen: float = field(default_factory=time.monotonic)


@dataclass
class PendingSignIn:
    """An OIDC sign-in under way: its state, nonce and PKCE verifier, until the callback."""

    state: str
    nonce: str
    code_verifier: str
    started: float = field(default_factory=time.monotonic)


class SessionStore:
    def __init__(self, idle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._pending: dict[str, PendingSignIn] = {}
        self._lock = threading.Lock()

    def create(self, principal: Principal) -> Session:
        session = Session(
            secrets.token_urlsafe(32), principal, secrets.token_urlsafe(32), last_seen=self.clock()
        )
        with self._lock:
            self._forget_idle()
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id, its idle time restarted; None if none or expired."""
        if not session_id:
            return None
        now = self.clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.last_seen > self.idle_seconds:
                del self._sessions[session_id]
                return None
            session.last_seen = now
            return session

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def begin_sign_in(self, pending: PendingSignIn) -> None:
        with self._lock:
            self._pending[pending.state] = pending

    def finish_sign_in(self, state: str) -> PendingSignIn | None:
        """The sign-in this state belongs to, once (a replayed callback finds nothing)."""
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None or self.clock() - pending.started > 600:
            return None
        return pending

    def _forget_idle(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._sessions.items() if now - s.last_seen > self.idle_seconds]:
            del self._sessions[key]
