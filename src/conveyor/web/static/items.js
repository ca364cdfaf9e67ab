// The item card: keep its body live (robots firing, moves, assignments show as they happen),
// without wiping what someone is typing.
//
// The card follows its live stream itself rather than through Conveyor.live: the body holds
// the edit form and the "Move to…" list, so an update arriving while one of them has the
// focus or holds something not sent yet waits (the newest one only) until the person leaves
// it; "Cancel" reloads the card, "Save" posts it. An edit form open before a swap stays open
// after it.
(function () {
  "use strict";
  const BODY = "item-body";
  let held = null;
  // The stream's first update comes at once, whatever changed: only a later one is news.
  let updates = 0;

  // Does the form hold anything other than what it was served with? A card served back
  // after a refusal holds the values typed (data-unsaved) until they are saved.
  function unsaved(form) {
    if (form.dataset.unsaved === "true") return true;
    return Array.from(form.elements).some((input) => {
      if (input.type === "hidden" || input.type === "submit" || input.type === "button") return false;
      if (input.tagName === "SELECT") {
        return Array.from(input.options).some((option) => option.selected !== option.defaultSelected);
      }
      if (input.type === "checkbox" || input.type === "radio") return input.checked !== input.defaultChecked;
      return input.value !== input.defaultValue;
    });
  }

  function inUse() {
    const body = document.getElementById(BODY);
    if (!body) return false;
    const focused = document.activeElement;
    if (focused && body.contains(focused) && focused.closest("form")) return true;
    return Array.from(body.querySelectorAll("form")).some(unsaved);
  }

  function swap(update) {
    const target = document.getElementById(update.target);
    if (!target) return;
    const box = document.getElementById("edit");
    const open = Boolean(box && box.open);
    target.outerHTML = update.html;
    const fresh = document.getElementById("edit");
    if (fresh && open) fresh.open = true;
    document.dispatchEvent(new CustomEvent("conveyor:refreshed", { detail: update }));
  }

  function release() {
    if (held && !inUse()) {
      const update = held;
      held = null;
      swap(update);
    }
    const note = document.querySelector("#" + BODY + " [data-held]");
    if (note) note.hidden = held === null || updates < 2;
  }

  function follow(url) {
    const dot = document.querySelector("[data-live]");
    const source = new EventSource(url);
    if (window.Conveyor.ending) window.Conveyor.ending(source, dot);
    source.addEventListener("open", () => { if (dot) dot.classList.add("on"); });
    source.addEventListener("error", () => { if (dot) dot.classList.remove("on"); });
    source.addEventListener("refresh", (event) => {
      held = JSON.parse(event.data);
      updates += 1;
      release();
    });
    return source;
  }

  // Leaving an input for another one of the form keeps the update waiting: look once the
  // focus has settled.
  document.addEventListener("focusout", () => { setTimeout(release, 0); });

  // The input ?edit=<code> names gets the focus once the page is there: Chromium takes the
  // focus away again when it scrolls to the #edit of the address, so the stream starts after.
  window.addEventListener("load", () => {
    const wanted = document.querySelector("#" + BODY + " [data-focus]");
    if (wanted) wanted.focus();
    const card = document.querySelector("[data-live-url]");
    if (card && window.EventSource) follow(card.dataset.liveUrl);
  });
})();
