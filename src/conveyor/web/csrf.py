"""Cross-site request forgery: every form and every fetch that changes something carries a
token only our own pages know.

Signed in, the token is an HMAC of the session's secret (kept in an HttpOnly cookie another
site can send but never read). Before signing in, the login form uses a double-submit
cookie: a random value in a cookie and the same value in the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: The form field and the header that carry the token.
FIELD = "csrf"
HEADER = "X-CSRF-Token"
#: The cookie of the login form's double submit.
LOGIN_COOKIE = "cv_login_csrf"


def for_session(secret: str) -> str:
    return hmac.new(secret.encode(), b"conveyor csrf", hashlib.sha256).hexdigest()


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def matches(expected: str | None, sent: str | None) -> bool:
    return bool(expected) and bool(sent) and hmac.compare_digest(str(expected), str(sent))
