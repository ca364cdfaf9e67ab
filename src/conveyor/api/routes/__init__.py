"""One router per resource; ``ROUTERS`` is what the app mounts."""

from conveyor.api.routes import departments, employees, tokens

ROUTERS = [departments.router, employees.router, tokens.router]
