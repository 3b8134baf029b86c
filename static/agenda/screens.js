/* "Now and next" screens: ask the JSON endpoint again just after the next start or end (the
   server says when), replace the rooms, and when the connection drops keep what is shown,
   say so with the time of the last update, and retry with a growing delay (up to 5 minutes).
   Without JavaScript a <noscript> meta refresh reloads the page instead. */
(function () {
  "use strict";
  var root = document.querySelector("[data-screen]");
  if (!root || !window.fetch) { return; }
  var rooms = root.querySelector("[data-screen-rooms]");
  var updated = root.querySelector("[data-screen-updated]");
  var offline = root.querySelector("[data-screen-offline]");
  var endpoint = root.getAttribute("data-endpoint");
  var poll = parseInt(root.getAttribute("data-poll-seconds"), 10) || 30;
  // A fixed clock (only honoured by the server in DEBUG and tests) moves on with real time.
  var fixedAt = root.getAttribute("data-at");
  var startedAt = Date.now();
  var delay = poll;
  var MAX_DELAY = 300;

  function url() {
    var params = new URLSearchParams();
    if (fixedAt) {
      params.set("at", new Date(Date.parse(fixedAt) + (Date.now() - startedAt)).toISOString());
    }
    params.set("_", String(Date.now()));
    return endpoint + "?" + params.toString();
  }

  function showOnline(data) {
    var fresh = document.createElement("template");
    fresh.innerHTML = data.html;  // server-rendered, autoescaped; no script runs (CSP)
    rooms.replaceChildren(fresh.content);
    updated.textContent = data.at_label;
    updated.setAttribute("datetime", data.at);
    offline.hidden = true;
    document.body.classList.remove("is-offline");
    delay = Math.max(1, Math.min(parseInt(data.poll_seconds, 10) || poll, 60));
  }

  function showOffline() {
    offline.hidden = false;
    document.body.classList.add("is-offline");
    delay = Math.min(Math.max(delay * 2, 2), MAX_DELAY);
  }

  function look() {
    fetch(url(), { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(showOnline)
      .catch(showOffline)
      .then(function () { window.setTimeout(look, delay * 1000); });
  }

  window.setTimeout(look, delay * 1000);
})();
