// Print station: polls the station's queue and prints each waiting badge, one at a time, in a
// hidden frame; then tells the server it printed. In Chromium started with --kiosk-printing
// the print dialogue is skipped. Without this script the page still lists the queue.
(function () {
  "use strict";
  var box = document.getElementById("station");
  var frame = document.getElementById("station-frame");
  var status = document.getElementById("station-status");
  var auto = document.getElementById("station-auto");
  var csrf = document.querySelector("#station-csrf input[name=csrfmiddlewaretoken]");
  if (!box || !frame || !csrf || !window.fetch) { return; }
  var busy = false;
  var done = {};

  function say(text) { status.textContent = text; }

  function markPrinted(item) {
    return fetch(item.printed_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf.value, "Accept": "application/json" }
    });
  }

  function printOne(item) {
    busy = true;
    say(box.dataset.printing + ": " + item.name);
    frame.onload = function () {
      try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { /* the PDF viewer prints on its own */ }
      window.setTimeout(function () {
        markPrinted(item).then(function () {
          done[item.id] = true;
          var row = document.querySelector("tr[data-item='" + item.id + "']");
          if (row) { row.className = "station-done"; }
        }).finally(function () { busy = false; poll(); });
      }, 1500);
    };
    frame.src = item.pdf;
  }

  function poll() {
    if (busy) { return; }
    fetch(box.dataset.poll, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var next = data.waiting.filter(function (i) { return !done[i.id]; })[0];
        if (next && auto.checked) { printOne(next); }
        else { say(box.dataset.idle + (data.waiting.length ? " (" + data.waiting.length + ")" : "")); }
      })
      .catch(function () { say(box.dataset.offline); });
  }

  say(box.dataset.idle);
  poll();
  window.setInterval(poll, 3000);
})();
