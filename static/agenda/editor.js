/* Timetable editor: place, move and resize sessions by pointer, touch (interact.js) or keyboard;
   every change is a POST through the scheduling rules, a refusal snaps back with its reason. */
(function () {
  "use strict";
  var root = document.getElementById("editor");
  var gridEl = document.getElementById("editor-grid");
  if (!root || !gridEl || !window.interact) { return; }
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var live = document.getElementById("editor-live");
  var changesBox = document.getElementById("editor-changes");
  var queueList = document.getElementById("queue-list");
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var rows = parseInt(gridEl.dataset.rows, 10);
  var slot = data.slot;
  var since = data.loadedAt;
  var T = function (s) { return (data.messages && data.messages[s]) || s; };
  var interpolate = function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (_m, k) { return obj[k]; });
  };

  document.getElementById("editor-nojs").hidden = true;
  root.classList.add("is-live");

  var rooms = {};   // column -> {id, name}
  var columnOf = {}; // room id -> column
  gridEl.querySelectorAll(".ed-room").forEach(function (el) {
    var col = parseInt(el.dataset.column, 10);
    rooms[col] = { id: parseInt(el.dataset.room, 10), name: el.querySelector("strong").textContent };
    columnOf[el.dataset.room] = col;
  });
  var columns = Object.keys(rooms).map(Number).sort(function (a, b) { return a - b; });
  var timeOfRow = {}; var rowOfTime = {};
  var times = gridEl.querySelectorAll(".ed-time");
  times.forEach(function (el) {
    timeOfRow[el.dataset.row] = el.dataset.time; rowOfTime[el.dataset.time] = parseInt(el.dataset.row, 10);
  });
  /* the drop targets: one cell per room and row (not in the page's HTML, which reads without them) */
  var cells = document.createDocumentFragment();
  columns.forEach(function (col) {
    times.forEach(function (t) {
      var cell = document.createElement("div");
      cell.className = "ed-cell";
      cell.dataset.room = String(rooms[col].id); cell.dataset.time = t.dataset.time;
      cell.dataset.row = t.dataset.row; cell.dataset.column = String(col);
      cell.style.gridColumn = String(col); cell.style.gridRow = t.dataset.row;
      cells.appendChild(cell);
    });
  });
  gridEl.insertBefore(cells, gridEl.querySelector(".ed-session"));

  function say(text) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 30); }
  function label(card) { return card.dataset.title; }
  function hhmm(row) { var t = timeOfRow[row]; return t ? t.slice(11) : ""; }
  function span(card) { return Math.max(1, Math.ceil(parseInt(card.dataset.minutes, 10) / slot)); }

  function position(card) {
    if (card.dataset.queued) { return null; }
    var style = card.style;
    return { column: parseInt(style.gridColumnStart, 10), row: parseInt(style.gridRowStart, 10), span: span(card) };
  }
  function describe(pos) {
    var end = pos.row + pos.span;
    return interpolate(T("%(room)s, %(start)s to %(end)s"), {
      room: rooms[pos.column].name, start: hhmm(pos.row),
      end: hhmm(end) || interpolate(T("%(n)s minutes later"), { n: pos.span * slot })
    }, true);
  }
  function setInGrid(card, pos) {
    if (card.parentElement !== gridEl) {
      var li = card.parentElement;
      gridEl.appendChild(card);
      if (li && li.tagName === "LI" && !li.children.length) { li.remove(); }
    }
    card.style.gridColumn = String(pos.column);
    card.style.gridRow = pos.row + " / " + Math.min(pos.row + pos.span, rows + 2);
    card.style.transform = ""; card.style.height = "";
  }
  var queueCount = document.getElementById("queue-count");
  function countQueue(delta) {
    if (!queueCount) { return; }
    var n = Math.max(0, parseInt(queueCount.dataset.count, 10) + delta);
    queueCount.dataset.count = String(n);
    queueCount.textContent = "(" + n + ")";
  }
  function setInQueue(card) {
    if (!card.dataset.queued) { countQueue(1); }
    var li = document.createElement("li");
    li.appendChild(card);
    queueList.insertBefore(li, queueList.firstChild);
    var empty = queueList.querySelector(".ed-empty"); if (empty) { empty.remove(); }
    card.style.gridColumn = ""; card.style.gridRow = ""; card.style.transform = ""; card.style.height = "";
    card.dataset.queued = "1"; delete card.dataset.room; delete card.dataset.start;
    card.querySelector(".ed-unschedule").hidden = true;
  }
  function restore(card, pos) { if (pos) { setInGrid(card, pos); } else { setInQueue(card); } }
  function notes(card, errors, warnings) {
    var ul = card.querySelector(".ed-notes");
    ul.textContent = "";
    (errors || []).forEach(function (m) { var li = document.createElement("li"); li.className = "ed-error"; li.textContent = m; ul.appendChild(li); });
    (warnings || []).forEach(function (m) { var li = document.createElement("li"); li.className = "ed-warning"; li.textContent = m; ul.appendChild(li); });
    var all = (errors || []).concat(warnings || []);
    if (all.length) { card.title = all.join(" "); } else { card.removeAttribute("title"); }
    card.classList.toggle("has-error", !!(errors && errors.length));
    card.classList.toggle("has-warning", !(errors && errors.length) && !!(warnings && warnings.length));
  }
  function apply(card, s) {
    card.dataset.version = s.version;
    card.dataset.minutes = String(s.minutes);
    if (s.queued) { if (!card.dataset.queued) { setInQueue(card); } return; }
    if (card.dataset.queued) { countQueue(-1); }
    delete card.dataset.queued;
    card.dataset.room = String(s.room); card.dataset.start = s.start;
    card.querySelector(".ed-unschedule").hidden = false;
    var col = columnOf[String(s.room)], row = rowOfTime[s.start];
    if (s.day === data.day && col && row) {
      setInGrid(card, { column: col, row: row, span: span(card) });
      var end = row + span(card);
      card.querySelector(".ed-when").textContent = hhmm(row) + "–" + (hhmm(end) || "");
    } else if (card.parentElement === gridEl) {
      card.remove();
    }
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload)
    }).then(function (r) { return r.json().catch(function () { return { ok: false, reason: T("The server did not answer.") }; }); });
  }

  function commit(card, pos, before) {
    card.classList.add("is-saving");
    var payload = {
      session: card.dataset.code, room: rooms[pos.column].id, start: timeOfRow[pos.row],
      minutes: pos.span * slot, version: card.dataset.version
    };
    return post(root.dataset.moveUrl, payload).then(function (answer) {
      card.classList.remove("is-saving");
      if (answer.ok) {
        apply(card, answer.session);
        notes(card, [], answer.warnings);
        say(interpolate(T("%(title)s saved: %(where)s."), { title: label(card), where: describe(pos) }, true) +
            (answer.warnings.length ? " " + answer.warnings.join(" ") : ""));
      } else {
        if (answer.session) {
          card.dataset.version = answer.session.version;
          if (answer.kind === "stale") { apply(card, answer.session); } else { restore(card, before); }
        } else { restore(card, before); }
        notes(card, [answer.reason], []);
        card.classList.add("is-refused");
        window.setTimeout(function () { card.classList.remove("is-refused"); }, 1500);
        say(interpolate(T("%(title)s not moved: %(reason)s"), { title: label(card), reason: answer.reason }, true));
      }
    });
  }

  /* speakers' unavailable times, shaded while one of their sessions is held */
  function shade(card, on) {
    gridEl.querySelectorAll(".is-unavailable").forEach(function (el) { el.classList.remove("is-unavailable"); });
    if (!on) { return; }
    var speakers = (card.dataset.speakers || "").split(" ").filter(Boolean);
    data.unavailable.forEach(function (block) {
      if (speakers.indexOf(block.speaker) < 0) { return; }
      gridEl.querySelectorAll(".ed-cell").forEach(function (cell) {
        if (cell.dataset.time >= block.start && cell.dataset.time < block.end) { cell.classList.add("is-unavailable"); }
      });
    });
  }

  function cellAt(x, y) {
    var found = document.elementsFromPoint(x, y);
    for (var i = 0; i < found.length; i++) { if (found[i].classList.contains("ed-cell")) { return found[i]; } }
    return null;
  }

  /* pointer and touch */
  root.querySelectorAll(".ed-session a").forEach(function (a) { a.setAttribute("draggable", "false"); });
  var dragBefore = null;
  window.interact(".ed-session").draggable({
    ignoreFrom: "button, .ed-resize",
    listeners: {
      start: function (event) {
        var card = event.target;
        dragBefore = position(card);
        card.classList.add("is-dragging"); card.dataset.dx = "0"; card.dataset.dy = "0";
        shade(card, true);
      },
      move: function (event) {
        var card = event.target;
        var dx = parseFloat(card.dataset.dx) + event.dx, dy = parseFloat(card.dataset.dy) + event.dy;
        card.dataset.dx = dx; card.dataset.dy = dy;
        card.style.transform = "translate(" + dx + "px," + dy + "px)";
      },
      end: function (event) {
        var card = event.target;
        card.classList.remove("is-dragging"); shade(card, false);
        var cell = cellAt(event.client.x, event.client.y);
        if (!cell) { restore(card, dragBefore); return; }
        var pos = { column: parseInt(cell.dataset.column, 10), row: parseInt(cell.dataset.row, 10), span: span(card) };
        setInGrid(card, pos);
        commit(card, pos, dragBefore);
      }
    }
  }).resizable({
    edges: { bottom: ".ed-resize" },
    listeners: {
      start: function (event) { dragBefore = position(event.target); shade(event.target, true); },
      move: function (event) { event.target.style.height = event.rect.height + "px"; },
      end: function (event) {
        var card = event.target; shade(card, false);
        if (!dragBefore) { return; }
        var rowHeight = gridEl.querySelector(".ed-cell").getBoundingClientRect().height;
        var newSpan = Math.max(1, Math.round(event.rect.height / rowHeight));
        var pos = { column: dragBefore.column, row: dragBefore.row, span: newSpan };
        card.dataset.minutes = String(newSpan * slot);
        setInGrid(card, pos);
        commit(card, pos, dragBefore).then(function () {
          if (card.classList.contains("has-error")) { card.dataset.minutes = String(dragBefore.span * slot); restore(card, dragBefore); }
        });
      }
    }
  });

  /* keyboard */
  var held = null; // {card, before, pos}
  function release(save) {
    if (!held) { return; }
    var h = held; held = null;
    var grab = h.card.querySelector(".ed-grab");
    grab.setAttribute("aria-pressed", "false");
    h.card.classList.remove("is-held"); shade(h.card, false);
    if (save) {
      h.card.dataset.minutes = String(h.pos.span * slot);
      commit(h.card, h.pos, h.before).then(function () {
        if (h.card.classList.contains("has-error")) { h.card.dataset.minutes = String((h.before ? h.before.span : h.pos.span) * slot); }
        grab.focus();
      });
    } else {
      restore(h.card, h.before);
      say(interpolate(T("%(title)s: move cancelled."), { title: label(h.card) }, true));
      grab.focus();
    }
  }
  function hold(card) {
    if (held) { release(false); }
    var before = position(card);
    var pos = before ? { column: before.column, row: before.row, span: before.span } : { column: columns[0], row: 2, span: span(card) };
    held = { card: card, before: before, pos: pos };
    card.classList.add("is-held"); shade(card, true);
    card.querySelector(".ed-grab").setAttribute("aria-pressed", "true");
    setInGrid(card, pos);
    card.querySelector(".ed-grab").focus();
    say(interpolate(T("%(title)s held at %(where)s. Arrow keys move it, Shift with arrows changes its length, Enter saves, Escape cancels."), { title: label(card), where: describe(pos) }, true));
  }
  root.addEventListener("click", function (event) {
    var grab = event.target.closest(".ed-grab");
    if (grab) { var card = grab.closest(".ed-session"); if (held && held.card === card) { release(true); } else { hold(card); } return; }
    var back = event.target.closest(".ed-unschedule");
    if (back) {
      var c = back.closest(".ed-session");
      post(root.dataset.unscheduleUrl, { session: c.dataset.code, version: c.dataset.version }).then(function (answer) {
        if (answer.ok) { setInQueue(c); apply(c, answer.session); notes(c, [], []); say(interpolate(T("%(title)s is back in the queue."), { title: label(c) }, true)); c.querySelector(".ed-grab").focus(); }
        else { if (answer.session) { apply(c, answer.session); } notes(c, [answer.reason], []); say(answer.reason); }
      });
    }
  });
  root.addEventListener("keydown", function (event) {
    if (!held || !event.target.closest(".ed-grab")) { return; }
    var pos = held.pos, key = event.key, moved = true;
    if (key === "Enter") { event.preventDefault(); release(true); return; }
    if (key === "Escape") { event.preventDefault(); release(false); return; }
    var i = columns.indexOf(pos.column);
    var rtl = getComputedStyle(root).direction === "rtl";
    if (event.shiftKey && key === "ArrowDown") { pos.span = Math.min(pos.span + 1, rows + 2 - pos.row); }
    else if (event.shiftKey && key === "ArrowUp") { pos.span = Math.max(1, pos.span - 1); }
    else if (key === "ArrowDown") { pos.row = Math.min(pos.row + 1, rows + 1); }
    else if (key === "ArrowUp") { pos.row = Math.max(2, pos.row - 1); }
    // The rooms run from the start side: right to left on an Arabic page, so the arrows swap.
    else if (key === (rtl ? "ArrowLeft" : "ArrowRight")) { pos.column = columns[Math.min(i + 1, columns.length - 1)]; }
    else if (key === (rtl ? "ArrowRight" : "ArrowLeft")) { pos.column = columns[Math.max(i - 1, 0)]; }
    else { moved = false; }
    if (moved) {
      event.preventDefault();
      setInGrid(held.card, pos);
      held.card.querySelector(".ed-grab").focus();
      say(describe(pos));
    }
  });
  root.querySelectorAll(".ed-grab").forEach(function (b) { b.hidden = false; });
  gridEl.querySelectorAll(".ed-unschedule").forEach(function (b) { b.hidden = false; });

  /* the queue filter, as one types (the form still filters on the server) */
  var form = document.getElementById("queue-filter");
  function filterQueue() {
    var q = form.q.value.trim().toLowerCase(), track = form.track.value, fmt = form.format.value;
    queueList.querySelectorAll(".ed-session").forEach(function (card) {
      var text = (card.dataset.title + " " + card.dataset.code + " " + card.textContent).toLowerCase();
      var show = (!q || text.indexOf(q) >= 0) && (!track || card.dataset.track === track) && (!fmt || card.dataset.format === fmt);
      card.parentElement.hidden = !show;
    });
  }
  form.addEventListener("input", filterQueue);
  form.addEventListener("change", filterQueue);

  /* changes made by someone else since the page loaded */
  function poll() {
    fetch(root.dataset.changesUrl + "?since=" + encodeURIComponent(since), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer) { return; }
        since = answer.now;
        var told = [];
        answer.sessions.forEach(function (s) {
          var card = document.getElementById("session-" + s.code);
          if (!card || card.dataset.version === s.version || (held && held.card === card)) { return; }
          apply(card, s);
          card.classList.add("is-changed-elsewhere");
          notes(card, [], [T("Changed by someone else since this page loaded.")]);
          told.push(s.title);
        });
        if (told.length) {
          changesBox.hidden = false;
          changesBox.textContent = interpolate(T("Changed by someone else: %(titles)s."), { titles: told.join(", ") }, true);
        }
      }).catch(function () {});
  }
  window.setInterval(poll, parseInt(root.dataset.pollMs || "10000", 10));
  root.editorPoll = poll;
  root.dataset.ready = "1"; // every listener is in place (the browser tests wait for it)
})();
