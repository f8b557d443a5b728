"""The rate card page, through the test client: admins only; the form holds the current version;
"Preview" shows what a new version changes and five typical quotes before and after, saving
nothing; "Save as new version" adds a version (who and when recorded) and never touches the old
one; mistakes come back with everything typed and a message at each field. Amounts expected are
worked by hand from the demo rate card."""
from __future__ import annotations

import pytest

from tests.functional.conftest import api_body, form_values, parse
from tests.staff_fixtures import add_user, login, signed_in

PAGE = "/admin/rate-card"


@pytest.fixture
def admin(seeded):
    return signed_in(seeded, "ada@desk.test", "Ada Admin", ["admin"])


def shown_form(client) -> dict[str, str]:  # noqa: ANN001
    """What the browser would send from the page's form, one value a field."""
    form = parse(client.get(PAGE).data).by_id("rate-card-form")
    return {name: values[0] for name, values in form_values(form).items()}


def versions(app) -> list[tuple[int, int | None, str, dict]]:  # noqa: ANN001
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.pricing.models import RateCard

    with app.app_context(), new_session() as s:
        return [(c.version, c.created_by_id, c.note, c.data) for c in s.scalars(select(RateCard).order_by(RateCard.version))]


def typical_quotes(tree) -> list[list[str]]:  # noqa: ANN001
    rows = tree.find("table", cls="typical").find("tbody").find_all("tr")
    return [[r.find("th").children[0].strip()] + [td.text for td in r.find_all("td")] for r in rows]


def test_only_admins_open_or_post_the_rate_card(seeded):
    anonymous = seeded.test_client()
    response = anonymous.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for role in ("staff", "finance"):
        user = signed_in(seeded, f"{role}@desk.test", role.title(), [role])
        assert user.client.get(PAGE).status_code == 403, role
        assert user.client.post(PAGE, data={"action": "save"}).status_code == 403, role
    admin = signed_in(seeded, "ada@desk.test", "Ada Admin", ["admin"])
    assert admin.client.get(PAGE).status_code == 200
    assert len(versions(seeded)) == 1


def test_the_admin_navigation_links_the_rate_card_and_the_tax_table(seeded, admin):
    nav = parse(admin.client.get("/admin/users").data).find("nav")
    links = {a.text: a.attrs["href"] for a in nav.find_all("a")}
    assert links["Rate card"] == "/admin/rate-card" and links["Tax table"] == "/admin/tax"
    staff = signed_in(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    staff_nav = parse(staff.client.get("/staff/requests").data).find("nav")
    assert "Rate card" not in staff_nav.text and "Tax table" not in staff_nav.text


def test_the_form_holds_the_current_versions_values(admin):
    values = shown_form(admin.client)
    assert values["currency"] == "GBP" and values["minimum_fee"] == "50.00" and values["media_fee"] == "75.00"
    assert values["base_print"] == "200.00" and values["base_broadcast"] == "300.00"
    assert (values["tier_0_up_to"], values["tier_0_factor"]) == ("10,000", "1")
    assert (values["tier_4_up_to"], values["tier_4_factor"]) == ("", "6")
    assert (values["tier_5_up_to"], values["tier_5_factor"]) == ("", "")
    assert values["territory_up_to_5_countries"] == "1.5" and values["term_perpetual"] == "3.5"
    assert values["translation"] == "1.25" and values["based_on"] == "1" and values["note"] == ""
    page = parse(admin.client.get(PAGE).data)
    assert page.find("label", for_="base_print").text == "Print"
    assert page.find("label", for_="tier_0_up_to").text == "Audience tier 1: up to"
    [v1] = page.find("table", cls="versions").find("tbody").find_all("tr")
    assert [td.text for td in v1.find_all("td")][0::2] == ["1 (in use)", "the command line"]


def test_preview_shows_what_changes_and_five_quotes_before_and_after_and_saves_nothing(seeded, admin):
    values = shown_form(admin.client) | {"base_print": "220", "territory_up_to_5_countries": "1.75",
                                         "term_perpetual": "3", "action": "preview"}
    response = admin.client.post(PAGE, data=values)
    assert response.status_code == 200
    tree = parse(response.data)
    preview = tree.by_id("preview")
    assert preview.find("h2").text == "Preview of version 2"
    changed = [[c.text for c in r.find_all()] for r in preview.find("table", cls="changes").find("tbody").find_all("tr")]
    assert changed == [["Base fee: Print", "200.00", "220.00"],
                       ["Territory multiplier: 2 to 5 countries", "1.5", "1.75"],
                       ["Term multiplier: Perpetual archive", "3.5", "3"]]
    assert typical_quotes(preview) == [
        ["Small web reprint in the UK", "£150.00", "£150.00", "no change"],
        ["National print run", "£500.00", "£550.00", "+£50.00 +10.0%"],
        ["Website in three countries", "£1,125.00", "£1,312.50", "+£187.50 +16.7%"],
        ["Broadcast", "£1,500.00", "£1,500.00", "no change"],
        ["Long term: perpetual archive", "£787.50", "£675.00", "-£112.50 -14.3%"],
    ]
    head = [th.text for th in preview.find("table", cls="typical").find("thead").find_all("th")]
    assert head == ["Request", "Version 1", "Version 2", "Difference"]
    descriptions = [r.find("span").text for r in preview.find("table", cls="typical").find("tbody").find_all("tr")]
    assert descriptions[2] == "Website, audience 200,000, Germany, Spain, France, 1 year"
    save = preview.find("button", value="save")
    assert save.text == "Save as new version 2" and save.attrs["form"] == "rate-card-form"
    kept = {name: v[0] for name, v in form_values(tree.by_id("rate-card-form")).items()}
    assert kept["base_print"] == "220" and kept["term_perpetual"] == "3" and len(kept["previewed"]) == 64
    assert len(versions(seeded)) == 1


def test_save_as_new_version_records_who_and_when_and_leaves_the_old_version_as_it_was(seeded, admin):
    from licensing.pricing.rules import DEMO_RATE_CARD

    values = shown_form(admin.client) | {"base_print": "220.00", "note": "Print up 10% for 2027", "action": "preview"}
    previewed = parse(admin.client.post(PAGE, data=values).data).find("input", name="previewed").attrs["value"]
    response = admin.client.post(PAGE, data=values | {"action": "save", "previewed": previewed})
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)

    (v1, by1, note1, data1), (v2, by2, note2, data2) = versions(seeded)
    assert (v1, by1, note1, data1) == (1, None, "test", DEMO_RATE_CARD)  # untouched
    assert (v2, by2, note2) == (2, admin.user_id, "Print up 10% for 2027")
    assert data2["base_fees"]["print"] == 22000 and data2["base_fees"]["website"] == 15000
    page = parse(admin.client.get(PAGE).data)
    assert page.find("div", cls="flash").text == ("Saved rate card version 2: new quotes use it from now on; "
                                                  "requests already quoted keep their price.")
    rows = page.find("table", cls="versions").find("tbody").find_all("tr")
    assert [[td.text for td in r.find_all("td")][0::2] for r in rows] == [
        ["2 (in use)", "Ada Admin"], ["1", "the command line"]]
    assert rows[0].find("time").attrs["datetime"].endswith("Z")
    assert shown_form(admin.client)["base_print"] == "220.00"
    quoted = seeded.test_client().post("/api/v1/quotes", json=api_body(
        medium="print", audience=250000, territory=["GB"], term="one_off")).get_json()
    assert (quoted["amount"], quoted["rate_card_version"]) == (55000, 2)  # 220 x 2.5: the new version


def test_mistakes_keep_every_value_typed_with_a_message_at_each_field(seeded, admin):
    values = shown_form(admin.client) | {"minimum_fee": "fifty", "base_print": "200.555", "tier_1_up_to": "5,000",
                                         "term_one_off": "1,5", "note": "Spring prices", "action": "preview"}
    response = admin.client.post(PAGE, data=values)
    assert response.status_code == 422
    tree = parse(response.data)
    kept = {name: v[0] for name, v in form_values(tree.by_id("rate-card-form")).items()}
    assert {k: v for k, v in kept.items() if k != "csrf_token"} == {
        k: v for k, v in values.items() if k != "action"}
    expected = {
        "minimum_fee": "Enter an amount such as 350 or 350.00.",
        "base_print": "GBP amounts have at most 2 decimal places.",
        "tier_1_up_to": "Enter more than the tier above (10,000).",
        "term_one_off": "Enter a multiplier such as 1.5 (× 1.5), with at most four decimals, up to 100.",
    }
    for name, message in expected.items():
        assert tree.by_id(f"{name}-error").text == message, name
        field = tree.by_id(name)
        assert field.attrs["aria-invalid"] == "true" and f"{name}-error" in field.attrs["aria-describedby"]
    summary = [a.text for a in tree.by_id("error-summary").find_all("a")]
    assert summary == ["Minimum fee: Enter an amount such as 350 or 350.00.",
                       "Base fee: Print: GBP amounts have at most 2 decimal places.",
                       "Audience tier 2: up to: Enter more than the tier above (10,000).",
                       "Term multiplier: One-off use: Enter a multiplier such as 1.5 (× 1.5), with at most four "
                       "decimals, up to 100."]
    assert tree.find(id="preview") is None and len(versions(seeded)) == 1
    saved = admin.client.post(PAGE, data=values | {"action": "save"})
    assert saved.status_code == 422 and len(versions(seeded)) == 1


def test_saving_values_other_than_those_previewed_shows_their_preview_first(seeded, admin):
    values = shown_form(admin.client) | {"base_print": "220", "action": "preview"}
    previewed = parse(admin.client.post(PAGE, data=values).data).find("input", name="previewed").attrs["value"]
    unseen = admin.client.post(PAGE, data=values | {"base_print": "990", "action": "save", "previewed": previewed})
    assert unseen.status_code == 409
    tree = parse(unseen.data)
    assert tree.by_id("notice").text == "These values differ from the preview you saw: check this one, then save."
    assert typical_quotes(tree)[1] == ["National print run", "£500.00", "£2,475.00", "+£1,975.00 +395.0%"]
    never = admin.client.post(PAGE, data=values | {"action": "save"})
    assert never.status_code == 409 and len(versions(seeded)) == 1


def test_a_version_saved_meanwhile_is_never_overwritten_unseen(seeded, admin):
    from licensing.core.db import new_session
    from licensing.pricing.rules import DEMO_RATE_CARD
    from licensing.pricing.services import save_rate_card

    values = shown_form(admin.client) | {"base_print": "220", "action": "preview"}
    previewed = parse(admin.client.post(PAGE, data=values).data).find("input", name="previewed").attrs["value"]
    other = dict(DEMO_RATE_CARD, minimum_fee=6000)
    with seeded.app_context(), new_session() as s:
        save_rate_card(s, other, "from the command line")
    response = admin.client.post(PAGE, data=values | {"action": "save", "previewed": previewed})
    assert response.status_code == 409
    tree = parse(response.data)
    assert tree.by_id("notice").text == "Version 2 was saved meanwhile: this preview compares with it."
    assert tree.find("input", name="based_on").attrs["value"] == "2"
    assert tree.by_id("preview").find("h2").text == "Preview of version 3"
    assert [v[0] for v in versions(seeded)] == [1, 2]
    again = admin.client.post(PAGE, data=values | {"action": "save", "previewed": previewed, "based_on": "2"})
    assert again.status_code == 302
    assert [(v[0], v[3]["minimum_fee"], v[3]["base_fees"]["print"]) for v in versions(seeded)] == [
        (1, 5000, 20000), (2, 6000, 20000), (3, 5000, 22000)]


def test_a_version_that_changes_nothing_is_not_saved(seeded, admin):
    values = shown_form(admin.client) | {"action": "preview"}
    tree = parse(admin.client.post(PAGE, data=values).data)
    assert "Nothing changes: version 1 has these values already." in tree.by_id("preview").text
    assert tree.by_id("preview").find("button", value="save") is None
    previewed = tree.find("input", name="previewed").attrs["value"]
    response = admin.client.post(PAGE, data=values | {"action": "save", "previewed": previewed})
    assert response.status_code == 422 and len(versions(seeded)) == 1


def test_an_admin_who_also_works_the_queue_is_still_refused_nothing(seeded):
    uid = add_user(seeded, "al@desk.test", "Al Both", ["admin", "staff"])
    client = seeded.test_client()
    login(client, uid)
    assert client.get(PAGE).status_code == 200


def test_the_first_rate_card_can_be_made_on_the_page(app):
    from licensing.pricing.rules import DEMO_RATE_CARD

    admin = signed_in(app, "ada@desk.test", "Ada Admin", ["admin"])
    page = parse(admin.client.get(PAGE).data)
    assert "There is no rate card yet" in page.find("main").text
    typed = shown_form(admin.client)
    assert (typed["based_on"], typed["base_print"], typed["tier_0_factor"]) == ("0", "", "")
    values = typed | {"currency": "GBP", "minimum_fee": "50", "media_fee": "75", "translation": "1.25",
                      "exclusivity": "3", "base_website": "150", "base_print": "200", "base_newsletter": "100",
                      "base_broadcast": "300", "base_social": "75", "base_syndication_feed": "400",
                      "tier_0_up_to": "10,000", "tier_0_factor": "1", "tier_1_up_to": "100,000", "tier_1_factor": "1.5",
                      "tier_2_up_to": "1,000,000", "tier_2_factor": "2.5", "tier_3_up_to": "10,000,000",
                      "tier_3_factor": "4", "tier_4_factor": "6", "territory_one_country": "1",
                      "territory_up_to_5_countries": "1.5", "territory_more_countries": "2", "territory_worldwide": "3",
                      "term_one_off": "1", "term_30_days": "1.25", "term_1_year": "2", "term_perpetual": "3.5",
                      "action": "preview"}
    preview = parse(admin.client.post(PAGE, data=values).data)
    assert typical_quotes(preview)[1] == ["National print run", "—", "£500.00", "—"]
    previewed = preview.find("input", name="previewed").attrs["value"]
    assert admin.client.post(PAGE, data=values | {"action": "save", "previewed": previewed}).status_code == 302
    assert [(v, by, data) for v, by, _note, data in versions(app)] == [(1, admin.user_id, DEMO_RATE_CARD)]
