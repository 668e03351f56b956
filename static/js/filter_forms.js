// Filter forms (method GET) leave out the fields left empty, so that the address says only what is filtered:
// "?held_by=RU", not "?q=&status=&held_by=RU&citizenship=". The server reads an empty value as absent anyway
// (common.views.FilteredListView); this only keeps the address short and shareable. A file, not inline script: the
// site's Content-Security-Policy allows scripts from 'self' only.
(function () {
  "use strict";

  function isEmpty(field) {
    if (!field.name || field.disabled) return false;
    if (field.type === "submit" || field.type === "button" || field.type === "reset") return false;
    if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return false;
    return field.value === "";
  }

  function enable(field) {
    field.disabled = false;
    delete field.dataset.emptied;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "get").toLowerCase() !== "get") {
      return;
    }
    var emptied = Array.prototype.filter.call(form.elements, isEmpty);
    emptied.forEach(function (field) { field.disabled = true; field.dataset.emptied = "1"; });
    // The form's data is read once this event is over: the fields work again for a reader who comes back to the page.
    window.setTimeout(function () { emptied.forEach(enable); }, 0);
  });

  // Back from the results (the page restored from the browser's cache): no field stays disabled.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form [data-emptied]"), enable);
  });
})();
