"""Request (``XCreate``, ``XUpdate``) and response (``XPublic``) schemas."""
