"""Storage: SQLAlchemy tables, repositories, migrations and the unit of work.

The only package that imports SQLAlchemy.
"""
