"""What is mutated, and by which tests: every pure rules module, and the pure core modules the rules
lean on (amounts; the EU's members), each with its own unit tests (never the whole suite: a mutant must
be caught where the rule is tested). The working-day helpers (_midnight) are in licensing/review/rules.py."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES_GLOBS = ("licensing/**/rules/*.py", "licensing/**/rules.py", "invoices/**/rules/*.py", "invoices/**/rules.py")

# The EN 16931 schematron runs in a child process and takes half a second a run: with it, the
# e-invoice mutants took six minutes. Mutants run without it; the XSD and the literal values of the
# XML stay (the schematron still checks every document in `make test`).
NO_SCHEMATRON = ("-k", "not schematron")

# module -> its unit tests (pytest arguments). A rules module that is not listed here fails the run (a
# new one must name its tests); a module with no functions and no tables (a package's docstring) lists none.
TARGETS: dict[str, tuple[str, ...]] = {
    # core: amounts (bounds and parsing); the EU's members and the regions (the tax rules read them)
    "licensing/core/money.py": ("tests/unit/core/test_money.py",),
    "licensing/core/places.py": ("tests/unit/core/test_places.py",),
    # catalog
    "licensing/catalog/rules/__init__.py": ("tests/unit/catalog/test_catalog_parse.py",
                                            "tests/unit/catalog/test_feed_bodies.py"),
    "licensing/catalog/rules/sanitise.py": ("tests/unit/catalog/test_sanitise.py",),
    "licensing/catalog/rules/markup.py": ("tests/unit/catalog/test_markup.py",),
    # pricing, the request, its workflow
    "licensing/pricing/rules/__init__.py": ("tests/unit/pricing/test_pricing.py",),
    "licensing/pricing/rules/steps.py": ("tests/unit/pricing/test_steps.py",),
    "licensing/pricing/rules/lowest.py": ("tests/unit/pricing/test_lowest.py",),
    "licensing/intake/rules/__init__.py": (),
    "licensing/intake/rules/validation.py": ("tests/unit/intake/test_validation.py",),
    "licensing/intake/rules/workflow.py": ("tests/unit/intake/test_workflow.py",),
    # the publisher's tracking page: what happens next; the admin's rate card editor
    "licensing/publisher/rules.py": ("tests/unit/publisher/test_next_step.py",),
    "licensing/admin/rules.py": ("tests/unit/admin/test_rate_card_editor.py",),
    # review: working days (the service target)
    "licensing/review/rules.py": ("tests/unit/review/test_workdays.py",),
    # licenses and their terms
    "licensing/licenses/rules/__init__.py": (),
    "licensing/licenses/rules/terms.py": ("tests/unit/licenses/test_terms.py",),
    "licensing/licenses/rules/schema_org.py": ("tests/unit/licenses/test_schema_org.py",),
    "licensing/licenses/rules/rightsml.py": ("tests/unit/licenses/test_rightsml.py",),
    "licensing/terms/rules.py": ("tests/unit/terms/test_terms_rules.py",),
    # delivery: packages, pixel signatures, corrections, usage flags
    "licensing/delivery/rules/__init__.py": (),
    "licensing/delivery/rules/package.py": ("tests/unit/delivery/test_package.py",),
    "licensing/delivery/rules/ninjs.py": ("tests/unit/delivery/test_ninjs.py",),
    "licensing/delivery/rules/pixel.py": ("tests/unit/delivery/test_pixel.py",),
    "licensing/delivery/rules/diff.py": ("tests/unit/delivery/test_diff.py",),
    "licensing/delivery/rules/flags.py": ("tests/unit/delivery/test_flags.py",),
    # billing: tax, its categories, VAT and bank ids, refunds, credit notes, e-invoices
    "invoices/billing/rules/__init__.py": (),
    "invoices/billing/rules/tax.py": ("tests/unit/billing/test_tax.py",),
    "invoices/billing/rules/vat_category.py": ("tests/unit/billing/test_vat_category.py",),
    "invoices/billing/rules/vat_ids.py": ("tests/unit/billing/test_vat_ids.py",),
    "invoices/billing/rules/bank_ids.py": ("tests/unit/billing/test_bank_ids.py",),
    "invoices/billing/rules/refund_split.py": ("tests/unit/billing/test_refund_split.py",),
    "invoices/billing/rules/credit_notes.py": ("tests/unit/billing/test_credit_notes.py", *NO_SCHEMATRON),
    "invoices/billing/rules/einvoice.py": ("tests/unit/billing/test_einvoice.py",
                                           "tests/unit/billing/test_credit_notes.py", *NO_SCHEMATRON),
    "invoices/billing/rules/einvoice_context.py": ("tests/unit/billing/test_einvoice.py", *NO_SCHEMATRON),
    # payments and finance
    "invoices/payments/rules.py": ("tests/unit/payments/test_payment_failure.py",),
    "invoices/finance/rules.py": ("tests/unit/finance/test_ageing.py",),
}


def rules_modules(root: Path = ROOT) -> list[str]:
    found = {str(p.relative_to(root)) for pattern in RULES_GLOBS for p in root.glob(pattern)}
    return sorted(p for p in found if "/rules" in p)


def unlisted(root: Path = ROOT) -> list[str]:
    """Rules modules the table above does not name (each must, so that none goes untested)."""
    return [m for m in rules_modules(root) if m not in TARGETS]


def dotted(module: str) -> str:
    """'licensing/catalog/rules/__init__.py' -> 'licensing.catalog.rules'."""
    return module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
