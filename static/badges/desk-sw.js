// The check-in desk's service worker (served by badges/offline_views.py under the desk's path,
// which prefixes self.DESK_CONFIG). It keeps the desk page and its static files so the desk opens
// with no network; the desk list lives in IndexedDB (desk-offline.js), never in this cache, and
// the offline/ endpoints always go to the network.
/* global self, caches, fetch, URL, Promise, setTimeout */
(function () {
  "use strict";
  var CONFIG = self.DESK_CONFIG;
  var NAVIGATION_TIMEOUT = 6000; // venue Wi-Fi that hangs counts as offline after this

  function isDesk(url) {
    return url.origin === self.location.origin && url.pathname === CONFIG.desk;
  }

  function saveShell(cache) {
    return fetch(CONFIG.desk, { credentials: "same-origin", redirect: "manual" }).then(function (r) {
      if (r.ok && r.type === "basic") { return cache.put(CONFIG.desk, r); }
      return null;
    }).catch(function () { return null; });
  }

  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(CONFIG.cache).then(function (cache) {
      return Promise.all([cache.addAll(CONFIG.assets), saveShell(cache)]);
    }).then(function () { return self.skipWaiting(); }));
  });

  self.addEventListener("activate", function (event) {
    var prefix = CONFIG.cache.replace(/-[0-9a-f]+$/, "-");
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(prefix) === 0 && name !== CONFIG.cache;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); }));
  });

  function signedOut() {
    return caches.delete(CONFIG.cache);
  }

  function navigate(event) {
    var url = new URL(event.request.url);
    var network = fetch(event.request).then(function (response) {
      if (response.type === "opaqueredirect") {
        return signedOut().then(function () { return response; });
      }
      if (response.ok && !url.search) {
        var copy = response.clone();
        caches.open(CONFIG.cache).then(function (cache) { cache.put(CONFIG.desk, copy); });
      }
      return response;
    });
    var fallback = function () {
      return caches.open(CONFIG.cache).then(function (cache) {
        return cache.match(CONFIG.desk);
      });
    };
    var timeout = new Promise(function (resolve) {
      setTimeout(function () { fallback().then(function (r) { if (r) { resolve(r); } }); },
        NAVIGATION_TIMEOUT);
    });
    return Promise.race([
      network.catch(function () {
        return fallback().then(function (r) { return r || Response.error(); });
      }),
      timeout,
    ]);
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method !== "GET") { return; }
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) { return; }
    if (request.mode === "navigate") {
      if (isDesk(url)) { event.respondWith(navigate(event)); }
      return;
    }
    if (CONFIG.assets.indexOf(url.pathname) === -1 && url.pathname.indexOf("/static/") !== 0) {
      return; // the desk list, key and sync: network only
    }
    event.respondWith(caches.open(CONFIG.cache).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
        if (hit) { fresh.catch(function () { return null; }); return hit; }
        return fresh;
      });
    }));
  });
})();
