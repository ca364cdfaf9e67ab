// The kanban board: drag a card to another column (or pick a stage in its "Move to…" list)
// and the item moves on the server; a refusal puts the card back, the server's message shown
// by Conveyor.send. Every handler is on document, so they outlive the swaps of the columns.
//
// The board follows its live stream itself rather than through Conveyor.live: a swap in the
// middle of a drag would detach the dragged card and silently cancel the drag, so an update
// arriving while a card is dragged or being moved waits until it lands.
(function () {
  "use strict";
  let dragged = null;
  let moving = 0;
  let held = null;
  let shown = null;

  function columnOf(element) {
    return element && element.closest ? element.closest(".kanban-column") : null;
  }

  // Put in the columns the server sent, unless they are the ones already shown (a move's
  // answer is followed by the same columns from the stream).
  function swap(update) {
    if (update.html === shown) return;
    const target = document.getElementById(update.target);
    if (target) target.outerHTML = update.html;
    shown = update.html;
    document.dispatchEvent(new CustomEvent("conveyor:refreshed", { detail: update }));
  }

  function busy() {
    return dragged !== null || moving > 0;
  }

  function release() {
    if (held && !busy()) {
      const update = held;
      held = null;
      swap(update);
    }
  }

  function follow(url) {
    const dot = document.querySelector("[data-live]");
    const source = new EventSource(url);
    window.Conveyor.ending(source, dot);
    // The dot lights with the first update (sent at once): from then on the board is current.
    source.addEventListener("error", () => { if (dot) dot.classList.remove("on"); });
    source.addEventListener("refresh", (event) => {
      held = JSON.parse(event.data);
      release();
      if (dot) dot.classList.add("on");
    });
    return source;
  }

  // Move the card to the stage: it goes to the target column at once and comes back where it
  // was if the server refuses. Success swaps in the board the server answers with.
  async function move(card, stageId) {
    const from = card.parentNode;
    const next = card.nextSibling;
    const column = document.querySelector('.kanban-column[data-stage-id="' + stageId + '"]');
    if (column) column.querySelector(".kanban-cards").prepend(card);
    card.classList.add("moving");
    moving += 1;
    let result;
    try {
      result = await Conveyor.send("POST", card.dataset.moveUrl, { stage_id: Number(stageId) });
    } catch (error) {
      result = { ok: false };
      Conveyor.toast(String(error));
    }
    moving -= 1;
    card.classList.remove("moving");
    if (result.ok && result.body) {
      if (offer && offer.itemId === card.dataset.itemId) offer = null;
      held = null;
      swap(result.body);
      return;
    }
    if (from && from.isConnected) {
      from.insertBefore(card, next && next.parentNode === from ? next : null);
    }
    const select = card.querySelector("select.kanban-move");
    if (select) select.value = "";
    refused(card, result.body);
    release();
  }

  // A move refused for an empty required field (the problem's "field" is "fields.<code>")
  // leaves a line in the card: the message and a link to the item's card, its edit form
  // open at that field. Conveyor.toast shows plain text only, so the link is the card's own;
  // the line is put back after each swap of the columns until the item moves.
  let offer = null;

  function refused(card, problem) {
    const field = problem && typeof problem.field === "string" ? problem.field : "";
    if (!field.startsWith("fields.")) return;
    const code = field.slice("fields.".length);
    document.querySelectorAll(".kanban-refusal").forEach((line) => line.remove());
    offer = {
      itemId: card.dataset.itemId,
      entity: card.dataset.entity,
      message: problem.detail || "",
      href: "/ui/items/" + card.dataset.entity + "/" + card.dataset.itemId +
        "?edit=" + encodeURIComponent(code) + "#edit",
    };
    showOffer();
  }

  function showOffer() {
    if (!offer) return;
    const card = document.querySelector(
      '.kanban-card[data-item-id="' + offer.itemId + '"][data-entity="' + offer.entity + '"]');
    if (!card || card.querySelector(".kanban-refusal")) return;
    const board = document.querySelector(".kanban");
    const line = document.createElement("p");
    line.className = "error small kanban-refusal";
    line.setAttribute("role", "status");
    line.append(offer.message + " ");
    const link = document.createElement("a");
    link.href = offer.href;
    link.draggable = false;
    link.textContent = (board && board.dataset.fillText) || "Fill in on the card";
    line.append(link);
    card.append(line);
  }

  document.addEventListener("conveyor:refreshed", showOffer);

  function clearTargets() {
    document.querySelectorAll(".kanban-column.drop-target").forEach((c) => c.classList.remove("drop-target"));
  }

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".kanban-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.itemId);
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearTargets();
    release();
  });

  document.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (!dragged || !column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("drop-target")) {
      clearTargets();
      column.classList.add("drop-target");
    }
  });

  document.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    if (!dragged || !column) return;
    event.preventDefault();
    const card = dragged;
    clearTargets();
    card.classList.remove("dragging");
    dragged = null;
    if (columnOf(card) !== column) {
      move(card, column.dataset.stageId);
    } else {
      release();
    }
  });

  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!select.matches || !select.matches("select.kanban-move") || !select.value) return;
    move(select.closest(".kanban-card"), select.value);
  });

  // When the reader's cards all sit in columns off to the right (an employee's deals in
  // "Development started"), open the board scrolled to the first column that has any.
  function showFirstCards() {
    const columns = document.getElementById("kanban-columns");
    const first = document.querySelector(".kanban-column .kanban-card");
    if (!columns || !first) return;
    const column = first.closest(".kanban-column").getBoundingClientRect();
    const view = columns.getBoundingClientRect();
    if (column.right > view.right) {
      columns.scrollLeft += column.left - view.left;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const board = document.querySelector(".kanban[data-live-url]");
    showFirstCards();
    if (board) follow(board.dataset.liveUrl);
  });
})();
