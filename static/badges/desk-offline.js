// The check-in desk offline (docs/badges.md, "Offline desk"). Once the desk is opened online by
// signed-in check-in staff, this file keeps the congress's desk list in IndexedDB, encrypted with
// AES-GCM under a key the server holds in the staff member's session, finds people by scan and by
// name locally, queues check-ins (nonce + desk clock) while the network is down and syncs them
// when it returns. Without JavaScript, or online, the desk page works as before.
/* global window, document, navigator, indexedDB, crypto, sessionStorage, caches, fetch, Intl,
   TextEncoder, TextDecoder, URL, Promise, setTimeout, setInterval */
(function () {
  "use strict";
  var root = document.getElementById("desk-offline");
  if (!root || !window.indexedDB || !window.crypto || !crypto.subtle || !window.fetch) { return; }
  var cfg = root.dataset;
  var DB_NAME = "convene-desk-" + cfg.congress;
  var KEY_NAME = "convene-desk-key:" + cfg.congress;
  var SYNC_EVERY = 30000;

  var state = {
    key: null,
    db: null,
    rows: new Map(), // delegate id -> row (decrypted, in memory only)
    byBadge: new Map(), // secret hash -> delegate id
    byRevoked: new Map(), // revoked secret hash -> delegate id
    cursor: 0,
    lastSync: null,
    queued: 0,
    reachable: true,
    syncing: false,
    signedOut: false,
  };

  // --- Text ------------------------------------------------------------------------------------
  function t(name, values) {
    var text = cfg["t" + name] || name;
    Object.keys(values || {}).forEach(function (k) {
      text = text.split("%(" + k + ")s").join(String(values[k]));
    });
    return text;
  }

  // The same normal form as registrations/search_keys.py: casefolded, accents dropped,
  // punctuation as spaces, other scripts kept as typed.
  function normalise(text) {
    return String(text || "").toLowerCase().replace(/ß/g, "ss").normalize("NFKD")
      .replace(/\p{M}/gu, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim().normalize("NFC");
  }

  var timeFormat = new Intl.DateTimeFormat(cfg.lang || undefined, {
    timeZone: cfg.tz || "UTC", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  var clockFormat = new Intl.DateTimeFormat(cfg.lang || undefined, {
    timeZone: cfg.tz || "UTC", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  function localTime(iso) { return iso ? timeFormat.format(new Date(iso)) : ""; }

  // --- IndexedDB ---------------------------------------------------------------------------------
  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function openDb() {
    var open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = function () {
      var db = open.result;
      db.createObjectStore("rows", { keyPath: "id" });
      db.createObjectStore("meta");
      db.createObjectStore("queue", { keyPath: "nonce" });
    };
    return request(open);
  }

  function done(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  }

  function getAll(storeName) {
    return request(state.db.transaction(storeName).objectStore(storeName).getAll());
  }

  function getMeta(name) {
    return request(state.db.transaction("meta").objectStore("meta").get(name));
  }

  function setMeta(values) {
    var tx = state.db.transaction("meta", "readwrite");
    Object.keys(values).forEach(function (k) { tx.objectStore("meta").put(values[k], k); });
    return done(tx);
  }

  // --- Encryption at rest ------------------------------------------------------------------------
  function b64decode(text) {
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    return Uint8Array.from(window.atob(s), function (c) { return c.charCodeAt(0); });
  }

  function importKey(raw) {
    return crypto.subtle.importKey("raw", b64decode(raw), "AES-GCM", false, ["encrypt", "decrypt"]);
  }

  function encrypt(value) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(value));
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, state.key, plain)
      .then(function (data) { return { iv: iv, data: data }; });
  }

  function decrypt(box) {
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, state.key, box.data)
      .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  function sha256(text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buf) {
      return Array.from(new Uint8Array(buf), function (b) {
        return b.toString(16).padStart(2, "0");
      }).join("");
    });
  }

  // --- Network -----------------------------------------------------------------------------------
  function isSignedOut(response) {
    return response.type === "opaqueredirect" || response.status === 401 ||
      response.status === 403;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-store" })
      .then(function (response) {
        state.reachable = true;
        if (isSignedOut(response)) { return wipe().then(function () { throw new Error("signed out"); }); }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }, function (error) { state.reachable = false; throw error; });
  }

  function fetchKey() {
    return getJson(cfg.keyUrl).then(function (answer) {
      sessionStorage.setItem(KEY_NAME, answer.key);
      return answer.key;
    });
  }

  // Online, the key is always the session's (a new sign-in has a new one); offline, the copy
  // this tab kept.
  function loadKey() {
    var kept = sessionStorage.getItem(KEY_NAME);
    var got = fetchKey().catch(function (error) {
      if (kept && !state.reachable) { return kept; }
      throw error;
    });
    return got.then(importKey).then(function (key) { state.key = key; });
  }

  // The browser's copy goes with the sign-in: what is not synced yet stays (ids, times and
  // hashes only) so that no check-in is lost; everything else is deleted.
  function wipe() {
    sessionStorage.removeItem(KEY_NAME);
    state.rows = new Map();
    state.byBadge = new Map();
    state.byRevoked = new Map();
    var work = [];
    if (window.caches) {
      work.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) {
          return n.indexOf("convene-desk-" + cfg.congress + "-") === 0;
        }).map(function (n) { return caches.delete(n); }));
      }));
    }
    if (state.db) {
      var tx = state.db.transaction(["rows", "meta"], "readwrite");
      tx.objectStore("rows").clear();
      tx.objectStore("meta").clear();
      work.push(done(tx));
    }
    state.signedOut = true;
    state.key = null; // nothing more is synced or stored under it
    return Promise.all(work).then(function () { show(); });
  }

  // --- The list in memory ------------------------------------------------------------------------
  function remember(row) {
    var old = state.rows.get(row.id);
    if (old && old.badge) { state.byBadge.delete(old.badge); }
    if (old) { (old.revoked || []).forEach(function (h) { state.byRevoked.delete(h); }); }
    row.key = normalise([row.name, row.given, row.family, row.latin, row.org].join(" "));
    state.rows.set(row.id, row);
    if (row.badge) { state.byBadge.set(row.badge, row.id); }
    (row.revoked || []).forEach(function (h) { state.byRevoked.set(h, row.id); });
  }

  function forget(id) {
    var old = state.rows.get(id);
    if (!old) { return; }
    if (old.badge) { state.byBadge.delete(old.badge); }
    state.rows.delete(id);
  }

  function loadRows() {
    return getAll("rows").then(function (boxes) {
      return Promise.all(boxes.map(function (box) { return decrypt(box.box); }));
    }).then(function (rows) {
      rows.forEach(remember);
      return getAll("queue");
    }).then(function (queue) {
      // A check-in queued here shows at once, before it is synced.
      queue.forEach(function (item) { markLocal(item); });
      state.queued = countCheckIns(queue);
    });
  }

  // Refused scans are queued too (to be logged on the server) but are not check-ins.
  function countCheckIns(queue) {
    return queue.filter(function (item) { return item.kind !== "refusal"; }).length;
  }

  function markLocal(item) {
    if (item.kind === "refusal") { return; }
    var row = state.rows.get(item.delegate);
    if (row && !row.checked_in_at) {
      row.checked_in_at = item.at;
      row.desk = item.desk;
      row.queued = true;
    }
  }

  function storeRows(rows, removed) {
    return Promise.all(rows.map(function (row) {
      return encrypt(row).then(function (box) { return { id: row.id, box: box }; });
    })).then(function (boxes) {
      var tx = state.db.transaction("rows", "readwrite");
      boxes.forEach(function (b) { tx.objectStore("rows").put(b); });
      removed.forEach(function (id) { tx.objectStore("rows").delete(id); });
      return done(tx);
    }).then(function () {
      rows.forEach(remember);
      removed.forEach(forget);
    });
  }

  // --- Sync --------------------------------------------------------------------------------------
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return cfg.csrf || (input ? input.value : "");
  }

  function push() {
    return getAll("queue").then(function (queue) {
      if (!queue.length) { return null; }
      var batch = queue.slice(0, 100);
      var body = JSON.stringify({ items: batch.map(function (item) {
        if (item.kind === "refusal") { return item; }
        return { nonce: item.nonce, delegate: item.delegate, at: item.at, desk: item.desk,
          badge: item.badge || null };
      }) });
      return fetch(cfg.syncUrl, {
        method: "POST", credentials: "same-origin", redirect: "manual", body: body,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      }).then(function (response) {
        state.reachable = true;
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }, function (error) { state.reachable = false; throw error; }).then(function (answer) {
        var tx = state.db.transaction("queue", "readwrite");
        answer.results.forEach(function (result, i) {
          var item = batch[i];
          tx.objectStore("queue").delete(item.nonce);
          if (item.kind !== "refusal") { notice(result, item); }
        });
        return done(tx).then(function () {
          state.queued = countCheckIns(queue.slice(batch.length));
          if (queue.length > batch.length) { return push(); }
          return null;
        });
      });
    });
  }

  function notice(result, item) {
    var row = state.rows.get(item.delegate) || { name: "#" + item.delegate };
    if (row.queued) { row.queued = false; }
    if (result.checked_in) {
      row.checked_in_at = result.checked_in.at;
      row.desk = result.checked_in.desk;
    }
    var text = null;
    if (result.status === "already" && result.checked_in) {
      text = t("Elsewhere", { name: row.name, desk: result.checked_in.desk || "?",
        time: localTime(result.checked_in.at) });
    } else if (result.status === "earlier") {
      text = t("Earlier", { name: row.name });
    } else if (result.status === "refused" || result.status === "invalid") {
      text = t("Refused", { name: row.name, message: result.message });
      row.checked_in_at = null;
    }
    if (!text) { return; }
    var list = document.getElementById("desk-notices");
    var li = document.createElement("li");
    li.className = { already: "notice-warn", earlier: "notice-info" }[result.status] ||
      "notice-bad";
    li.setAttribute("dir", "auto");
    li.textContent = text;
    list.appendChild(li);
  }

  function pull(pages) {
    return getJson(cfg.listUrl + "?since=" + state.cursor).then(function (page) {
      if (page.reset) { // the server's list started again: so does this copy
        state.cursor = 0;
        var ids = Array.from(state.rows.keys());
        return storeRows([], ids).then(function () { return pull(pages); });
      }
      return storeRows(page.rows, page.removed).then(function () {
        state.cursor = page.cursor;
        return setMeta({ cursor: page.cursor });
      }).then(function () {
        if (page.more && pages < 200) { return pull(pages + 1); }
        return null;
      });
    });
  }

  function sync() {
    if (state.syncing) { return state.syncing; } // the sync under way, for whoever waits on it
    if (!state.key) { return Promise.resolve(); }
    show("syncing");
    state.syncing = push().then(function () { return pull(1); }).then(function () {
      state.lastSync = new Date().toISOString();
      return setMeta({ lastSync: state.lastSync });
    }).catch(function () { return null; }).then(function () {
      state.syncing = false;
      show();
    });
    return state.syncing;
  }

  // --- Queue a check-in --------------------------------------------------------------------------
  function newNonce() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function queueCheckIn(row, scanned) {
    var deskInput = document.getElementById("offline-desk");
    var desk = deskInput ? deskInput.value.slice(0, 60) : (cfg.desk || "");
    var item = { nonce: newNonce(), delegate: row.id, at: new Date().toISOString(), desk: desk,
      badge: scanned || null };
    var tx = state.db.transaction("queue", "readwrite");
    tx.objectStore("queue").put(item);
    return done(tx).then(function () {
      state.queued += 1;
      markLocal(item);
      verdict(row, { justCheckedIn: true });
      show();
      if (navigator.onLine && state.reachable) { sync(); }
    });
  }

  // A scan said no to offline goes to the server's refused-scans log when the network returns,
  // once (its nonce). A full badge code is kept as its first characters only, as online.
  var SECRET = /^[A-Za-z0-9_-]{43}$/;
  function queueRefusal(reason, code, row) {
    var text = String(code || "").trim();
    var item = { kind: "refusal", nonce: newNonce(), at: new Date().toISOString(),
      desk: cfg.desk || "", reason: reason,
      scanned: SECRET.test(text) ? text.slice(0, 4) + "…" : String(code || "").slice(0, 200),
      delegate: row ? row.id : null, problem: row && row.problem ? row.problem : "" };
    var tx = state.db.transaction("queue", "readwrite");
    tx.objectStore("queue").put(item);
    return done(tx).catch(function () { return null; });
  }

  // --- What the desk shows -----------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function clearPanel() {
    var panel = document.getElementById("offline-panel");
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.hidden = false;
    document.querySelectorAll("#verdict, .results").forEach(function (node) { node.hidden = true; });
    return panel;
  }

  function verdict(row, options) {
    var panel = clearPanel();
    var kind = row.problem ? "verdict-bad" : (row.checked_in_at && !options.justCheckedIn ?
      "verdict-warn" : "verdict-ok");
    var box = el("div", "verdict " + kind);
    box.id = "offline-verdict";
    box.setAttribute("role", "alert");
    var head;
    if (row.problem) { head = "✖ " + t("MayNot") + ": " + row.problem_label; }
    else if (options.justCheckedIn) { head = "✔ " + t("CheckedIn"); }
    else if (row.checked_in_at) { head = "⚠ " + t("Already"); }
    else { head = "✔ " + t("May"); }
    box.appendChild(el("p", "verdict-head", head));
    var name = el("p", "person-name", row.name);
    name.setAttribute("dir", "auto");
    box.appendChild(name);
    if (row.latin && row.latin !== row.name) { box.appendChild(el("p", "muted", row.latin)); }
    var org = el("p", "", [row.org, row.type].filter(Boolean).join(" · "));
    org.setAttribute("dir", "auto");
    box.appendChild(org);
    if (row.checked_in_at) {
      box.appendChild(el("p", "checked-in-at", t("CheckedAt", {
        time: localTime(row.checked_in_at), desk: row.desk || "?" })));
    }
    if (row.queued) { box.appendChild(el("p", "muted", t("QueuedNote"))); }
    if (!row.problem && !row.checked_in_at) {
      var label = el("label", "desk-label", t("Desk") + " ");
      var input = el("input");
      input.id = "offline-desk";
      input.size = 6;
      input.value = cfg.desk || "";
      label.appendChild(input);
      box.appendChild(label);
      var button = el("button", "big ok", t("CheckInButton"));
      button.type = "button";
      button.id = "offline-checkin";
      button.addEventListener("click", function () {
        button.disabled = true;
        queueCheckIn(row, options.scanned);
      });
      box.appendChild(button);
    }
    panel.appendChild(box);
  }

  function invalid(message) {
    var panel = clearPanel();
    var box = el("div", "verdict verdict-bad");
    box.id = "offline-verdict";
    box.setAttribute("role", "alert");
    box.appendChild(el("p", "verdict-head", "✖ " + t("NotValid")));
    box.appendChild(el("p", "", message));
    panel.appendChild(box);
  }

  function scanLocally(code) {
    var text = String(code || "").trim();
    return sha256(text).then(function (hash) {
      var id = state.byBadge.get(hash);
      if (id !== undefined) {
        var row = state.rows.get(id);
        if (row.problem) { queueRefusal("not_allowed_to_enter", text, row); }
        else if (row.checked_in_at) { queueRefusal("already_checked_in", text, row); }
        return verdict(row, { scanned: hash });
      }
      if (state.byRevoked.has(hash)) {
        queueRefusal("badge_revoked", text, state.rows.get(state.byRevoked.get(hash)));
        return invalid(t("Revoked"));
      }
      queueRefusal(SECRET.test(text) ? "badge_unknown" : "badge_not_valid", code, null);
      return invalid(t("Unknown"));
    });
  }

  function searchLocally(query) {
    var words = normalise(query).split(" ").filter(Boolean);
    var panel = clearPanel();
    if (normalise(query).length < 2) { return; }
    var found = [];
    state.rows.forEach(function (row) {
      if (words.every(function (w) { return row.key.indexOf(w) !== -1; })) { found.push(row); }
    });
    found.sort(function (a, b) {
      return (a.family + " " + a.given).localeCompare(b.family + " " + b.given) || a.id - b.id;
    });
    var section = el("section", "card");
    if (!found.length) { section.appendChild(el("p", "", t("Nobody"))); }
    var list = el("ul", "results offline-results");
    found.slice(0, 25).forEach(function (row) {
      var li = el("li", row.problem ? "result-bad" : (row.checked_in_at ? "result-done" : ""));
      var button = el("button", "link-button result-name", row.name);
      button.type = "button";
      button.setAttribute("dir", "auto");
      button.addEventListener("click", function () { verdict(row, {}); });
      li.appendChild(button);
      var org = el("span", "muted", [row.latin, row.org].filter(Boolean).join(" · "));
      org.setAttribute("dir", "auto");
      li.appendChild(org);
      if (row.problem) { li.appendChild(el("span", "status-bad", row.problem_label)); }
      else if (row.checked_in_at) {
        li.appendChild(el("span", "status-warn", t("CheckedInShort") + " " +
          clockFormat.format(new Date(row.checked_in_at))));
      }
      list.appendChild(li);
    });
    if (found.length) { section.appendChild(list); }
    panel.appendChild(section);
  }

  function offline() { return !navigator.onLine || !state.reachable; }

  function show(mode) {
    var line = document.getElementById("desk-state");
    var parts = [];
    if (state.signedOut) { line.textContent = t("SignedOut"); return; }
    parts.push(offline() ? t("Offline") : t("Online"));
    if (state.queued) { parts.push(t("Queued", { count: state.queued })); }
    if (mode === "syncing") { parts.push(t("Syncing")); }
    parts.push(state.lastSync ? t("LastSync", { time: localTime(state.lastSync) }) : t("Never"));
    if (state.rows.size) { parts.push(t("Ready", { count: state.rows.size })); }
    line.textContent = parts.join(" · ");
    root.dataset.state = offline() ? "offline" : "online";
    root.dataset.queued = String(state.queued);
  }

  // --- Wire the desk's forms ---------------------------------------------------------------------
  function intercept() {
    var scanForm = document.getElementById("scan-form");
    var searchForm = document.querySelector("form.checkin-search");
    if (scanForm) {
      scanForm.addEventListener("submit", function (event) {
        if (!offline() || !state.rows.size) { return; }
        event.preventDefault();
        var scan = document.getElementById("scan");
        scanLocally(scan.value);
        scan.value = ""; // ready for the next badge (a scanner types and presses Enter)
        scan.focus();
      });
    }
    if (searchForm) {
      searchForm.addEventListener("submit", function (event) {
        if (!offline() || !state.rows.size) { return; }
        event.preventDefault();
        searchLocally(document.getElementById("search").value);
      });
    }
    // The page came from the service worker's copy (a form submitted by a script while
    // offline): answer what its address asks, locally.
    var params = new URL(window.location.href).searchParams;
    if (!document.getElementById("verdict") && !document.querySelector(".results") &&
        offline() && state.rows.size) {
      if (params.get("code")) { scanLocally(params.get("code")); }
      else if (params.get("q")) { searchLocally(params.get("q")); }
      else if (state.rows.has(Number(params.get("delegate")))) {
        verdict(state.rows.get(Number(params.get("delegate"))), {});
      }
    }
  }

  // --- Signing out with check-ins not synced -------------------------------------------------
  // Signing out wipes this device's copy, the queue included: ask first while it holds
  // check-ins (refusals alone do not stop anyone). Without JavaScript the form signs out.
  function guardSignOut() {
    var form = document.getElementById("desk-sign-out");
    if (!form) { return; }
    var anyway = false;
    form.addEventListener("submit", function (event) {
      if (anyway || !state.db) { return; }
      event.preventDefault();
      getAll("queue").then(countCheckIns, function () { return 0; }).then(function (count) {
        if (!count) { anyway = true; form.submit(); return; }
        warnSignOut(form, count, function () { anyway = true; form.submit(); });
      });
    });
  }

  function warnSignOut(form, count, signOut) {
    var old = document.getElementById("sign-out-warning");
    if (old) { old.parentNode.removeChild(old); }
    var box = el("div", "verdict verdict-warn sign-out-warning");
    box.id = "sign-out-warning";
    box.setAttribute("role", "alert");
    var text = el("p", "", t("Unsynced", { count: count }));
    box.appendChild(text);
    var syncButton = el("button", "big ok", t("SyncNow"));
    syncButton.type = "button";
    syncButton.id = "sign-out-sync";
    syncButton.addEventListener("click", function () {
      syncButton.disabled = true;
      state.reachable = true;
      sync().then(function () { return getAll("queue"); }).then(function (queue) {
        syncButton.disabled = false;
        var left = countCheckIns(queue);
        text.textContent = left ? t("Unsynced", { count: left }) : t("AllSynced");
      });
    });
    var outButton = el("button", "big", t("SignOutAnyway"));
    outButton.type = "button";
    outButton.id = "sign-out-anyway";
    outButton.addEventListener("click", signOut);
    box.appendChild(syncButton);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(outButton);
    form.parentNode.insertBefore(box, form);
    syncButton.focus();
  }

  function start() {
    guardSignOut();
    if (navigator.serviceWorker && cfg.swUrl) {
      navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.deskUrl }).catch(function () {
        return null;
      });
    }
    show();
    return openDb().then(function (db) {
      state.db = db;
      return Promise.all([getMeta("cursor"), getMeta("lastSync"), getMeta("probe")]);
    }).then(function (meta) {
      state.cursor = meta[0] || 0;
      state.lastSync = meta[1] || null;
      return loadKey().then(function () {
        // Rows kept under another sign-in's key cannot be read: start the list again.
        if (!meta[2]) { return null; }
        return decrypt(meta[2]).then(function () { return null; }, function () {
          state.cursor = 0;
          var tx = state.db.transaction(["rows", "meta"], "readwrite");
          tx.objectStore("rows").clear();
          tx.objectStore("meta").clear();
          return done(tx);
        });
      });
    }).then(function () {
      return encrypt({ probe: true }).then(function (box) { return setMeta({ probe: box }); });
    }).then(loadRows).then(function () {
      intercept();
      show();
      window.addEventListener("online", function () { state.reachable = true; show(); sync(); });
      window.addEventListener("offline", function () { show(); });
      setInterval(function () { if (navigator.onLine) { sync(); } }, SYNC_EVERY);
      if (navigator.onLine) { return sync(); }
      return null;
    }).then(function () {
      root.dataset.ready = "1";
    }).catch(function () {
      root.dataset.ready = "0";
      show();
      if (root.dataset.state === "offline" && !state.key) {
        document.getElementById("desk-state").textContent = t("NeedsOnline");
      }
    });
  }

  start();
})();
