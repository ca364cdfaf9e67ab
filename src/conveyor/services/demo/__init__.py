"""``conveyor demo``: a realistic digital agency, created through the ordinary services."""
