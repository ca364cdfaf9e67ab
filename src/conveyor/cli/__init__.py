"""The command line: ``conveyor serve | worker | db | demo | admin``."""
