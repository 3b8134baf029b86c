/* Convene programme widget (script variant): draws the published programme into every
   element with data-convene-programme="<public API base>" on the host page. No inline code,
   no eval, no style attributes: it works under a strict Content-Security-Policy that lets
   this file's site into script-src and connect-src. Text is set with textContent only. */
(function () {
  "use strict";

  var LABELS = {
    loading: "Loading the programme…",
    failed: "The programme could not be loaded.",
    empty: "No sessions match.",
    zone: "Times in",
    more: "The full programme",
  };
  var MAX_PAGES = 10;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function label(host, name) {
    return host.getAttribute("data-label-" + name) || LABELS[name];
  }

  function clock(iso) {
    // The congress's wall-clock time as the API gives it ("2027-05-10T10:00:00+09:00").
    return iso.slice(11, 16);
  }

  function dayLabel(iso, lang) {
    var parts = iso.slice(0, 10).split("-");
    var date = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    try {
      return date.toLocaleDateString(lang || undefined, {
        weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
      });
    } catch (e) {
      return iso.slice(0, 10);
    }
  }

  function query(host) {
    var params = new URLSearchParams();
    var limit = Math.min(parseInt(host.getAttribute("data-limit") || "1000", 10) || 1000, 1000);
    params.set("limit", String(limit));
    params.set("status", "confirmed");
    ["track", "day", "room", "language", "tag"].forEach(function (name) {
      var value = host.getAttribute("data-" + name);
      if (value) params.set(name, value);
    });
    return { params: params, limit: limit };
  }

  function fetchAll(url, wanted) {
    var sessions = [];
    function page(next, count) {
      return fetch(next, { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (body) {
          sessions = sessions.concat(body.results || []);
          if (body.next && sessions.length < wanted && count < MAX_PAGES) {
            return page(body.next, count + 1);
          }
          return sessions.slice(0, wanted);
        });
    }
    return page(url, 1);
  }

  function render(host, sessions) {
    var lang = host.getAttribute("lang") || document.documentElement.lang || "";
    var root = el("div", "convene-widget");
    host.replaceChildren(root);
    if (!sessions.length) {
      root.appendChild(el("p", "convene-widget-empty", label(host, "empty")));
      return;
    }
    root.appendChild(
      el("p", "convene-widget-zone", label(host, "zone") + " " + (sessions[0].time_zone || ""))
    );
    var list = null;
    var current = "";
    sessions.forEach(function (s) {
      var day = s.starts_at.slice(0, 10);
      if (day !== current) {
        current = day;
        var section = el("section", "convene-widget-day");
        section.appendChild(el("h2", null, dayLabel(day, lang)));
        list = el("ol", "convene-widget-list");
        section.appendChild(list);
        root.appendChild(section);
      }
      var item = el("li", "convene-widget-session");
      if (s.track) item.setAttribute("data-track", s.track);
      var time = el("time", null, clock(s.starts_at) + "–" + clock(s.ends_at));
      time.setAttribute("datetime", s.starts_at);
      item.appendChild(time);
      var link = el("a", null, s.title);
      link.href = s.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.dir = "auto";
      item.appendChild(link);
      if (s.room_name) item.appendChild(el("span", "convene-widget-room", s.room_name));
      var names = (s.speakers || []).map(function (a) { return a.name; }).join(", ");
      if (names) item.appendChild(el("span", "convene-widget-speakers", names));
      list.appendChild(item);
    });
  }

  function load(host) {
    var base = host.getAttribute("data-convene-programme") || "";
    if (!/^https?:\/\//.test(base)) return;
    if (base.slice(-1) !== "/") base += "/";
    var q = query(host);
    host.setAttribute("aria-busy", "true");
    host.replaceChildren(el("p", "convene-widget-loading", label(host, "loading")));
    fetchAll(base + "sessions/?" + q.params.toString(), q.limit)
      .then(function (sessions) { render(host, sessions); })
      .catch(function () {
        host.replaceChildren(el("p", "convene-widget-error", label(host, "failed")));
      })
      .then(function () { host.removeAttribute("aria-busy"); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-convene-programme]"), load);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
