// Conveyor's pages: the little script every page shares. Page scripts use window.Conveyor.
(function () {
  "use strict";
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  // Show a message at the bottom of the screen for a few seconds.
  function toast(message, ok) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.className = ok ? "ok" : "";
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  // Send JSON to one of the pages' endpoints. Resolves to {ok, status, body}; a refusal's body
  // is the API's problem+json, whose "detail" is shown as a toast unless quiet is set.
  async function send(method, url, data, quiet) {
    const response = await fetch(url, {
      method: method,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf() },
      body: data === undefined ? undefined : JSON.stringify(data),
      credentials: "same-origin",
    });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.status === 401) {
      window.location.href = "/ui/login?next=" + encodeURIComponent(location.pathname + location.search);
    }
    if (!response.ok && !quiet) {
      toast((body && body.detail) || response.statusText);
    }
    return { ok: response.ok, status: response.status, body: body };
  }

  // What every live stream may say besides "refresh": "signin" (the session ended: go to the
  // login form) and "gone" (what the page shows is no longer there for the reader: stop).
  function ending(source, dot) {
    source.addEventListener("signin", () => {
      source.close();
      window.location.href = "/ui/login?next=" + encodeURIComponent(location.pathname + location.search);
    });
    source.addEventListener("gone", (event) => {
      source.close();
      if (dot) dot.classList.remove("on");
      toast(JSON.parse(event.data).detail);
    });
  }

  // Follow a server-sent event stream: each "refresh" event carries the HTML of the element
  // whose id is in its "target". The dot with data-live shows whether the stream is up.
  function live(url, onRefresh) {
    const dot = document.querySelector("[data-live]");
    const source = new EventSource(url);
    ending(source, dot);
    source.addEventListener("open", () => { if (dot) dot.classList.add("on"); });
    source.addEventListener("error", () => { if (dot) dot.classList.remove("on"); });
    source.addEventListener("refresh", (event) => {
      const update = JSON.parse(event.data);
      const target = document.getElementById(update.target);
      if (target) {
        target.outerHTML = update.html;
      }
      if (onRefresh) onRefresh(update);
      document.dispatchEvent(new CustomEvent("conveyor:refreshed", { detail: update }));
    });
    return source;
  }

  window.Conveyor = { send: send, toast: toast, live: live, ending: ending, csrf: csrf };
})();
