"""One router per area of the site; ``ROUTERS`` is what the site mounts."""

from conveyor.web.pages import board, items, kanban, robots, rules, session, work

ROUTERS = [
    session.router,
    work.router,
    kanban.router,
    items.router,
    board.router,
    rules.router,
    robots.router,
]
