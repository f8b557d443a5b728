"""The review queue: filters, search, sorting, counts per status and pagination, in a handful of
indexed queries whatever the page size (no N+1)."""
from __future__ import annotations

from dataclasses import astuple, dataclass, field, replace
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    column,
    false,
    func,
    inspect,
    intersect,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy.orm import Session, joinedload, load_only
from sqlalchemy.sql import operators

from licensing.catalog.models import Article, ArticleTerm
from licensing.catalog.rules import terms_of
from licensing.core.bounds import parse_int
from licensing.core.models import User
from licensing.core.places import countries
from licensing.core.timedcache import TimedCache
from licensing.intake.models import RepublishRequest, RequestEvent
from licensing.intake.rules import workflow
from licensing.pricing.rules import MEDIA
from licensing.review.rules import subtract_working_days, working_days_between

PAGE_SIZE = 50
# The fee a row shows and sorts by: the agreed fee once a request is approved, else the quote.
FEE = func.coalesce(RepublishRequest.approved_fee, RepublishRequest.quote_amount).label("fee")
SORTS = {
    "oldest": (RepublishRequest.submitted_at.asc(), RepublishRequest.id.asc()),
    "newest": (RepublishRequest.submitted_at.desc(), RepublishRequest.id.desc()),
    "fee_high": (FEE.desc(), RepublishRequest.id.asc()),
    "fee_low": (FEE.asc(), RepublishRequest.id.asc()),
}
# Open requests have no agreed fee yet (it is set by the approval), so the open tab sorts by the
# quote itself and keeps the (status, quote_amount) index.
OPEN_SORTS = SORTS | {
    "fee_high": (RepublishRequest.quote_amount.desc(), RepublishRequest.id.asc()),
    "fee_low": (RepublishRequest.quote_amount.asc(), RepublishRequest.id.asc()),
}
SORT_LABELS = {"oldest": "Oldest first", "newest": "Newest first", "fee_high": "Highest fee", "fee_low": "Lowest fee"}


@dataclass
class QueueFilters:
    status: str = "open"  # a status, "open" (not yet decided) or "all"
    medium: str = ""
    territory: str = ""  # "worldwide" or a country code
    article_id: int | None = None
    mine: bool = False
    overdue: bool = False
    q: str = ""
    sort: str = "oldest"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        status = args.get("status", "open")
        article = args.get("article", "")
        sort = args.get("sort", "oldest")
        try:
            page = max(1, min(int(args.get("page", 1)), 100_000))
        except ValueError:
            page = 1
        return cls(
            status=status if status in (*workflow.STATUSES, "open", "all") else "open",
            medium=args.get("medium", "") if args.get("medium", "") in MEDIA else "",
            territory=(args.get("territory", "") or "").replace("\x00", "")[:20].strip(),
            article_id=parse_int(article),  # None beyond any id: no filter
            mine=args.get("mine") in {"1", "on", "true", "y"},
            overdue=args.get("overdue") in {"1", "on", "true", "y"},
            q=(args.get("q", "") or "").replace("\x00", "").strip()[:200],
            sort=sort if sort in SORTS else "oldest",
            page=page,
        )

    def as_args(self, **changes) -> dict:
        values = {"status": self.status, "medium": self.medium, "territory": self.territory,
                  "article": self.article_id or "", "mine": "1" if self.mine else "",
                  "overdue": "1" if self.overdue else "", "q": self.q, "sort": self.sort, "page": self.page}
        values.update(changes)
        # drop empty values and page 1 only: article id 1 is a real filter
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


@dataclass
class QueueRow:
    request: RepublishRequest
    age_working_days: float
    overdue: bool


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


# SQLite only (migration 0008): an FTS5 trigram index of requests.organisation, which answers LIKE.
ORGANISATION_SEARCH = table("requests_organisation_fts", column("rowid"), column("organisation"))


_SEARCH_TABLE: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()


def has_search_table(session: Session) -> bool:
    """Whether this database has ORGANISATION_SEARCH (SQLite whose build has FTS5's trigram
    tokenizer; see migration 0008); asked once per engine."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        return False
    found = _SEARCH_TABLE.get(engine)
    if found is None:
        found = _SEARCH_TABLE[engine] = inspect(engine).has_table(ORGANISATION_SEARCH.name)
    return found


def organisation_contains(q: str, search_table: bool) -> ColumnElement[bool]:
    """The request's organisation contains `q`, ignoring the case of ASCII letters. PostgreSQL
    answers ILIKE from its trigram index. SQLite would read every request, so there the FTS5
    trigram table first names the candidates (a phrase query: the rows holding `q`'s three-character
    runs in order, with Unicode case folded, so never fewer than the LIKE finds; it needs three
    characters) and the LIKE then checks each of them."""
    contains = RepublishRequest.organisation.icontains(q, autoescape=True)
    if search_table and len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        return and_(RepublishRequest.id.in_(select(ORGANISATION_SEARCH.c.rowid)
                                            .where(ORGANISATION_SEARCH.c.organisation.match(phrase))), contains)
    return contains


def _filtered(filters: QueueFilters, user_id: int | None, now: datetime, target_days: int,
              with_status: bool = True, search_table: bool = False) -> Select:
    stmt = select(RepublishRequest)
    if with_status:
        if filters.status == "open":
            stmt = stmt.where(RepublishRequest.status.in_(workflow.OPEN_STATUSES))
        elif filters.status != "all":
            stmt = stmt.where(RepublishRequest.status == filters.status)
    if filters.medium:
        stmt = stmt.where(RepublishRequest.medium == filters.medium)
    if filters.territory:
        code = territory_code(filters.territory)
        if code == "WORLDWIDE":
            stmt = stmt.where(RepublishRequest.territory == "worldwide")
        else:  # codes are stored comma-separated and sorted: match a whole code
            stmt = stmt.where(("," + RepublishRequest.territory + ",").contains(f",{code},", autoescape=True))
    if filters.article_id:
        stmt = stmt.where(RepublishRequest.article_id == filters.article_id)
    if filters.mine and user_id:
        stmt = stmt.where(RepublishRequest.assigned_to_id == user_id)
    if filters.overdue:
        cutoff = subtract_working_days(now, target_days)
        stmt = stmt.where(RepublishRequest.status.in_(workflow.OPEN_STATUSES),
                          RepublishRequest.submitted_at < cutoff)
    if filters.q:
        q = filters.q
        if q.upper().startswith("REQ-"):
            stmt = stmt.where(RepublishRequest.reference == q.upper())
        elif "@" in q:
            stmt = stmt.where(func.lower(RepublishRequest.email) == q.lower())
        else:
            stmt = stmt.where(or_(RepublishRequest.reference == q.upper(),
                                  organisation_contains(q, search_table),
                                  RepublishRequest.article_id.in_(headline_matches(q))))
    return stmt


def territory_code(typed: str) -> str:
    """What the territory filter matches: a code as typed ("fr"), "worldwide", or the code of a
    country typed by name ("France", "united kingdom")."""
    typed = typed.strip()
    if typed.lower() == "worldwide" or len(typed) == 2:
        return typed.upper()
    by_name = {name.casefold(): code for code, name in countries().items()}
    return by_name.get(typed.casefold(), typed.upper())


def headline_matches(q: str) -> Select:
    """Ids of the articles whose headline (or address) has every word of `q`, each as a prefix,
    from the catalog's word index (article_terms), as the article search does."""
    words = sorted(w for w in terms_of(q) if len(w) >= 3)  # "d-s" or "ab" would match nearly every headline
    if not words:
        return select(ArticleTerm.article_id).where(false())
    ranges = [select(ArticleTerm.article_id).where(ArticleTerm.term >= w, ArticleTerm.term < w + "\uffff")
              for w in words]
    return intersect(*ranges) if len(ranges) > 1 else ranges[0]


class CountsCache(TimedCache):
    """Counts per status, the costliest query of a queue view (a GROUP BY over every matching
    request: ~8 ms at 100,000 requests on PostgreSQL, on every view), kept per app and process.

    An entry is keyed on the filters and on the table's version: the newest request id, the newest
    updated_at and the newest event id (index lookups, ~0.1 ms). Every submission, decision and
    assignment moves one of them, so a change shows at once on the next view. Transactions can
    commit out of the order of their timestamps, so an entry also ages out after `ttl` seconds:
    counts are never staler than that, and then only after such a race."""

    def __init__(self, ttl: float = 5.0, size: int = 256):
        super().__init__(ttl, size)


def counts_cache(app) -> CountsCache:
    """The app's cache of counts (one per app, so apps of different databases never share one)."""
    return app.extensions.setdefault("queue_counts", CountsCache())


def table_version(session: Session) -> tuple:
    return tuple(session.execute(select(
        select(func.max(RepublishRequest.id)).scalar_subquery(),
        select(func.max(RepublishRequest.updated_at)).scalar_subquery(),
        select(func.max(RequestEvent.id)).scalar_subquery(),
    )).one())


def status_counts(session: Session, filters: QueueFilters, user_id: int | None, now: datetime,
                  target_days: int, cache: CountsCache | None = None) -> dict[str, int]:
    if cache is None:
        return _count(session, filters, user_id, now, target_days)
    scope = replace(filters, status="", sort="", page=1)  # counts do not depend on these
    key = (astuple(scope), user_id if filters.mine else None, target_days if filters.overdue else None,
           table_version(session))
    counts = cache.get(key)
    if counts is None:
        counts = _count(session, filters, user_id, now, target_days)
        cache.put(key, counts)
    return dict(counts)  # the caller's own copy


def _count(session: Session, filters: QueueFilters, user_id: int | None, now: datetime,
           target_days: int) -> dict[str, int]:
    base = _filtered(filters, user_id, now, target_days, with_status=False,
                     search_table=has_search_table(session)).subquery()
    rows = session.execute(select(base.c.status, func.count()).group_by(base.c.status)).all()
    counts = {s: 0 for s in workflow.STATUSES}
    counts.update({status: n for status, n in rows})
    counts["open"] = sum(counts[s] for s in workflow.OPEN_STATUSES)
    counts["all"] = sum(counts[s] for s in workflow.STATUSES)
    return counts


def _open_page_ids(session: Session, filters: QueueFilters, user_id: int | None, now: datetime,
                   target_days: int, offset: int, limit: int) -> list[int]:
    """Ids of a page of the "open" tab, in order. `status IN (three open statuses) ORDER BY
    submitted_at` makes PostgreSQL walk the submitted_at index through the decided requests, which
    are most of the table and older than the open ones (216 ms at 100,000 requests); one ordered,
    limited branch per status reads the (status, submitted_at) or (status, quote_amount) index
    instead (under a millisecond), and the union of the branches is cut to the page."""
    order = OPEN_SORTS[filters.sort]
    columns = [clause.element for clause in order]
    branches = []
    for status in workflow.OPEN_STATUSES:
        branch = (_filtered(replace(filters, status=status), user_id, now, target_days,
                            search_table=has_search_table(session))
                  .with_only_columns(*columns).order_by(*order).limit(offset + limit).subquery())
        branches.append(select(branch))  # wrapped: SQLite refuses ORDER BY/LIMIT inside a UNION
    merged = union_all(*branches).subquery()
    outer = [merged.c[c.key].desc() if clause.modifier is operators.desc_op else merged.c[c.key].asc()
             for clause, c in zip(order, columns, strict=True)]
    return list(session.scalars(select(merged.c.id).order_by(*outer).offset(offset).limit(limit)))


# What a row of the queue's page shows: loading only these (not the notes, the quote's breakdown in
# JSON, the tracking hash and two dozen more) halves the work of turning 50 rows into objects.
LIST_COLUMNS = (RepublishRequest.reference, RepublishRequest.organisation, RepublishRequest.email,
                RepublishRequest.medium, RepublishRequest.territory, RepublishRequest.quote_amount,
                RepublishRequest.approved_fee, RepublishRequest.currency, RepublishRequest.status,
                RepublishRequest.submitted_at, RepublishRequest.article_id, RepublishRequest.assigned_to_id)


def queue_page(session: Session, filters: QueueFilters, user_id: int | None, now: datetime,
               target_days: int, page_size: int = PAGE_SIZE, cache: CountsCache | None = None,
               list_columns_only: bool = False) -> QueuePage:
    """A page of the queue. With `list_columns_only` the requests carry LIST_COLUMNS only (any other
    attribute would be loaded one request at a time): for the HTML list, not for the API's JSON."""
    counts = status_counts(session, filters, user_id, now, target_days, cache)
    total = counts.get(filters.status, 0)
    pages = max(1, -(-total // page_size))
    page = min(filters.page, pages)
    loads = (joinedload(RepublishRequest.article).load_only(Article.id, Article.title),
             joinedload(RepublishRequest.assigned_to).load_only(User.id, User.name, User.email))
    if list_columns_only:
        loads += (load_only(*LIST_COLUMNS),)
    if filters.status == "open":
        ids = _open_page_ids(session, filters, user_id, now, target_days, (page - 1) * page_size, page_size)
        found = {r.id: r for r in session.scalars(select(RepublishRequest).where(RepublishRequest.id.in_(ids))
                                                  .options(*loads)).unique()}
        requests = [found[i] for i in ids if i in found]
    else:
        stmt = (_filtered(filters, user_id, now, target_days, search_table=has_search_table(session)).options(*loads)
                .order_by(*SORTS[filters.sort]).offset((page - 1) * page_size).limit(page_size))
        requests = session.scalars(stmt).unique().all()
    rows = []
    for req in requests:
        age = working_days_between(req.submitted_at, now)
        rows.append(QueueRow(req, age, req.status in workflow.OPEN_STATUSES and age > target_days))
    return QueuePage(rows, total, page, pages, counts)


@dataclass
class QueueSummary:
    """What a landing page says of the queue: counts, each with the queue's filter that lists them."""

    counts: dict[str, int]  # open, a count per open status, overdue, mine
    args: dict[str, dict[str, str]]


def queue_summary(session: Session, user_id: int, now: datetime, target_days: int,
                  cache: CountsCache | None = None) -> QueueSummary:
    everything = status_counts(session, QueueFilters(), user_id, now, target_days, cache)
    counts = {"open": everything["open"], **{s: everything[s] for s in workflow.OPEN_STATUSES},
              "overdue": status_counts(session, QueueFilters(overdue=True), user_id, now, target_days, cache)["open"],
              "mine": status_counts(session, QueueFilters(mine=True), user_id, now, target_days, cache)["open"]}
    args = {"open": {"status": "open"}, **{s: {"status": s} for s in workflow.OPEN_STATUSES},
            "overdue": {"overdue": "1"}, "mine": {"mine": "1"}}
    return QueueSummary(counts, args)
