"""The table mutator itself (tables.py): which mutants a small module gets, and that each changes
exactly what its description says."""
from __future__ import annotations

from tests.mutation import tables

SOURCE = '''
from collections import namedtuple
Row = namedtuple("Row", "code rate eu")
OTHER = "o"
RATES = {"GB": 2000, "FR": 2000, "DE": 1900}
CODES = frozenset({"A", "B"})
ROWS = (Row("IE", 2300, True),)
PAIR = ("name", OTHER)
LIMIT = 5
def rate(code):
    return RATES[code]
'''


def test_the_mutants_of_a_small_module():
    assert [m.key for m in tables.mutants("example.py", SOURCE)] == [
        "RATES: drop 'GB'", "RATES: drop 'FR'", "RATES: drop 'DE'",
        "RATES: swap 'FR' and 'DE'",  # not GB and FR: their values are equal
        "RATES: change 2000 of 'GB'", "RATES: change 2000 of 'FR'", "RATES: change 1900 of 'DE'",
        "CODES: drop 'A'", "CODES: drop 'B'",  # a set's members are dropped, not changed
        "ROWS: drop row 'IE'", "ROWS: change 'IE' in row 'IE'", "ROWS: change 2300 in row 'IE'",
        "ROWS: change True in row 'IE'",
        "PAIR: change 'name'",  # a record's fields change; none is dropped
    ]  # LIMIT is a constant, not a table


def test_each_mutant_changes_what_it_says():
    changed = {}
    for mutant in tables.mutants("example.py", SOURCE):
        namespace: dict = {}
        exec(mutant.code, namespace)  # noqa: S102 - the test's own module text
        changed[mutant.key] = {name: namespace[name] for name in ("RATES", "CODES", "ROWS", "PAIR")}
    assert changed["RATES: drop 'FR'"]["RATES"] == {"GB": 2000, "DE": 1900}
    assert changed["RATES: swap 'FR' and 'DE'"]["RATES"] == {"GB": 2000, "FR": 1900, "DE": 2000}
    assert changed["RATES: change 1900 of 'DE'"]["RATES"] == {"GB": 2000, "FR": 2000, "DE": 1901}
    assert changed["CODES: drop 'B'"]["CODES"] == frozenset({"A"})
    assert changed["ROWS: drop row 'IE'"]["ROWS"] == ()
    assert tuple(changed["ROWS: change 'IE' in row 'IE'"]["ROWS"][0]) == ("XXIEXX", 2300, True)
    assert tuple(changed["ROWS: change True in row 'IE'"]["ROWS"][0]) == ("IE", 2300, False)
    assert changed["PAIR: change 'name'"]["PAIR"] == ("XXnameXX", "o")
    for values in changed.values():  # one change each: everything else is as written
        assert sum(values[name] != original for name, original in (
            ("RATES", {"GB": 2000, "FR": 2000, "DE": 1900}), ("CODES", frozenset({"A", "B"})),
            ("PAIR", ("name", "o")))) + (tuple(values["ROWS"]) != (("IE", 2300, True),)) == 1
