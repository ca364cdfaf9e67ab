// The workload board follows changes live: the server sends the board's part again whenever
// it changes (see web/live.py); the filters are in the stream's URL.
(function () {
  "use strict";
  function start() {
    const holder = document.querySelector("[data-board-live]");
    if (holder && window.Conveyor) {
      window.Conveyor.live(holder.dataset.boardLive);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
