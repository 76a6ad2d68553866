"""URL converters. `int` is bounded to what the database can hold, app-wide, so an id too
large for a 64-bit integer column is a 404 like any other id that is not there, instead of
an OverflowError (a 500) when the database driver is handed it."""

from __future__ import annotations

import builtins

from werkzeug.routing import IntegerConverter

# The largest signed 64-bit integer: SQLite's INTEGER and PostgreSQL's BIGINT.
MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that matches only up to MAX_ID, whatever bound a rule asks for."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        bound = MAX_ID if max is None else builtins.min(max, MAX_ID)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)
