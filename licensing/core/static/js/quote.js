// Live quote on the request form: follows the fields as they change by calling the app's own
// quote endpoint. Without scripting, the form's "Preview price" step shows the same quote.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // After a failed submission, take the keyboard (and a screen reader) to the list of errors.
  var errors = document.getElementById("error-summary");
  if (errors) { errors.focus(); }
  var form = document.getElementById("request-form");
  var panel = document.getElementById("quote");
  if (!form || !panel) { return; }
  var endpoint = panel.getAttribute("data-endpoint");
  var confirmed = form.querySelector("input[name=confirmed_amount]");
  var timer = null;
  var sequence = 0;
  var summary = form.querySelector(".quote-summary") || addBeside(form.querySelector(".actions"), "p", "quote-summary", true);
  var chosenList = addBeside(form.elements["territory_countries"], "p", "help chosen-countries", false);

  // A line of our own after `anchor` (or before it), hidden until it has something to say.
  function addBeside(anchor, tag, cls, before) {
    if (!anchor || !anchor.parentNode) { return null; }
    var node = document.createElement(tag);
    node.className = cls;
    node.hidden = true;
    anchor.parentNode.insertBefore(node, before ? anchor : anchor.nextSibling);
    return node;
  }

  function value(name) {
    var el = form.elements[name];
    return el ? el.value : "";
  }

  function territory() {
    var kind = form.querySelector("input[name=territory_kind]:checked");
    kind = kind ? kind.value : "countries";
    if (kind === "worldwide") { return "worldwide"; }
    if (kind === "region") { return value("region") ? "region:" + value("region") : ""; }
    var select = form.elements["territory_countries"];
    var chosen = [];
    for (var i = 0; select && i < select.options.length; i++) {
      if (select.options[i].selected) { chosen.push(select.options[i].value); }
    }
    return chosen;
  }

  // A long multiple select scrolls its choices out of sight: say which countries are chosen.
  function showChosenCountries() {
    var select = form.elements["territory_countries"];
    if (!chosenList || !select) { return; }
    var names = [];
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].selected) { names.push(select.options[i].text); }
    }
    chosenList.textContent = names.length ? "Chosen (" + names.length + "): " + names.join(", ") : "No country chosen yet.";
    chosenList.hidden = false;
  }

  function showSummary(text, amount, currency) {
    if (!summary) { return; }
    if (!text) { summary.hidden = true; return; }
    var link = el("a", "see the breakdown");
    link.href = "#quote-h";
    summary.replaceChildren(text + " " + money(amount, currency) + " before tax (", link, ").");
    summary.hidden = false;
  }

  function showTerritory() {
    var kind = form.querySelector("input[name=territory_kind]:checked");
    kind = kind ? kind.value : "countries";
    var blocks = form.querySelectorAll("[data-territory]");
    for (var i = 0; i < blocks.length; i++) {
      blocks[i].hidden = blocks[i].getAttribute("data-territory") !== kind;
    }
  }

  function money(amount, currency) {
    var format = new Intl.NumberFormat("en-GB", { style: "currency", currency: currency });
    var digits = format.resolvedOptions().maximumFractionDigits;
    return format.format(amount / Math.pow(10, digits));
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  // The quote's steps as the pricing computes them ("× 1.5 — two countries"), each with the price
  // so far: the same table as the page's own (templates/_macros.html quote_table).
  function render(quote) {
    var table = el("table", undefined, "quote");
    var caption = el("caption", "Price breakdown", "sr-only");
    var head = el("thead"); var titles = el("tr");
    var step = el("th", "Step"); step.scope = "col";
    var sofar = el("th", "Price so far", "num"); sofar.scope = "col";
    titles.appendChild(step); titles.appendChild(sofar); head.appendChild(titles);
    var body = el("tbody");
    quote.steps.forEach(function (line) {
      var row = el("tr");
      var label = el("th", line.text); label.scope = "row";
      row.appendChild(label);
      row.appendChild(el("td", money(line.subtotal, quote.currency), "num"));
      body.appendChild(row);
    });
    var foot = el("tfoot"); var total = el("tr");
    var tl = el("th", "Total (before tax)"); tl.scope = "row";
    total.appendChild(tl);
    total.appendChild(el("td", money(quote.amount, quote.currency), "num total"));
    foot.appendChild(total);
    table.appendChild(caption); table.appendChild(head); table.appendChild(body); table.appendChild(foot);
    panel.replaceChildren(table, el("p", "Rate card version " + quote.rate_card_version + ".", "muted small"));
    if (confirmed) { confirmed.value = String(quote.amount); }
    showSummary("Price:", quote.amount, quote.currency);
  }

  function renderIncomplete(errors) {
    var names = { article_url: "article", medium: "medium", audience: "audience size", territory: "territory",
      language: "language", term: "term" };
    var missing = Object.keys(errors || {}).map(function (k) { return names[k] || k; });
    var p = el("p", "To see the price, complete: " + missing.join(", ") + ".", "muted");
    panel.replaceChildren(p);
    if (confirmed) { confirmed.value = ""; }
    showSummary("");
  }

  function update() {
    var mine = ++sequence;
    var body = {
      article_url: value("article_url"), medium: value("medium"), audience: value("audience"),
      territory: territory(), language: value("language"), term: value("term"),
      exclusive: form.elements["exclusive"].checked, media_wanted: form.elements["media_wanted"].checked
    };
    var audience = String(body.audience).replace(/[,\s_]/g, "");
    body.audience = /^\d+$/.test(audience) ? Number(audience) : body.audience;
    fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        if (mine !== sequence) { return; }
        if (res.ok) { render(res.data); } else if (res.data && res.data.errors) { renderIncomplete(res.data.errors); }
        else { throw new Error("no quote"); }  // e.g. too many requests: the server decides at preview
      })
      .catch(function () {
        if (mine !== sequence) { return; }
        panel.replaceChildren(el("p", "The price could not be fetched; press Preview price.", "muted"));
        if (confirmed) { confirmed.value = ""; }
        showSummary("");
      });
  }

  function schedule() {
    showTerritory();
    showChosenCountries();
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 200);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  showTerritory();
  showChosenCountries();
  update();
})();
