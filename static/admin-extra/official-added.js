// Intake: an official created in the pop-up ("Create an official record", the admin's add-another pop-up) is named
// in its row, and the row's "Add a statement" link is prefilled with them.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const $ = window.django && window.django.jQuery;
  if (!$) return;
  $(document).on("change", "select.official-added", function () {
    const option = this.options[this.selectedIndex];
    if (!option) return;
    const cell = this.closest("td");
    const row = this.closest("tr");
    cell.querySelector(".official-added-name").textContent = "✓ " + option.text;
    const create = cell.querySelector("a.add-related");
    if (create) create.hidden = true;
    const statement = row.querySelector("a[href*='/statement/add/']");
    if (statement) {
      const url = new URL(statement.href);
      url.searchParams.set("official", option.value);
      statement.href = url.toString();
    }
  });
});
