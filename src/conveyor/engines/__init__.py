"""Engines: assignment, automation, workflow, scheduler — they decide; services and workers act."""
