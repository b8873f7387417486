{% load static %}/* Service worker of the check-in pages (/checkin/...): keeps the page and its files
 * available without a connection. The check-in list and the scan queue live in the page's
 * localStorage (checkin.js); API calls always go to the network.
 *
 * The first visit is not controlled by this worker (it is installed during that visit), so
 * the page tells the worker its URL ("keep-page") and the worker fetches and keeps a copy at
 * once: one online visit is enough for the page to open offline. Later visits refresh that
 * copy as they pass. */
"use strict";
var CACHE = "checkin-{{ version }}";
var FILES = [{% for name in files %}
  "{% static name %}"{% if not forloop.last %},{% endif %}{% endfor %}
];
var PAGE = /^\/checkin\/\d+\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("checkin-") === 0 && name !== CACHE; }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  // a redirect (signed out: the login page) or an error page must not replace the door
  var type = response.headers.get("Content-Type") || "";
  return response.ok && !response.redirected && type.indexOf("text/html") === 0;
}

function refused(response) {
  // a navigation's redirect (to the sign-in page) is opaque to the worker
  return response.type === "opaqueredirect" || response.redirected || response.status === 401 || response.status === 403;
}

function keepPage(path) {
  // the copy for offline use: the server leaves out the answer of the moment and any search
  var request = new Request(path, { credentials: "same-origin", headers: { "{{ offline_copy_header }}": "1" } });
  return fetch(request).then(function (response) {
    if (!keepable(response)) { return false; }
    return caches.open(CACHE).then(function (cache) { return cache.put(path, response); }).then(function () { return true; });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  if (data.type !== "keep-page" || typeof data.path !== "string" || !PAGE.test(data.path)) { return; }
  var kept = caches.match(data.path).then(function (found) {
    return found ? true : keepPage(data.path);
  }).catch(function () { return false; });
  event.waitUntil(kept.then(function (ok) { if (port) { port.postMessage({ kept: ok }); } }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && PAGE.test(url.pathname)) {
    // the page: fresh when the network answers, the kept copy when it does not
    event.respondWith(fetch(request).then(function (response) {
      if (!url.search && keepable(response)) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); }));
      } else if (refused(response)) {
        // signed out, or no longer staff of this door: the copy must not open it offline
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.delete(url.pathname); }));
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (cached) { return cached || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf("{% get_static_prefix %}") === 0) {
    event.respondWith(caches.match(request).then(function (cached) { return cached || fetch(request); }));
  }
});
