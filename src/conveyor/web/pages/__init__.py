"""One router per area of the site; ``ROUTERS`` is what the site mounts."""

from conveyor.web.pages import session

ROUTERS = [session.router]
