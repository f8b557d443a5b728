"""A load of the publisher's API and the staff API over HTTP, recorded answer by answer."""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta

import requests

EXAMPLE_URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"


def request_body(n: int) -> dict:
    return {"article_url": EXAMPLE_URL, "organisation": f"Fault Test Press {n}", "contact_name": "Jo Bloggs",
            "email": f"jo{n}@leeds-post.example", "country": "GB", "publication": "Leeds Evening Post",
            "publication_url": "https://leeds-post.example", "medium": "website", "audience": 25000,
            "territory": ["GB", "FR"], "language": "en", "term": "1_year",
            "start_date": (date.today() + timedelta(days=7)).isoformat(), "terms_accepted": True}


@dataclass
class Answer:
    kind: str  # submit or approve
    started: float
    ended: float
    status: int  # 0: no answer at all (connection refused, timeout)
    text: str
    reference: str = ""


class Load:
    """Submitters post requests; approvers approve what was submitted. Until stop()."""

    def __init__(self, base_url: str, token: str, submitters: int = 2, approvers: int = 1):
        self.base_url, self.token = base_url, token
        self.answers: list[Answer] = []
        self.to_approve: queue.Queue[str] = queue.Queue()
        self.stopping = threading.Event()
        self.counter = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._submit, daemon=True) for _ in range(submitters)] + [
            threading.Thread(target=self._approve, daemon=True) for _ in range(approvers)]

    def _record(self, kind: str, started: float, response, reference: str = "") -> None:  # noqa: ANN001
        status, text = (response.status_code, response.text[:300]) if response is not None else (0, "")
        with self.lock:
            self.answers.append(Answer(kind, started, time.monotonic(), status, text, reference))

    def _submit(self) -> None:
        while not self.stopping.is_set():
            with self.lock:
                self.counter += 1
                n = self.counter
            started = time.monotonic()
            try:
                response = requests.post(f"{self.base_url}/api/v1/requests", json=request_body(n), timeout=30)
            except requests.RequestException:
                response = None
            reference = response.json().get("reference", "") if response is not None and response.status_code == 201 \
                else ""
            self._record("submit", started, response, reference)
            if reference:
                self.to_approve.put(reference)
            time.sleep(0.05)

    def _approve(self) -> None:
        while not self.stopping.is_set():
            try:
                reference = self.to_approve.get(timeout=0.2)
            except queue.Empty:
                continue
            started = time.monotonic()
            try:
                response = requests.post(f"{self.base_url}/api/v1/staff/requests/{reference}/approve", json={},
                                         headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
            except requests.RequestException:
                response = None
            self._record("approve", started, response, reference)

    def start(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> list[Answer]:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)
        return sorted(self.answers, key=lambda a: a.started)
