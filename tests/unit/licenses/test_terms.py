"""License terms (licensing/licenses/rules/terms.py): the last day of display of every term, and the
credit line."""
from __future__ import annotations

from datetime import date

import pytest

from licensing.licenses.rules.terms import credit_line, end_date


@pytest.mark.parametrize(("term", "start", "end"), [
    ("one_off", date(2026, 1, 1), None),  # no end of display: one publication, then the archive
    ("one_off", date(2026, 2, 15), None),
    ("30_days", date(2026, 1, 1), date(2026, 1, 30)),
    ("30_days", date(2024, 2, 15), date(2024, 3, 15)),   # through a 29 February
    ("30_days", date(2026, 12, 15), date(2027, 1, 13)),  # across a year end
    ("1_year", date(2026, 1, 1), date(2026, 12, 31)),
    ("1_year", date(2026, 7, 15), date(2027, 7, 14)),
    ("1_year", date(2024, 2, 29), date(2025, 2, 28)),    # starts on 29 February
    ("1_year", date(2023, 3, 1), date(2024, 2, 29)),     # ends on 29 February
    ("1_year", date(2027, 2, 28), date(2028, 2, 27)),
    ("1_year", date(2027, 3, 1), date(2028, 2, 29)),
    ("perpetual", date(2026, 5, 1), None),
    ("perpetual", date(2024, 2, 29), None),
])
def test_end_date_of_every_term(term, start, end):
    assert end_date(term, start) == end


@pytest.mark.parametrize("term", ["30_days", "1_year"])
def test_a_term_never_ends_before_it_starts(term):
    for start in (date(2024, 2, 29), date(2025, 12, 31), date(2026, 1, 1)):
        assert end_date(term, start) > start


def test_unknown_term_is_refused():
    with pytest.raises(ValueError, match="^unknown term '2_years'$"):
        end_date("2_years", date(2026, 1, 1))


def test_credit_line():
    assert credit_line("Middle East Eye Ltd", "MEE and agencies") == \
        "By MEE and agencies, Middle East Eye Ltd. Republished under license."
    assert credit_line("Middle East Eye Ltd", "", "licence") == "By Middle East Eye Ltd. Republished under licence."
    assert credit_line("Middle East Eye Ltd", "") == "By Middle East Eye Ltd. Republished under license."
