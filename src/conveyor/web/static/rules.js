// The rule editor: the pipeline select offers the entity's pipelines, the stage selects the
// chosen pipeline's stages; a delete asks first. The server checks everything again.
(function () {
  "use strict";

  function entity() {
    const field = document.getElementById("f-entity_type");
    return field ? field.value : "";
  }

  function filter() {
    const pipelineSelect = document.getElementById("f-pipeline_id");
    if (!pipelineSelect) return;
    const kind = entity();
    for (const option of pipelineSelect.options) {
      if (option.value) option.hidden = option.dataset.entity !== kind;
    }
    const pipeline = pipelineSelect.value;
    for (const select of document.querySelectorAll("select[data-stages]")) {
      for (const group of select.querySelectorAll("optgroup")) {
        // Stages counted as in work may be any of the entity's pipelines.
        const shown = select.multiple ? group.dataset.entity === kind : group.dataset.pipeline === pipeline;
        group.hidden = !shown;
        for (const option of group.querySelectorAll("option")) option.hidden = !shown;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    // The input the server refused is where the reader goes next.
    const refused = document.querySelector('[aria-invalid="true"]');
    if (refused) {
      refused.scrollIntoView({ block: "center" });
      refused.focus({ preventScroll: true });
    }
    for (const id of ["f-entity_type", "f-pipeline_id"]) {
      const field = document.getElementById(id);
      if (field) field.addEventListener("change", filter);
    }
    filter();
    for (const form of document.querySelectorAll("form[data-confirm]")) {
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    }
  });
})();
