/* Check-in page: camera scanning, answers without a page load, and offline check-in.
 *
 * The page works as plain forms without this script. With it:
 * - the event's check-in list (ticket hashes, names, statuses) is downloaded and kept in
 *   localStorage, so tickets are checked locally when the connection drops;
 * - scans made offline wait in a queue (localStorage) and go to the offline batch API when the
 *   connection returns; each has a client id, so uploading twice is harmless;
 * - the camera scanner (vendored qr-scanner) is loaded only when staff start the camera.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var $ = function (id) { return document.getElementById(id); };
  var read = function (id) { return JSON.parse($(id).textContent); };
  var titles = read("checkin-titles");
  var endpoints = read("checkin-endpoints");
  var words = read("checkin-words");
  var SECRET = /^[A-Z2-7]{26}$/;
  var PREFIX = "EVT1:";
  var LEVEL = {
    checked_in: "ok", already_checked_in: "warn", not_confirmed: "warn",
    wrong_event: "bad", cancelled: "bad", invalid: "bad", undone: "ok", error: "bad"
  };

  function storageKey(name) { return "checkin:" + endpoints.page + ":" + name; }
  function load(name, fallback) {
    try { return JSON.parse(localStorage.getItem(storageKey(name))) || fallback; } catch (e) { return fallback; }
  }
  function save(name, value) {
    try { localStorage.setItem(storageKey(name), JSON.stringify(value)); } catch (e) { /* storage full: keep going in memory */ }
  }
  function randomId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "s-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  var device = localStorage.getItem("checkin:device");
  if (!device) { device = "web-" + randomId().slice(0, 8); localStorage.setItem("checkin:device", device); }

  // hash -> {name, status, party_size, checked_in, id}
  var list = load("list", { fetched_at: null, tickets: {} });
  var queue = load("queue", []);
  var conflicts = load("conflicts", []);
  var online = navigator.onLine;
  var syncing = false;

  /* ---- SHA-256: crypto.subtle where the page is a secure context, else a small fallback ---- */
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function sha256Fallback(text) {
    var K = [], H = [], primes = 0, candidate = 2;
    function frac(x) { return ((x - Math.floor(x)) * 4294967296) | 0; }
    while (primes < 64) {
      var isPrime = true;
      for (var f = 2; f * f <= candidate; f++) { if (candidate % f === 0) { isPrime = false; break; } }
      if (isPrime) { if (primes < 8) { H[primes] = frac(Math.pow(candidate, 1 / 2)); } K[primes] = frac(Math.pow(candidate, 1 / 3)); primes++; }
      candidate++;
    }
    var bytes = [];
    for (var i = 0; i < text.length; i++) { bytes.push(text.charCodeAt(i) & 255); }
    var bitLength = bytes.length * 8;
    bytes.push(128);
    while (bytes.length % 64 !== 56) { bytes.push(0); }
    for (i = 7; i >= 0; i--) { bytes.push(i > 3 ? 0 : (bitLength >>> (i * 8)) & 255); }
    function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (var chunk = 0; chunk < bytes.length; chunk += 64) {
      var w = [];
      for (i = 0; i < 16; i++) { w[i] = (bytes[chunk + 4 * i] << 24) | (bytes[chunk + 4 * i + 1] << 16) | (bytes[chunk + 4 * i + 2] << 8) | bytes[chunk + 4 * i + 3]; }
      for (i = 16; i < 64; i++) {
        var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], g = H[5], h2 = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & g) ^ (~e & h2)) + K[i] + w[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = h2; h2 = g; g = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + g) | 0; H[6] = (H[6] + h2) | 0; H[7] = (H[7] + h) | 0;
    }
    return H.map(function (x) { return ("00000000" + (x >>> 0).toString(16)).slice(-8); }).join("");
  }
  function sha256(text) {
    if (window.crypto && crypto.subtle && window.isSecureContext) {
      return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(hex);
    }
    return Promise.resolve(sha256Fallback(text));
  }

  /* ---- what staff see ---- */
  function showVerdict(v) {
    var box = document.createElement("div");
    box.className = "verdict " + (LEVEL[v.code] || "bad");
    box.setAttribute("data-code", v.code);
    box.appendChild(document.createTextNode(v.title || titles[v.code] || v.code));
    var lines = [];
    if (v.name) { lines.push(v.name + (v.party_size > 1 ? " · " + v.party_size + " " + words.people : "")); }
    if (v.when) { lines.push(v.when + (v.by ? " · " + v.by : "")); }
    if (v.detail) { lines.push(v.detail); }
    lines.forEach(function (line) { var small = document.createElement("small"); small.textContent = line; box.appendChild(small); });
    var holder = $("verdict");
    holder.textContent = "";
    holder.appendChild(box);
    if (navigator.vibrate) { navigator.vibrate(v.code === "checked_in" ? 80 : [60, 60, 60]); }
  }

  function renderState() {
    var badge = $("connection");
    badge.hidden = false;
    badge.className = "conn " + (online ? "online" : "offline");
    badge.textContent = online ? words.online : words.offline;
    var pending = $("queue");
    pending.hidden = false;
    pending.textContent = queue.length ? queue.length + " " + words.waiting : words.synced;
    pending.setAttribute("data-waiting", String(queue.length));
    $("offline-help").hidden = false;
  }

  function setCounts(counts) {
    Object.keys(counts).forEach(function (name) {
      var cell = document.querySelector('[data-count="' + name + '"]');
      if (cell) { cell.textContent = counts[name]; }
    });
  }
  function localCounts() {
    var counts = { checked_in: 0, registered: 0, waiting: 0 };
    Object.keys(list.tickets).forEach(function (hash) {
      var t = list.tickets[hash];
      if (t.status === "confirmed") { counts.registered++; }
      if (t.status === "waitlisted" || t.status === "offered") { counts.waiting++; }
      if (t.checked_in) { counts.checked_in++; }
    });
    return counts;
  }

  function setOnline(value) { online = value; renderState(); }

  /* ---- the downloaded list ---- */
  function entryOf(row) {
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      party_size: row.party_size || 1,
      checked_in: Boolean(row.checked_in || row.checked_in_at || row.checkin_id),
      checked_in_at: row.checked_in_at || null
    };
  }
  function fetchList() {
    var tickets = {};
    function page(url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
        if (!response.ok) { throw new Error("list " + response.status); }
        return response.json();
      }).then(function (body) {
        var rows = Array.isArray(body) ? body : (body.results || body.registrations || []);
        rows.forEach(function (row) { if (row.ticket_hash) { tickets[row.ticket_hash.toLowerCase()] = entryOf(row); } });
        if (body.next) { return page(body.next); }
      });
    }
    return page(endpoints.list).then(function () {
      // scans still waiting to upload stay checked in locally
      queue.forEach(function (scan) { if (scan.hash && tickets[scan.hash]) { tickets[scan.hash].checked_in = true; } });
      list = { fetched_at: new Date().toISOString(), tickets: tickets };
      save("list", list);
    });
  }

  /* ---- checking a code ---- */
  function normalise(text) {
    var cleaned = String(text || "").replace(/\s+/g, "").toUpperCase();
    if (cleaned.indexOf(PREFIX) === 0) { cleaned = cleaned.slice(PREFIX.length); }
    cleaned = cleaned.replace(/-/g, "");
    return SECRET.test(cleaned) ? cleaned : null;
  }

  function checkLocally(secret, hash) {
    var entry = hash && list.tickets[hash];
    if (!secret || !entry) { return { code: "invalid", detail: secret ? words.notInList : "" }; }
    var verdict = { name: entry.name, party_size: entry.party_size };
    if (entry.status === "cancelled") { verdict.code = "cancelled"; return verdict; }
    if (entry.status !== "confirmed") { verdict.code = "not_confirmed"; return verdict; }
    if (entry.checked_in) {
      verdict.code = "already_checked_in";
      if (entry.checked_in_at) { verdict.when = new Date(entry.checked_in_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
      return verdict;
    }
    entry.checked_in = true;
    entry.checked_in_at = new Date().toISOString();
    save("list", list);
    var scan = { client_scan_id: randomId(), scanned_at: entry.checked_in_at, hash: hash };
    if (secret) { scan.secret = secret; } else { scan.ticket_hash = hash; }
    queue.push(scan);
    save("queue", queue);
    verdict.code = "checked_in";
    verdict.detail = words.offlineNote;
    return verdict;
  }

  function postForm(form) {
    var data = new FormData(form);
    data.set("device", device);
    return fetch(endpoints.page, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": cookie("csrftoken") }
    }).then(function (response) {
      if (response.status >= 500) { throw new Error("server " + response.status); }  // treated like no connection
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("application/json") < 0) {
        // signed out (redirected to the login page) or refused: saying "offline" would mislead
        var refused = new Error("refused " + response.status);
        refused.refused = true;
        throw refused;
      }
      return response.json();
    });
  }

  function handleCode(raw, typed) {
    var secret = normalise(raw);
    var hashed = secret ? sha256(secret) : Promise.resolve(null);
    return hashed.then(function (hash) {
      if (online && !queue.length) {
        var form = $("code-form");
        form.elements.code.value = raw;
        form.elements.typed.value = typed ? "1" : "";
        return postForm(form).then(function (body) {
          showVerdict(body.verdict);
          setCounts(body.counts);
          var entry = hash && list.tickets[hash];
          if (entry && (body.verdict.code === "checked_in" || body.verdict.code === "already_checked_in")) {
            entry.checked_in = true; save("list", list);
          }
        }).catch(function (error) {
          if (error.refused) { showVerdict({ code: "error", detail: words.signedOut }); return; }
          setOnline(false);
          showVerdict(checkLocally(secret, hash));
          setCounts(localCounts());
          renderState();
        });
      }
      // offline, or earlier scans still queued: decide locally so the door keeps the order of scans
      showVerdict(checkLocally(secret, hash));
      setCounts(localCounts());
      renderState();
      if (online) { sync(); }
    });
  }

  /* ---- uploading the queue ---- */
  function sync() {
    if (syncing || !queue.length) { return Promise.resolve(); }
    syncing = true;
    var batch = queue.slice(0, 200).map(function (scan) {
      var item = { client_scan_id: scan.client_scan_id, scanned_at: scan.scanned_at };
      if (scan.secret) { item.secret = scan.secret; } else { item.ticket_hash = scan.ticket_hash; }
      return item;
    });
    return fetch(endpoints.batch, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": cookie("csrftoken") },
      body: JSON.stringify({ device: device, scans: batch })
    }).then(function (response) {
      if (!response.ok) { throw new Error("batch " + response.status); }
      return response.json();
    }).then(function (body) {
      var results = Array.isArray(body) ? body : (body.results || []);
      var answered = {};
      results.forEach(function (result) {
        answered[result.client_scan_id] = true;
        if (result.code !== "checked_in") { conflicts.push(result); }
      });
      queue = queue.filter(function (scan) { return !answered[scan.client_scan_id]; });
      save("queue", queue);
      save("conflicts", conflicts.slice(-50));
      setOnline(true);
      renderConflicts();
      return refresh();
    }).catch(function () {
      setOnline(false);
    }).then(function () {
      syncing = false;
      renderState();
    });
  }

  function renderConflicts() {
    if (!conflicts.length) { return; }
    var holder = $("conflicts");
    if (!holder) {
      holder = document.createElement("section");
      holder.id = "conflicts";
      $("verdict").insertAdjacentElement("afterend", holder);
    }
    holder.textContent = "";
    var heading = document.createElement("h2");
    heading.textContent = words.conflict;
    holder.appendChild(heading);
    var items = document.createElement("ul");
    conflicts.slice(-10).forEach(function (conflict) {
      var item = document.createElement("li");
      var name = conflict.registration ? conflict.registration.name + ": " : "";
      item.textContent = name + (titles[conflict.code] || conflict.code);
      items.appendChild(item);
    });
    holder.appendChild(items);
  }

  function refreshCounts() {
    return fetch(endpoints.counts, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("counts " + r.status); }
      return r.json();
    }).then(function (counts) { setCounts(counts); setOnline(true); }, function () { setOnline(false); setCounts(localCounts()); });
  }
  function refresh() {
    return fetchList().then(refreshCounts, function () { setOnline(false); setCounts(localCounts()); });
  }

  /* ---- offline search by name in the downloaded list ---- */
  function searchLocally(query) {
    query = query.trim().toLowerCase();
    var found = Object.keys(list.tickets).filter(function (hash) {
      return list.tickets[hash].name.toLowerCase().indexOf(query) >= 0;
    }).slice(0, 25);
    var holder = $("results") || document.createElement("ul");
    holder.id = "results";
    holder.className = "cards";
    holder.textContent = "";
    if (!found.length) { holder.textContent = words.nobody; }
    found.forEach(function (hash) {
      var entry = list.tickets[hash];
      var item = document.createElement("li");
      item.className = "card";
      item.textContent = entry.name + " · " + entry.status + " ";
      if (entry.status === "confirmed" && !entry.checked_in) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = words.checkIn;
        button.addEventListener("click", function () {
          showVerdict(checkLocally(null, hash));
          setCounts(localCounts());
          renderState();
          button.remove();
        });
        item.appendChild(button);
      }
      holder.appendChild(item);
    });
    document.querySelector("form[role=search]").insertAdjacentElement("afterend", holder);
  }

  /* ---- the camera ---- */
  var scanner = null;
  var lastCode = "";
  var lastAt = 0;
  function loadScanner() {
    if (window.QrScanner) { return Promise.resolve(); }
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = script.getAttribute("data-scanner");
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }
  function onScan(result) {
    var data = result && result.data !== undefined ? result.data : result;
    var now = Date.now();
    if (data === lastCode && now - lastAt < 4000) { return; }  // the same code held in front of the camera
    lastCode = data;
    lastAt = now;
    handleCode(data, false);
  }
  function startCamera() {
    var video = $("scanner-video");
    loadScanner().then(function () {
      scanner = scanner || new window.QrScanner(video, onScan, { returnDetailedScanResult: true, preferredCamera: "environment", maxScansPerSecond: 8 });
      return scanner.start();
    }).then(function () {
      video.hidden = false;
      $("camera-start").hidden = true;
      $("camera-stop").hidden = false;
    }).catch(function () {
      showVerdict({ code: "error", detail: words.cameraError });
    });
  }
  function stopCamera() {
    if (scanner) { scanner.stop(); }
    $("scanner-video").hidden = true;
    $("camera-start").hidden = false;
    $("camera-stop").hidden = true;
  }

  /* ---- wiring ---- */
  $("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = event.target.elements.code;
    var value = field.value;
    handleCode(value, true).then(function () { field.value = ""; field.focus(); });
  });
  document.querySelector("form[role=search]").addEventListener("submit", function (event) {
    if (!online) { event.preventDefault(); searchLocally(event.target.elements.q.value); }
  });
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    $("camera").hidden = false;
    $("camera-start").addEventListener("click", startCamera);
    $("camera-stop").addEventListener("click", stopCamera);
  }
  window.addEventListener("online", function () { setOnline(true); sync().then(refresh); });
  window.addEventListener("offline", function () { setOnline(false); });
  if (!navigator.onLine) {
    // a page served from the offline cache may carry an old answer
    $("verdict").textContent = "";
    setCounts(localCounts());
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/checkin/sw.js", { scope: "/checkin/" }).catch(function () { /* works without it while online */ });
  }
  renderState();
  renderConflicts();
  sync().then(refresh);
  // counts every 20 s; the whole list (hundreds of rows) every 2 minutes
  var ticks = 0;
  setInterval(function () {
    ticks++;
    if (queue.length) { sync(); } else if (online && ticks % 6 === 0) { refresh(); } else if (online) { refreshCounts(); }
  }, 20000);
  window.checkinPage = { sync: sync, refresh: refresh, state: function () { return { online: online, queue: queue.slice(), list: list }; } };
})();
