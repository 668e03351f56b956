/* Names for the admin's form controls that Django and select2 leave unnamed (issue 26, item 7):
   - a control in a table of inline rows is labelled by its column's header (a visible label, not a title);
   - select2's boxes (the combobox, its text and its search field) are labelled by their field's label;
   - select2's list of chosen items, which holds a clear button beside its items, is a list by role.
   Runs on every admin page and again whenever rows or boxes are added (a MutationObserver). */
(function () {
  "use strict";
  var counter = 0;

  function idOf(element) {
    if (!element.id) { counter += 1; element.id = "a11y-name-" + counter; }
    return element.id;
  }

  function columnHeader(control) {
    var cell = control.closest("td");
    var table = cell && cell.closest("table");
    if (!table || !table.tHead || !cell.closest(".tabular")) { return null; }
    var field = Array.prototype.find.call(cell.classList, function (c) { return c.indexOf("field-") === 0; });
    if (field) { return table.tHead.querySelector("th.column-" + CSS.escape(field.slice(6))); }
    if (cell.classList.contains("delete")) {
      var heads = table.tHead.rows[0].cells;
      return heads[heads.length - 1];
    }
    return null;
  }

  function labelOf(control) {
    if (control.id) {
      var label = document.querySelector('label[for="' + CSS.escape(control.id) + '"]');
      if (label && label.textContent.trim()) { return label; }
    }
    return columnHeader(control);
  }

  function unnamed(element) {
    return !element.getAttribute("aria-label") && !(element.labels && element.labels.length) &&
      !element.hasAttribute("data-a11y-named");
  }

  function name(element, label, extra) {
    element.setAttribute("aria-labelledby", idOf(label) + (extra ? " " + extra : ""));
    element.setAttribute("data-a11y-named", "");
  }

  function fix() {
    document.querySelectorAll(".tabular td input:not([type=hidden]), .tabular td select, .tabular td textarea")
      .forEach(function (control) {
        if (!unnamed(control)) { return; }
        var header = columnHeader(control);
        if (header && header.textContent.trim()) { name(control, header); }
      });
    document.querySelectorAll("select + .select2-container").forEach(function (box) {
      var select = box.previousElementSibling;
      var label = labelOf(select);
      if (!label) { return; }
      box.querySelectorAll("[role=combobox], [role=textbox], input.select2-search__field").forEach(function (part) {
        if (part.hasAttribute("data-a11y-named")) { return; }
        var shown = part.getAttribute("role") === "combobox" ? part.getAttribute("aria-labelledby") : "";
        name(part, label, shown);
      });
      box.querySelectorAll("ul.select2-selection__rendered:not([role])").forEach(function (list) {
        list.setAttribute("role", "list");
      });
    });
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fix(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    fix();
    new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
  });
}());
