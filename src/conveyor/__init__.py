"""Conveyor: a company's order and task flow, run by itself."""

__version__ = "0.1.0"
