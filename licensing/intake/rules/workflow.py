"""The request lifecycle as a pure transition table (no Flask, no SQLAlchemy).

submitted -> in_review -> (needs_info <-> in_review) -> approved | rejected;
withdrawn by the publisher before a decision; expired when an information request
goes unanswered past its deadline.
"""
from __future__ import annotations

from dataclasses import dataclass

SUBMITTED = "submitted"
IN_REVIEW = "in_review"
NEEDS_INFO = "needs_info"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"

STATUSES = (SUBMITTED, IN_REVIEW, NEEDS_INFO, APPROVED, REJECTED, WITHDRAWN, EXPIRED)
OPEN_STATUSES = (SUBMITTED, IN_REVIEW, NEEDS_INFO)
FINAL_STATUSES = (APPROVED, REJECTED, WITHDRAWN, EXPIRED)
STATUS_LABELS = {
    SUBMITTED: "Submitted",
    IN_REVIEW: "In review",
    NEEDS_INFO: "Needs information",
    APPROVED: "Approved",
    REJECTED: "Rejected",
    WITHDRAWN: "Withdrawn",
    EXPIRED: "Expired",
}

PUBLISHER = "publisher"
STAFF = "staff"
SYSTEM = "system"

# action -> (who may take it, the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
    "start_review": (frozenset({STAFF}), frozenset({SUBMITTED}), IN_REVIEW),
    "request_info": (frozenset({STAFF}), frozenset({SUBMITTED, IN_REVIEW}), NEEDS_INFO),
    "answer_info": (frozenset({PUBLISHER}), frozenset({NEEDS_INFO}), IN_REVIEW),
    "approve": (frozenset({STAFF}), frozenset({SUBMITTED, IN_REVIEW}), APPROVED),
    "reject": (frozenset({STAFF}), frozenset({SUBMITTED, IN_REVIEW, NEEDS_INFO}), REJECTED),
    "withdraw": (frozenset({PUBLISHER}), frozenset(OPEN_STATUSES), WITHDRAWN),
    "expire": (frozenset({SYSTEM}), frozenset({NEEDS_INFO}), EXPIRED),
}


class TransitionRefused(Exception):
    def __init__(self, action: str, status: str, message: str):
        super().__init__(message)
        self.action = action
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Transition:
    action: str
    before: str
    after: str


def transition(status: str, action: str, actor_kind: str) -> Transition:
    """The transition `action` by an actor of `actor_kind` from `status`, or TransitionRefused."""
    if action not in TRANSITIONS:
        raise TransitionRefused(action, status, f"unknown action {action!r}")
    actors, sources, target = TRANSITIONS[action]
    if actor_kind not in actors:
        raise TransitionRefused(action, status, f"a {actor_kind} cannot {action.replace('_', ' ')} a request")
    if status not in sources:
        raise TransitionRefused(
            action, status,
            f"cannot {action.replace('_', ' ')} a request that is {STATUS_LABELS.get(status, status).lower()}",
        )
    return Transition(action, status, target)


def allowed_actions(status: str, actor_kind: str) -> list[str]:
    return [a for a, (actors, sources, _) in TRANSITIONS.items() if actor_kind in actors and status in sources]
