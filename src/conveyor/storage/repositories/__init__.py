"""Repositories: the only way services read and write stored objects."""
