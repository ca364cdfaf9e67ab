"""What the pages call a robot's timing kinds, time units and action kinds (English; the
Russian is in ``texts/rules.py``). Templates read them as ``robot_words``."""

from __future__ import annotations

TIMING = {
    "immediately": "Immediately",
    "after": "After a delay",
    "after_working": "After working time",
    "at_field": "At a date field",
    "before_field": "Before a date field",
    "after_field": "After a date field",
}
UNIT = {"minutes": "minutes", "hours": "hours", "days": "days"}
ACTION = {
    "notify": "Notify",
    "control": "Control",
    "create_task": "Create a task",
    "change_stage": "Change the stage",
    "set_field": "Set a field",
    "change_responsible": "Change the responsible",
    "create_item": "Create a lead or deal",
    "add_co_executors": "Add co-executors",
    "shift_deadline": "Shift a task's deadline",
    "send_email": "Send an email",
    "send_sms": "Send an SMS",
    "webhook": "Call a webhook",
    "start_process": "Start a process",
}
