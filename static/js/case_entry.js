/* The case-entry screen (admin): "Add a …" buttons copy an empty row from its <template>, and keep the tick boxes
   that link rows in step: every fact's "Cites" lists every source row, by outlet, date and headline; a sentence's "for charges" lists the charge
   rows of its detention. The server reads the rows named in the hidden "rows" inputs; nothing else depends on JS. */
(function () {
  "use strict";
  const form = document.getElementById("case-entry");
  if (!form) return;

  // The words for "Source" and "Charge" in the editor's language, from the form (data-label-source, -charge).
  function rowLabel(kind) {
    return form.dataset["label" + kind.charAt(0).toUpperCase() + kind.slice(1)];
  }

  function nextIndex(container) {
    let next = 0;
    for (const row of container.querySelectorAll(":scope > [data-key]")) {
      next = Math.max(next, Number(row.dataset.key.split("-").pop()) + 1);
    }
    return next;
  }

  function fromTemplate(name, values) {
    let html = document.getElementById("tpl-" + name).innerHTML;
    for (const [placeholder, value] of Object.entries(values)) html = html.split(placeholder).join(String(value));
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function tickBox(group, value, text, checked) {
    const name = group.dataset.name;
    const id = "id_" + name + "-" + value;
    if (document.getElementById(id)) return;
    const label = document.createElement("label");
    label.htmlFor = id;
    const input = document.createElement("input");
    Object.assign(input, { type: "checkbox", name: name, value: value, id: id, checked: checked });
    label.append(input, " " + text);
    group.append(label);
  }

  function sourceRows() {
    return [...form.querySelectorAll('.case-row[data-kind="source"]')];
  }

  // How a "Cites" box names a source: by outlet, date and headline when on file (data-label, from the server), by
  // the title typed so far for one described on this screen, else by its number.
  function sourceLabel(row) {
    const number = rowLabel("source") + " " + (row.dataset.number || Number(row.dataset.key.split("-").pop()) + 1);
    if (row.dataset.label) return row.dataset.label;
    const title = row.querySelector('input[name$="-title"]');
    return title && title.value.trim() ? number + ": \u201c" + title.value.trim() + "\u201d" : number;
  }

  // A record on file (its row names it): a source added on this screen is not ticked for it by default.
  function onFile(group) {
    const record = group.closest(".case-row") && group.closest(".case-row").querySelector('input[name$="-record"]');
    return Boolean(record && record.value);
  }

  // New rows cite the sources described on this screen; the case's sources on file start unticked (an old article
  // rarely reports the fact being added), and a new source is not ticked on the records on file.
  function fillCites(scope) {
    for (const group of scope.querySelectorAll("fieldset.cites")) {
      for (const row of sourceRows()) {
        tickBox(group, row.dataset.key, sourceLabel(row), !("onFile" in row.dataset) && !onFile(group));
      }
    }
  }

  function renameSource(row) {
    for (const input of form.querySelectorAll(`fieldset.cites input[value="${row.dataset.key}"]`)) {
      input.parentElement.lastChild.textContent = " " + sourceLabel(row);
    }
  }
  form.addEventListener("input", (event) => {
    const row = event.target.closest('.case-row[data-kind="source"]');
    if (row && !row.dataset.label && event.target.name && event.target.name.endsWith("-title")) renameSource(row);
  });

  function fillCharges(detentionKey) {
    const charges = form.querySelectorAll(`[data-rows="charge"][data-detention="${detentionKey}"] > .case-row`);
    const groups = form.querySelectorAll(`[data-rows="sentence"][data-detention="${detentionKey}"] fieldset.for-charges`);
    for (const group of groups) {
      for (const row of charges) {
        tickBox(group, row.dataset.key, rowLabel("charge") + " " + (Number(row.dataset.key.split("-").pop()) + 1), false);
      }
    }
  }

  function add(button) {
    const kind = button.dataset.add;
    const detention = button.dataset.detention;
    const selector = detention ? `[data-rows="${kind}"][data-detention="${detention}"]` : `[data-rows="${kind}"]`;
    const container = form.querySelector(selector);
    const index = nextIndex(container);
    const values = { __s__: index, __S__: index + 1, __n__: index, __N__: index + 1 };
    if (kind === "source") {
      // Sources on file are numbered as the case page numbers them (data-number): a new one comes after them all.
      for (const row of container.querySelectorAll(":scope > [data-number]")) {
        values.__S__ = Math.max(values.__S__, Number(row.dataset.number) + 1 || 0);
      }
    }
    if (kind === "detention") Object.assign(values, { __d__: index, __D__: index + 1 });
    if (detention) values.__d__ = detention.split("-").pop();
    const row = fromTemplate(kind, values);
    container.append(row);
    for (const hidden of row.querySelectorAll(".add-row[hidden]")) hidden.hidden = false;
    if (kind === "source") fillCites(form); else fillCites(row);
    if (kind === "charge" || kind === "sentence") fillCharges(detention);
    row.dispatchEvent(new CustomEvent("formset:added", { bubbles: true, detail: { formsetName: kind } }));
    nameComboboxes(row);
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  // select2 draws its own combobox beside the <select>: give it the <select>'s label as its accessible name
  function nameComboboxes(scope) {
    for (const select of scope.querySelectorAll("select.admin-autocomplete, select.search-select")) {
      const label = form.querySelector(`label[for="${select.id}"]`);
      const drawn = select.nextElementSibling;
      if (!label || !drawn || !drawn.classList.contains("select2")) continue;
      const boxes = drawn.querySelectorAll(".select2-selection[role=combobox], [role=textbox], .select2-search__field");
      for (const box of boxes) {
        box.removeAttribute("aria-labelledby");  // it points at the (empty) chosen value
        box.setAttribute("aria-label", label.textContent.trim());
      }
    }
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest(".add-row");
    if (button) {
      event.preventDefault();
      add(button);
    }
  });
  for (const button of form.querySelectorAll(".add-row")) button.hidden = false;
  // after the admin's own ready handler (registered first) has drawn the select2 boxes
  if (window.django && window.django.jQuery) window.django.jQuery(() => nameComboboxes(form));
})();
