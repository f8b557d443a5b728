"""The app killed (SIGKILL) in the middle of an approval: inside the transaction nothing is kept
and no number is used up; after the commit, the license and invoice stand and the pending PDFs
are rendered by `flask documents render-pending`. A real child process, a real kill, both databases."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.staff_fixtures import add_user, submit

ROOT = Path(__file__).resolve().parents[3]

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import licensing.licenses.services, licensing.core.documents
    from app import create_app
    from licensing.review import services as review
    from licensing.core.db import get_session
    from licensing.core.models import User

    where, signal_file, reference, user_id = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])

    def hang(*_a, **_k):
        signal_file.write_text("here")
        time.sleep(120)

    if where == "in_transaction":  # after the numbers are allocated, before the commit
        real = licensing.licenses.services.create_document
        def create_then_hang(*a, **k):
            real(*a, **k)
            hang()
        licensing.licenses.services.create_document = create_then_hang
    else:  # the transaction is committed; the PDF is being rendered
        licensing.core.documents.render_pdf = hang

    app = create_app({"JOBS_MODE": "inline"})
    with app.test_request_context("/"):
        session = get_session()
        review.approve(session, reference, session.get(User, user_id))
""")


def _crash_during_approval(app, database_url: str, tmp_path: Path, where: str, reference: str, user_id: int):  # noqa: ANN001
    marker = tmp_path / f"{where}.here"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": app.config["SECRET_KEY"],
           "PUBLIC_BASE_URL": app.config["SETTINGS"].public_base_url}
    child = subprocess.Popen([sys.executable, "-c", CHILD, where, str(marker), reference, str(user_id)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            output = child.stdout.read().decode(errors="replace") if child.stdout else ""
            child.kill()
            pytest.fail(f"the child never reached {where}:\n{output[-3000:]}")
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)


def _counts(app) -> dict:  # noqa: ANN001
    from invoices.billing.models import Invoice, InvoiceLine
    from licensing.core.db import new_session
    from licensing.core.models import Document, DocumentSequence
    from licensing.licenses.models import License

    with app.app_context(), new_session() as s:
        return {name: s.scalar(select(func.count()).select_from(model)) for name, model in (
            ("licenses", License), ("invoices", Invoice), ("lines", InvoiceLine), ("documents", Document),
        )} | {"sequences": s.scalar(select(func.coalesce(func.sum(DocumentSequence.last_value), 0)))}


def test_killed_inside_the_approval_keeps_nothing_and_uses_no_number(seeded, database_url, tmp_path):
    from tests.documents_helpers import approve, license_of

    app = seeded
    staff = add_user(app, "kill@desk.example", "Kim Kill", ["staff"])
    doomed, survivor = submit(app), submit(app)

    _crash_during_approval(app, database_url, tmp_path, "in_transaction", doomed.reference, staff)

    assert _counts(app) == {"licenses": 0, "invoices": 0, "lines": 0, "documents": 0, "sequences": 0}
    from tests.staff_fixtures import state

    assert state(app, doomed.reference).status == "submitted"
    approve(app, survivor.reference, staff)  # the database is usable and the numbers have no gap
    lic = license_of(app, survivor.reference)
    assert lic.number.endswith("-00001") and lic.invoice_number.endswith("-00001")


def test_killed_while_rendering_keeps_the_license_and_the_job_recovers(seeded, database_url, tmp_path):
    from licensing.core.db import new_session
    from licensing.core.models import Document
    from tests.documents_helpers import license_of

    app = seeded
    staff = add_user(app, "kill@desk.example", "Kim Kill", ["staff"])
    request = submit(app)

    _crash_during_approval(app, database_url, tmp_path, "rendering", request.reference, staff)

    lic = license_of(app, request.reference)
    assert lic.status == "pending_payment"
    with app.app_context(), new_session() as s:
        statuses = dict(s.execute(select(Document.number, Document.status)).all())
    assert statuses == {lic.number: "pending", lic.invoice_number: "pending"}

    result = app.test_cli_runner().invoke(args=["documents", "render-pending"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 document(s) rendered" in result.output
    with app.app_context(), new_session() as s:
        ready = s.scalars(select(Document).order_by(Document.id)).all()
        assert [(d.number, d.status, d.pdf[:5]) for d in ready] == [
            (lic.number, "ready", b"%PDF-"), (lic.invoice_number, "ready", b"%PDF-")]
