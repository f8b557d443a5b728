// Inline errors go away once the field they are about is changed: the message, the red border,
// aria-invalid and the error summary's line for it (the server checks again on the next submit).
// The app's own script (the CSP allows scripts from this site only); without it, errors stay until
// the next submit, as before.
(function () {
  "use strict";
  function clear(field) {
    var box = field.closest(".has-error");
    if (!box || field.value === field.getAttribute("data-erred-value")) { return; }
    box.classList.remove("has-error");
    var gone = [];
    box.querySelectorAll("p.error").forEach(function (p) { gone.push(p.id); p.remove(); });
    box.querySelectorAll("[aria-invalid=true]").forEach(function (el) {
      el.setAttribute("aria-invalid", "false");
      var left = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && gone.indexOf(id) < 0;
      });
      if (left.length) { el.setAttribute("aria-describedby", left.join(" ")); } else { el.removeAttribute("aria-describedby"); }
    });
    var summary = document.getElementById("error-summary");
    if (summary && box.id) {
      summary.querySelectorAll('a[href="#' + box.id + '"], a[href="#' + field.id + '"]').forEach(function (a) {
        a.closest("li").remove();
      });
      if (!summary.querySelector("li")) { summary.remove(); }
    } else if (summary && field.id) {
      summary.querySelectorAll('a[href="#' + field.id + '"]').forEach(function (a) { a.closest("li").remove(); });
      if (!summary.querySelector("li")) { summary.remove(); }
    }
  }
  document.querySelectorAll(".has-error input, .has-error select, .has-error textarea").forEach(function (el) {
    el.setAttribute("data-erred-value", el.value);
  });
  ["input", "change"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var el = event.target;
      if (el && el.matches && el.matches("input, select, textarea")) { clear(el); }
    });
  });
}());
