/* Progressive enhancement: offer the visitor's own time zone (Intl) beside the congress's.
   Without JavaScript the page shows congress times, which are always right. */
(function () {
  "use strict";
  var note = document.querySelector("[data-agenda-tz]");
  if (!note || !window.Intl || !Intl.DateTimeFormat) { return; }
  var congressZone = note.getAttribute("data-congress-zone");
  var ownZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var button = note.querySelector(".agenda-tz-toggle");
  if (!button || !ownZone || ownZone === congressZone) { return; }
  var lang = document.documentElement.lang || undefined;
  var times = Array.prototype.slice.call(document.querySelectorAll("time[data-agenda-time]"));
  times.forEach(function (el) { el.setAttribute("data-congress-text", el.textContent); });
  var showingOwn = false;
  function formatter(kind) {
    var options = { timeZone: ownZone, hour: "2-digit", minute: "2-digit", hour12: false };
    if (kind === "day") { options = { timeZone: ownZone, weekday: "short", day: "numeric", month: "short" }; }
    if (kind === "datetime") { options.weekday = "short"; options.day = "numeric"; options.month = "short"; }
    return new Intl.DateTimeFormat(lang, options);
  }
  var formats = { time: formatter("time"), datetime: formatter("datetime"), day: formatter("day") };
  var zoneNote = document.createElement("span");
  zoneNote.className = "agenda-tz-shown";
  zoneNote.setAttribute("aria-live", "polite");
  note.insertBefore(zoneNote, button);
  function render() {
    times.forEach(function (el) {
      if (!showingOwn) { el.textContent = el.getAttribute("data-congress-text"); el.removeAttribute("title"); return; }
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) { return; }
      var kind = el.getAttribute("data-agenda-time");
      if (!formats[kind]) { kind = "time"; }
      el.textContent = formats[kind].format(when);
      el.title = el.getAttribute("data-congress-text") + " (" + congressZone + ")";
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-agenda-zone]"), function (el) {
      el.textContent = showingOwn ? ownZone : congressZone;
    });
    zoneNote.textContent = showingOwn ? (note.getAttribute("data-label-shown") || "").replace("%s", ownZone) : "";
    note.classList.toggle("is-own-zone", showingOwn);
    button.textContent = (showingOwn ? button.getAttribute("data-label-congress") : button.getAttribute("data-label-local")) + (showingOwn ? "" : " (" + ownZone + ")");
    button.setAttribute("aria-pressed", showingOwn ? "true" : "false");
    try { window.localStorage.setItem("convene.agenda.ownZone", showingOwn ? "1" : "0"); } catch (e) { /* private mode */ }
  }
  button.hidden = false;
  button.addEventListener("click", function () { showingOwn = !showingOwn; render(); });
  try { showingOwn = window.localStorage.getItem("convene.agenda.ownZone") === "1"; } catch (e) { showingOwn = false; }
  render();
})();
