"""Session cookies, CSRF tokens and the admin token check.

A participant's browser holds one random session token in an HttpOnly,
SameSite=Lax cookie; the database keeps only its SHA-256. Every form carries a
CSRF token, an HMAC of the session token under the database's secret, so a
page from another site cannot submit answers in the participant's name, and
tokens stay valid across a server restart.

>>> secret = b"k" * 32
>>> token = csrf_token(secret, "session-1")
>>> csrf_matches(secret, "session-1", token), csrf_matches(secret, "session-2", token)
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SESSION_COOKIE = "replylab_session"
ADMIN_COOKIE = "replylab_admin"
SESSION_MAX_AGE = 14 * 24 * 3600  # long enough to come back after a lost connection


def new_session_token() -> str:
    """A fresh random session token (256 bits, URL-safe).

    >>> len(new_session_token()) >= 43
    True
    """
    return secrets.token_urlsafe(32)


def hash_session_token(token: str) -> str:
    """The stored form of a session cookie: its SHA-256 (a leaked table reveals no cookie).

    >>> len(hash_session_token("abc"))
    64
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_session_token(value: str | None) -> bool:
    """Whether a cookie value has the shape of our tokens (rejects junk before any lookup).

    >>> looks_like_session_token(new_session_token()), looks_like_session_token("<script>")
    (True, False)
    """
    if not value or not 20 <= len(value) <= 128:
        return False
    return all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


def csrf_token(secret: bytes, session_token: str) -> str:
    """The CSRF token for forms shown to the holder of ``session_token``."""
    return hmac.new(secret, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def withdrawal_code(secret: bytes, participant_id: str) -> str:
    """The participant's own code for asking to have their answers removed.

    The completion code is the same for everyone, so it cannot tell the researcher
    whose data to remove; this code can, and only the participant and the
    researcher (through the export) know it. It is derived from the participant's
    id under the database's secret, so it needs no storage and never changes.

    >>> withdrawal_code(b"k" * 32, "3f2a9c")
    'J3FAA-RKVYE'
    """
    digest = hmac.new(secret, b"withdraw:" + participant_id.encode(), hashlib.sha256).digest()
    code = base64.b32encode(digest)[:10].decode()
    return f"{code[:5]}-{code[5:]}"


def csrf_matches(secret: bytes, session_token: str | None, submitted: str | None) -> bool:
    """Whether a submitted CSRF token belongs to this session (constant-time comparison)."""
    if not session_token or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, session_token), submitted)


def admin_token_matches(expected: str, submitted: str | None) -> bool:
    """Constant-time check of the researcher's admin token.

    >>> admin_token_matches("s3cret", "s3cret"), admin_token_matches("s3cret", "guess")
    (True, False)
    >>> admin_token_matches("s3cret", None)
    False
    """
    if not submitted:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), submitted.encode("utf-8"))


def cookie_settings(secure: bool) -> dict:
    """Keyword arguments for ``Response.set_cookie`` used for every cookie we set."""
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}
