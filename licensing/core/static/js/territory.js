// The territory picker on the request form: the long multiple select of countries becomes a search
// box (an editable combobox with a listbox of matches, as in the WAI-ARIA APG combobox pattern), the
// chosen countries shown as chips that remove themselves, and regions picked as groups of countries.
// The select stays the form's value: hidden, kept in sync, its change event fired (the live quote in
// quote.js follows it), so the server, its error messages and a form shown again after an error are
// as without scripting, when the plain select is all there is. Loaded before quote.js, which adds its
// own line of chosen countries beside the select: inside the hidden box, it stays out of sight.
(function () {
  "use strict";
  var select = document.querySelector("select[multiple][data-regions]");
  if (!select || !select.id || !select.parentNode) { return; }
  var id = select.id;

  // Accents and case never matter: "cote" finds Côte d'Ivoire, "TURK" Türkiye.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // What people type for a country whose list name is another: "UK", "USA", "Turkey", "Russia".
  var OTHER_NAMES = {
    GB: ["uk", "great britain", "britain", "england", "scotland", "wales", "northern ireland"],
    US: ["usa", "america", "united states of america"], AE: ["uae", "emirates"], RU: ["russia"],
    CZ: ["czech republic"], NL: ["holland"], TR: ["turkey"], CI: ["ivory coast"], VA: ["vatican"],
    CD: ["drc", "democratic republic of the congo"], SZ: ["swaziland"], CV: ["cape verde"], MM: ["burma"],
    MK: ["macedonia"], PS: ["palestine"], KR: ["korea"], BN: ["brunei"]
  };

  var countries = [];
  var byCode = {};
  Array.prototype.forEach.call(select.options, function (option) {
    var country = { kind: "country", code: option.value, name: option.text, folded: fold(option.text),
      otherNames: OTHER_NAMES[option.value] || [], option: option, id: id + "-option-" + option.value };
    countries.push(country);
    byCode[country.code] = country;
  });
  var regions = [];
  try {
    regions = JSON.parse(select.getAttribute("data-regions")).map(function (region) {
      return { kind: "region", name: region.name, folded: fold(region.name), id: id + "-region-" + region.key,
        members: region.countries.filter(function (code) { return byCode[code]; }).map(function (code) {
          return byCode[code];
        }) };
    });
  } catch (ignored) {
    regions = [];  // the countries alone still work
  }

  function make(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // ------------------------------------------------------------ the elements

  var input = make("input", "picker-input");
  input.type = "text";
  input.id = id + "-search";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("autocapitalize", "off");
  input.placeholder = "Search countries and regions";
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", id + "-listbox");
  ["aria-describedby", "aria-invalid"].forEach(function (name) {
    if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
  });
  var listbox = make("div", "picker-list");
  listbox.id = id + "-listbox";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Countries and regions");
  listbox.setAttribute("aria-multiselectable", "true");
  listbox.hidden = true;
  var search = make("div", "picker-search");
  search.append(input, listbox);
  var nothing = make("p", "help picker-nothing");
  nothing.hidden = true;
  var count = make("p", "help picker-count");
  count.id = id + "-chosen";
  var chips = make("ul", "chips");
  chips.id = id + "-chips";
  chips.setAttribute("aria-labelledby", count.id);
  var status = make("div", "sr-only");
  status.id = id + "-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  var native = make("div", "picker-native");
  native.hidden = true;
  var picker = make("div", "picker");
  select.parentNode.insertBefore(picker, select);
  native.appendChild(select);
  picker.append(search, nothing, count, chips, status, native);

  var label = document.querySelector('label[for="' + id + '"]');
  if (label) { label.htmlFor = input.id; }
  var help = document.getElementById(id + "-help");
  if (help) {
    help.textContent = "Type a country or a region (European Union, Gulf states…), choose it with the arrow keys " +
      "and Enter. To remove a country, press its button or Delete.";
  }

  // ------------------------------------------------------------ what matches

  // 0: the code or another name itself, 1: a name starts with it, 2: a word of the name does, 3: anywhere in it.
  function rank(item, query) {
    var others = item.otherNames || [];
    if ((item.code && item.code.toLowerCase() === query) || others.indexOf(query) >= 0) { return 0; }
    if (others.some(function (other) { return other.indexOf(query) === 0; })) { return 1; }
    var at = item.folded.indexOf(query);
    if (at < 0) { return -1; }
    if (at === 0) { return 1; }
    return item.folded.split(/[^a-z0-9]+/).some(function (word) { return word.indexOf(query) === 0; }) ? 2 : 3;
  }

  function best(items, query) {
    return items.map(function (item, index) { return { item: item, rank: rank(item, query), index: index }; })
      .filter(function (found) { return found.rank >= 0; })
      .sort(function (a, b) { return a.rank - b.rank || a.index - b.index; })
      .map(function (found) { return found.item; });
  }

  // The whole list starts with the regions; a search shows the countries first.
  function groups(text) {
    var query = fold(text.trim());
    if (!query) { return [["Regions", regions], ["Countries", countries]]; }
    return [["Countries", best(countries, query)], ["Regions", best(regions, query)]];
  }

  function chosen(item) {
    if (item.kind === "country") { return item.option.selected; }
    return item.members.length > 0 && item.members.every(function (member) { return member.option.selected; });
  }

  // ------------------------------------------------------------ the list

  var shown = [];
  var active = -1;
  var LAST = -2;  // open() with the last option active (ArrowUp); -1: none active

  function isOpen() { return !listbox.hidden; }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function open(first) {
    shown = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    var parts = [];
    groups(input.value).forEach(function (group, index) {
      if (!group[1].length) { return; }
      var box = make("ul", "picker-group");
      box.setAttribute("role", "group");
      var title = make("li", "picker-group-label", group[0]);
      title.id = id + "-group-" + index;
      title.setAttribute("role", "presentation");
      box.setAttribute("aria-labelledby", title.id);
      box.appendChild(title);
      group[1].forEach(function (item) {
        var option = make("li", "picker-option");
        option.id = item.id;
        option.setAttribute("role", "option");
        option.setAttribute("data-index", String(shown.length));
        var tick = make("span", "picker-tick");
        tick.setAttribute("aria-hidden", "true");
        option.append(tick, item.name);
        if (item.kind === "region") {
          var many = item.members.length;
          option.appendChild(make("span", "picker-hint", " (" + many + (many === 1 ? " country)" : " countries)")));
        }
        box.appendChild(option);
        shown.push({ item: item, node: option });
      });
      parts.push(box);
    });
    listbox.replaceChildren.apply(listbox, parts);
    markChosen();
    if (!shown.length) {
      nothing.textContent = "No country or region matches “" + input.value.trim() + "”.";
      nothing.hidden = false;
      announce(nothing.textContent);
      close();
      return;
    }
    nothing.hidden = true;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    listbox.scrollTop = 0;
    setActive(first === LAST ? shown.length - 1 : first);
  }

  function markChosen() {
    shown.forEach(function (entry) { entry.node.setAttribute("aria-selected", chosen(entry.item) ? "true" : "false"); });
  }

  function setActive(index) {
    if (shown[active]) { shown[active].node.classList.remove("active"); }
    active = index >= 0 && index < shown.length ? index : -1;
    if (active < 0) { input.removeAttribute("aria-activedescendant"); return; }
    shown[active].node.classList.add("active");
    input.setAttribute("aria-activedescendant", shown[active].node.id);
    shown[active].node.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    if (!shown.length) { return; }
    var from = active < 0 ? (step > 0 ? -1 : 0) : active;
    setActive((from + step + shown.length) % shown.length);  // round from the last to the first
  }

  // ------------------------------------------------------------ choosing and removing

  function total() {
    var n = select.selectedOptions.length;
    return n ? n + (n === 1 ? " country" : " countries") + " chosen" : "No country chosen";
  }

  var announced = null;
  function announce(message) {
    status.textContent = "";  // the same words twice are still read twice
    clearTimeout(announced);
    announced = setTimeout(function () { status.textContent = message; }, 60);
  }

  function changed(message) {
    select.dispatchEvent(new Event("change", { bubbles: true }));
    announce(message + " " + total() + ".");
  }

  function toggle(item) {
    var on = !chosen(item);
    if (item.kind === "country") {
      item.option.selected = on;
      changed(item.name + (on ? " added." : " removed."));
    } else {
      item.members.forEach(function (member) { member.option.selected = on; });
      var many = item.members.length;
      changed(item.name + (on ? " added: " : " removed: ") + many + (many === 1 ? " country." : " countries."));
    }
  }

  function showChosen() {
    var items = [];
    Array.prototype.forEach.call(select.selectedOptions, function (option) {
      var chip = make("button", "chip");
      chip.type = "button";
      chip.setAttribute("data-code", option.value);
      var remove = make("span", "sr-only", "Remove ");
      var cross = make("span", "chip-cross", "×");
      cross.setAttribute("aria-hidden", "true");
      chip.append(remove, make("span", "chip-name", option.text), cross);
      var item = make("li");
      item.appendChild(chip);
      items.push(item);
    });
    chips.replaceChildren.apply(chips, items);
    chips.hidden = !items.length;
    count.textContent = items.length ? total() + ":" : "No country chosen yet.";
    markChosen();
  }

  function chipButtons() { return Array.prototype.slice.call(chips.querySelectorAll("button")); }

  function removeChip(chip) {
    var buttons = chipButtons();
    var at = buttons.indexOf(chip);
    var next = buttons[at + 1] || buttons[at - 1];
    var nextCode = next ? next.getAttribute("data-code") : null;
    var country = byCode[chip.getAttribute("data-code")];
    country.option.selected = false;
    changed(country.name + " removed.");
    var focus = nextCode ? chips.querySelector('button[data-code="' + nextCode + '"]') : null;
    (focus || input).focus();
  }

  // ------------------------------------------------------------ keyboard, mouse and touch

  input.addEventListener("keydown", function (event) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!isOpen()) { open(event.altKey ? -1 : 0); } else { move(1); }
        break;
      case "ArrowUp":
        event.preventDefault();
        if (event.altKey) { close(); } else if (!isOpen()) { open(LAST); } else { move(-1); }
        break;
      case "Enter":
        event.preventDefault();  // never sends the form from the search box
        if (isOpen() && shown[active]) {
          toggle(shown[active].item);
          input.value = "";
          nothing.hidden = true;
          close();
        }
        break;
      case "Escape":
        if (isOpen()) { event.preventDefault(); close(); } else if (input.value) {
          event.preventDefault();
          input.value = "";
          nothing.hidden = true;
        }
        break;
      case "Backspace":
        if (!input.value && chipButtons().length) {
          event.preventDefault();
          chipButtons().pop().focus();
        }
        break;
      case "Tab":
        close();
        break;
    }
  });

  // What is typed here is a search, not a value of the form: it neither reprices the request
  // (quote.js) nor takes the field's error away (forms.js); the select's own change does both.
  ["input", "change"].forEach(function (kind) {
    input.addEventListener(kind, function (event) { event.stopPropagation(); });
  });
  input.addEventListener("input", function () {
    if (input.value.trim()) { open(0); } else { nothing.hidden = true; close(); }
  });
  input.addEventListener("click", function () {
    if (isOpen()) { close(); } else { open(-1); }
  });
  input.addEventListener("blur", close);

  listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });  // the search keeps focus
  listbox.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (!option) { return; }
    var entry = shown[Number(option.getAttribute("data-index"))];
    setActive(Number(option.getAttribute("data-index")));
    toggle(entry.item);  // the list stays open: a mouse picks several in a row
  });

  chips.addEventListener("click", function (event) {
    var chip = event.target.closest("button");
    if (chip) { removeChip(chip); }
  });
  chips.addEventListener("keydown", function (event) {
    var chip = event.target.closest("button");
    if (!chip) { return; }
    var buttons = chipButtons();
    var at = buttons.indexOf(chip);
    if (event.key === "Backspace" || event.key === "Delete") {
      event.preventDefault();
      removeChip(chip);
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      var next = buttons[at + (event.key === "ArrowRight" ? 1 : -1)];
      (next || (event.key === "ArrowLeft" ? input : chip)).focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      buttons[event.key === "Home" ? 0 : buttons.length - 1].focus();
    }
  });

  select.addEventListener("change", showChosen);  // ours, and any other change of the value
  if (select.form) {
    select.form.addEventListener("reset", function () { setTimeout(showChosen, 0); });
  }
  showChosen();
})();
