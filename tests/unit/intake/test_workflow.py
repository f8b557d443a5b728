"""The request state machine: every status x action x actor kind, against a table written out by
hand from DOMAIN.md (not derived from workflow.TRANSITIONS)."""
from __future__ import annotations

import itertools
import re

import pytest

from licensing.intake.rules import workflow
from licensing.intake.rules.workflow import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS,
    STATUSES,
    TRANSITIONS,
    Transition,
    TransitionRefused,
    allowed_actions,
    transition,
)

# What staff and publishers read for each status (written out here, not read from the code).
LABELS = {
    "submitted": "Submitted", "in_review": "In review", "needs_info": "Needs information", "approved": "Approved",
    "rejected": "Rejected", "withdrawn": "Withdrawn", "expired": "Expired",
}

ACTIONS = ("start_review", "request_info", "answer_info", "approve", "reject", "withdraw", "expire")
ACTORS = ("publisher", "staff", "system")

# (status, action, actor) -> target; everything not listed is refused.
ALLOWED = {
    ("submitted", "start_review", "staff"): "in_review",
    ("submitted", "request_info", "staff"): "needs_info",
    ("in_review", "request_info", "staff"): "needs_info",
    ("needs_info", "answer_info", "publisher"): "in_review",
    ("submitted", "approve", "staff"): "approved",
    ("in_review", "approve", "staff"): "approved",
    ("submitted", "reject", "staff"): "rejected",
    ("in_review", "reject", "staff"): "rejected",
    ("needs_info", "reject", "staff"): "rejected",
    ("submitted", "withdraw", "publisher"): "withdrawn",
    ("in_review", "withdraw", "publisher"): "withdrawn",
    ("needs_info", "withdraw", "publisher"): "withdrawn",
    ("needs_info", "expire", "system"): "expired",
}
WHO = {  # the one kind of actor that may take each action
    "start_review": "staff", "request_info": "staff", "answer_info": "publisher", "approve": "staff",
    "reject": "staff", "withdraw": "publisher", "expire": "system",
}
GRID = list(itertools.product(
    ("submitted", "in_review", "needs_info", "approved", "rejected", "withdrawn", "expired"), ACTIONS, ACTORS))


def test_the_vocabulary():
    assert STATUSES == ("submitted", "in_review", "needs_info", "approved", "rejected", "withdrawn", "expired")
    assert set(TRANSITIONS) == set(ACTIONS)
    assert set(OPEN_STATUSES) | set(FINAL_STATUSES) == set(STATUSES)
    assert not set(OPEN_STATUSES) & set(FINAL_STATUSES)
    assert STATUS_LABELS == LABELS
    assert (workflow.PUBLISHER, workflow.STAFF, workflow.SYSTEM) == ACTORS


@pytest.mark.parametrize(("status", "action", "actor"), GRID)
def test_transition_table(status, action, actor):
    expected = ALLOWED.get((status, action, actor))
    if expected is None:
        if actor != WHO[action]:
            message = f"a {actor} cannot {action.replace('_', ' ')} a request"
        else:
            message = f"cannot {action.replace('_', ' ')} a request that is {LABELS[status].lower()}"
        with pytest.raises(TransitionRefused, match=f"^{re.escape(message)}$") as caught:
            transition(status, action, actor)
        assert (caught.value.action, caught.value.status, caught.value.message) == (action, status, message)
    else:
        assert transition(status, action, actor) == Transition(action=action, before=status, after=expected)


def test_the_grid_allows_exactly_the_listed_transitions():
    allowed = set()
    for status, action, actor in GRID:
        try:
            transition(status, action, actor)
        except TransitionRefused:
            continue
        allowed.add((status, action, actor))
    assert allowed == set(ALLOWED)


@pytest.mark.parametrize("status", FINAL_STATUSES)
@pytest.mark.parametrize("actor", ACTORS)
def test_final_statuses_have_no_way_out(status, actor):
    assert allowed_actions(status, actor) == []
    for action in ACTIONS:
        with pytest.raises(TransitionRefused, match=f" a request( that is {LABELS[status].lower()})?$"):
            transition(status, action, actor)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("actor", ACTORS)
def test_allowed_actions_match_the_table(status, actor):
    expected = [a for a in ACTIONS if (status, a, actor) in ALLOWED]
    assert allowed_actions(status, actor) == expected


@pytest.mark.parametrize(("status", "actor", "actions"), [
    ("submitted", "staff", ["start_review", "request_info", "approve", "reject"]),
    ("in_review", "staff", ["request_info", "approve", "reject"]),
    ("needs_info", "staff", ["reject"]),
    ("submitted", "publisher", ["withdraw"]),
    ("needs_info", "publisher", ["answer_info", "withdraw"]),
    ("needs_info", "system", ["expire"]),
    ("in_review", "system", []),
])
def test_allowed_actions_examples(status, actor, actions):
    assert allowed_actions(status, actor) == actions


def test_info_loop_can_go_round_more_than_once():
    status = "submitted"
    for action, actor in [("start_review", "staff"), ("request_info", "staff"), ("answer_info", "publisher"),
                          ("request_info", "staff"), ("answer_info", "publisher"), ("approve", "staff")]:
        status = transition(status, action, actor).after
    assert status == "approved"


@pytest.mark.parametrize("action", ["publish", "", "APPROVE", "start review"])
def test_unknown_actions_are_refused(action):
    with pytest.raises(TransitionRefused, match=f"^unknown action {re.escape(repr(action))}$") as caught:
        transition("submitted", action, "staff")
    assert (caught.value.action, caught.value.status) == (action, "submitted")
    assert allowed_actions("submitted", "staff") == ["start_review", "request_info", "approve", "reject"]


@pytest.mark.parametrize("actor", ["admin", "finance", "", "Staff"])
def test_unknown_actor_kinds_may_do_nothing(actor):
    for status in STATUSES:
        assert allowed_actions(status, actor) == []
    with pytest.raises(TransitionRefused, match=f"^a {actor} cannot approve a request$"):
        transition("submitted", "approve", actor)


def test_unknown_status_is_refused_and_named():
    with pytest.raises(TransitionRefused, match="^cannot approve a request that is paid$"):
        transition("paid", "approve", "staff")
    assert allowed_actions("paid", "staff") == []

