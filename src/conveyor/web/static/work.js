// My work: small comforts on top of plain forms (the page works without this script).
(function () {
  "use strict";
  // A form sent once stays sent: a second tap on a slow phone does not act twice.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList || !form.classList.contains("once")) return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    form.classList.add("sending");
  });
  // Opening "Return" puts the cursor in its comment.
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (details.classList && details.classList.contains("return") && details.open) {
      const box = details.querySelector("textarea");
      if (box) box.focus();
    }
  }, true);
  // Coming back from the browser's cache, forms may be sent again.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form.once").forEach((form) => {
      delete form.dataset.sent;
      form.classList.remove("sending");
    });
  });
})();
