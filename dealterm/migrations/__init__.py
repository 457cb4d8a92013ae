"""Alembic migrations of the dealterm schema.

:data:`HEAD` names the newest revision, so that opening an up-to-date database needs no
Alembic import at all (Alembic and its templates cost a quarter of a second). A test
checks that it matches the newest file in ``versions/``; update it with each migration.
"""

HEAD = "0009"
