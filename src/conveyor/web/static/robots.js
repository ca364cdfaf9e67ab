// The robot's form shows the inputs of the chosen action kind and timing; the server reads
// only those and checks everything again. A delete asks first.
(function () {
  "use strict";
  const DELAYED = ["after", "after_working", "before_field", "after_field"];
  const FIELDS = ["at_field", "before_field", "after_field"];

  function show(name, visible) {
    const row = document.querySelector('tr[data-field="' + name + '"]');
    if (row) row.hidden = !visible;
  }

  function update() {
    const kind = document.getElementById("f-action-kind");
    if (kind) {
      for (const row of document.querySelectorAll("tr[data-kinds]")) {
        const kinds = row.dataset.kinds.trim().split(/\s+/);
        const isJson = kinds.includes("json");
        const simple = !!document.querySelector('tr[data-kinds~="' + kind.value + '"]:not([data-field="action.json"])');
        row.hidden = isJson ? simple : !kinds.includes(kind.value);
      }
    }
    const timing = document.getElementById("f-timing-kind");
    if (timing) {
      const value = timing.value;
      show("timing.amount", DELAYED.includes(value));
      show("timing.unit", DELAYED.includes(value));
      show("timing.field", FIELDS.includes(value));
      show("timing.working", value === "before_field" || value === "after_field");
    }
    // An input the server refused stays in view whatever the choices say.
    for (const bad of document.querySelectorAll('[aria-invalid="true"]')) {
      const row = bad.closest("tr");
      if (row) row.hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const id of ["f-action-kind", "f-timing-kind"]) {
      const field = document.getElementById(id);
      if (field) field.addEventListener("change", update);
    }
    update();
    // The input the server refused is where the reader goes next.
    const refused = document.querySelector('[aria-invalid="true"]');
    if (refused) {
      refused.scrollIntoView({ block: "center" });
      refused.focus({ preventScroll: true });
    }
    for (const form of document.querySelectorAll("form[data-confirm]")) {
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    }
  });
})();
