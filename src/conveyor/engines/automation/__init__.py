"""Automation: the pure parts of robots (when a robot is due, what its texts say).

The services read the database and carry the actions out; these functions decide, with
time and working time passed in.
"""

from __future__ import annotations

from conveyor.engines.automation.templates import Template, compile_template
from conveyor.engines.automation.timing import WorkingTimeSource, due_at, field_moment

__all__ = ["Template", "WorkingTimeSource", "compile_template", "due_at", "field_moment"]
