"""WTForms for the public pages. Fields render and keep what was typed; the rules themselves are
in `intake` and are shared with the JSON API."""
from __future__ import annotations

import json

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from licensing.core.forms import without_nul
from licensing.core.places import REGIONS, countries, languages
from licensing.core.widgets import CachedOptionsSelect
from licensing.pricing.rules import MEDIA, MEDIUM_LABELS, TERM_LABELS, TERMS

AUDIENCE_HELP = ("Monthly unique visitors for a website or app, subscribers for a newsletter, copies "
                 "printed for print, average audience for broadcast, followers for social media.")

# The territory picker (static/js/territory.js) offers each region as a group of countries: picking
# one chooses its countries in this select, which the form and the pricing already understand.
REGION_GROUPS = json.dumps([{"key": key, "name": name, "countries": list(codes)} for key, (name, codes) in REGIONS.items()],
                           separators=(",", ":"))


class RequestForm(FlaskForm):
    article_url = StringField("Article address (URL)",
                              description="The web address of the article you want to republish.")
    organisation = StringField("Organisation", description="The company or organisation that will publish.")
    contact_name = StringField("Contact name")
    email = StringField("E-mail", description="We send the tracking link and our decision here.",
                        render_kw={"type": "email", "autocomplete": "email"})
    country = SelectField("Country of your organisation", choices=[], validate_choice=False,
                          widget=CachedOptionsSelect())
    billing_address = StringField("Billing address, line 1 (optional)", render_kw={"autocomplete": "address-line1"},
                                  description="Printed on the invoice (and in its e-invoice data) if your request "
                                              "is approved.")
    billing_address_line2 = StringField("Address line 2 (optional)", render_kw={"autocomplete": "address-line2"})
    billing_city = StringField("Town or city (optional)", render_kw={"autocomplete": "address-level2"})
    billing_postcode = StringField("Postcode (optional)", render_kw={"autocomplete": "postal-code"})
    buyer_reference = StringField("Your reference or purchase-order number (optional)",
                                  description="Printed on the invoice, for your accounts department.")
    vat_id = StringField("VAT number (optional)",
                         description="EU businesses outside the UK: a valid VAT number from your country lets us "
                                     "apply the reverse charge. We check its format and check digits.")
    publication = StringField("Publication name", description="Where the article will run, e.g. Leeds Evening Post.")
    publication_url = StringField("Publication web address", render_kw={"type": "url", "placeholder": "https://"})
    medium = SelectField("Medium", choices=[(m, MEDIUM_LABELS[m]) for m in MEDIA], validate_choice=False)
    audience = StringField("Audience size", description=AUDIENCE_HELP, render_kw={"inputmode": "numeric"})
    territory_kind = RadioField("Territory", choices=[("worldwide", "Worldwide"), ("region", "A region"),
                                                      ("countries", "Chosen countries")], default="countries",
                                validate_choice=False)
    region = SelectField("Region", choices=[(k, v[0]) for k, v in REGIONS.items()], validators=[Optional()],
                         validate_choice=False)
    territory_countries = SelectMultipleField("Countries", choices=[], validators=[Optional()], validate_choice=False,
                                              widget=CachedOptionsSelect(multiple=True),
                                              render_kw={"data-regions": REGION_GROUPS},
                                              description="Choose one or more countries "
                                                          "(on a computer, hold Ctrl or Cmd to choose several).")
    language = SelectField("Language of publication", choices=[], validate_choice=False,
                           widget=CachedOptionsSelect(),
                           description="A language other than the article's is a translation.")
    term = SelectField("Term", choices=[(t, TERM_LABELS[t]) for t in TERMS], validate_choice=False)
    start_date = StringField("Start date", render_kw={"type": "date"})
    exclusive = BooleanField("Exclusive in this territory",
                             description="No one else may republish the article there during the term.")
    media_wanted = BooleanField("Include the photos and media we can license",
                                description="Third-party photos and video (agency pictures) are never included.")
    notes = TextAreaField("Notes (optional)", render_kw={"rows": 4})
    terms_accepted = BooleanField("I accept the standard republishing terms")
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = StringField("Leave this field empty", render_kw={"tabindex": "-1", "autocomplete": "off"})
    confirmed_amount = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "Choose a country")] + list(countries().items())
        self.territory_countries.choices = list(countries().items())
        self.language.choices = list(languages().items())

    def territory_value(self) -> str | list[str]:
        kind = self.territory_kind.data
        if kind == "worldwide":
            return "worldwide"
        if kind == "region":
            return f"region:{self.region.data}" if self.region.data else ""
        return list(self.territory_countries.data or [])

    def intake_data(self) -> dict:
        """What was typed, as the shared rules expect it."""
        data = {name: self[name].data for name in (
            "article_url", "organisation", "contact_name", "email", "country", "vat_id", "billing_address",
            "billing_address_line2",
            "billing_city", "billing_postcode", "buyer_reference", "publication",
            "publication_url", "medium", "audience", "language", "term", "start_date", "notes")}
        data.update(territory=self.territory_value(), exclusive=bool(self.exclusive.data),
                    media_wanted=bool(self.media_wanted.data), terms_accepted=bool(self.terms_accepted.data))
        return data

    def attach_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            target = "territory_kind" if name == "territory" else name
            if target in self._fields:
                self[target].errors = list(self[target].errors or []) + messages


class ArticleSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Find an article", description="Words from the headline, or the article's web address.",
                    filters=[without_nul])


class MessageForm(FlaskForm):
    message = TextAreaField("Your answer", render_kw={"rows": 5}, filters=[without_nul])


class WithdrawForm(FlaskForm):
    reason = StringField("Reason (optional)", filters=[without_nul])
