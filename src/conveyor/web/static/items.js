// The item card: keep its body live (robots firing, moves, assignments show as they happen).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const card = document.querySelector("[data-live-url]");
    if (card && window.EventSource) {
      window.Conveyor.live(card.dataset.liveUrl);
    }
  });
})();
