"""The pure model: standard library only, no I/O, no clock."""
