{% load static %}/* Service worker of the check-in pages (/checkin/...): keeps the page and its files
 * available without a connection. The check-in list and the scan queue live in the page's
 * localStorage (checkin.js); API calls always go to the network. */
"use strict";
var CACHE = "checkin-{{ version }}";
var FILES = [
  "{% static 'css/site.css' %}",
  "{% static 'js/checkin.js' %}",
  "{% static 'vendor/qr-scanner/qr-scanner.umd.min.js' %}",
  "{% static 'vendor/qr-scanner/qr-scanner-worker.min.js' %}"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("checkin-") === 0 && name !== CACHE; }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && /^\/checkin\/\d+\/$/.test(url.pathname)) {
    // the page: fresh when the network answers, the last copy when it does not
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
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
