/* Check-in page: camera scanning, answers without a page load, and offline check-in.
 *
 * The page works as plain forms without this script. With it:
 * - the page asks the service worker (/checkin/sw.js) to keep a copy of itself and its files
 *   on the first visit, so it opens without a connection after one online visit;
 * - the event's check-in list (ticket hashes, ids, names, statuses, party sizes) is downloaded
 *   and kept in localStorage, so tickets are checked, and people found by name, locally when
 *   the connection drops;
 * - check-ins made offline (a scanned code, or a person found by name: the registration id)
 *   wait in a queue (localStorage) and go to the offline batch API when the connection
 *   returns; each has a client id, so uploading twice is harmless; conflicts say who checked
 *   the person in, on which device and when;
 * - the door opens and closes, and offline scans are dated, by the server's time: the device's
 *   clock corrected by the Date of the server's answers (the offset is kept for offline use);
 * - the camera scanner (vendored qr-scanner) is loaded only when staff start the camera; a
 *   code held in front of it is checked once.
 * Every word shown comes from the server, translated (json_script "checkin-words").
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var $ = function (id) { return document.getElementById(id); };
  var read = function (id) { return JSON.parse($(id).textContent); };
  var titles = read("checkin-titles");
  var endpoints = read("checkin-endpoints");
  var words = read("checkin-words");
  var foldedLetters = read("checkin-folding");
  var SECRET = /^[A-Z2-7]{26}$/;
  var PREFIX = "EVT1:";
  var LEVEL = {
    checked_in: "ok", already_checked_in: "warn", not_confirmed: "warn", throttled: "warn",
    wrong_event: "bad", cancelled: "bad", invalid: "bad", empty_code: "warn", bad_scan_time: "bad", door_closed: "bad", undone: "ok",
    // not a code at all (another QR code, a typo): scan or type it again; no longer in the list: download it again
    not_a_ticket: "warn", unknown_registration: "bad", attendance_final: "bad", undo_refused: "bad",
    error: "bad"
  };
  // the same code seen again within this time (a ticket held in front of the camera) is not checked again
  var REPEAT_MS = 10000;
  var PENDING = "throttled";  // a batch answer that decides nothing: the scan stays queued

  /* ---- the server's time ---- */
  // A phone's clock may be wrong (set by hand, or after a flat battery): the door opens and
  // closes, and offline scans are dated, by the server's time, learnt from the Date of each of its
  // answers and kept (for a page opened later without a connection) as this device's offset.
  var CLOCK_OFFSET = "checkin:clock-offset";
  var clockOffset = Number(localStorage.getItem(CLOCK_OFFSET)) || 0;
  function now() { return Date.now() + clockOffset; }
  function nowIso() { return new Date(now()).toISOString(); }
  function learnClock(response, sentAt) {
    var said = Date.parse(response.headers.get("Date") || "");
    var trip = Date.now() - sentAt;
    // a trip this device timed as negative or longer than 10 s is no measurement: its clock moved
    // while the request was out (set by hand, or by the network), or the answer was too slow to date
    if (isNaN(said) || trip < 0 || trip > 10000) { return; }
    // the header counts whole seconds: the server's moment is half a second later on average;
    // a difference of a second or two is that rounding and the trip, not a wrong clock
    var offset = said + 500 - (sentAt + Date.now()) / 2;
    offset = Math.abs(offset) < 2000 ? 0 : Math.round(offset);
    if (offset === clockOffset) { return; }
    clockOffset = offset;
    try { localStorage.setItem(CLOCK_OFFSET, String(offset)); } catch (e) { /* kept in memory only */ }
    renderDoor();
  }
  // every request to the server: its answer corrects the clock
  function ask(url, options) {
    var sentAt = Date.now();
    return fetch(url, options).then(function (response) { learnClock(response, sentAt); return response; });
  }

  function plural(forms, n) { return forms[n === 1 ? 0 : 1].replace("%(count)s", n); }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, name) { return values[name] === undefined ? whole : values[name]; });
  }
  // when someone was let in, as the server writes it (registrations.pages.door_clock): the time of
  // day in the event's zone, with the day when that was not today there, in the page's language's
  // formats (words.clock: Django's format letters j d n m Y H G i, and the months' names)
  function partsOf(moment) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", {
        timeZone: endpoints.timezone, hourCycle: "h23",
        year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric"
      }).formatToParts(moment).forEach(function (part) { parts[part.type] = Number(part.value); });
    } catch (e) {
      parts = { year: moment.getFullYear(), month: moment.getMonth() + 1, day: moment.getDate(), hour: moment.getHours(), minute: moment.getMinutes() };
    }
    return parts;
  }
  function written(format, at) {
    var two = function (n) { return ("0" + n).slice(-2); };
    var letters = { j: at.day, d: two(at.day), n: at.month, m: two(at.month), Y: at.year, H: two(at.hour), G: at.hour, i: two(at.minute) };
    var text = "";
    for (var i = 0; i < format.length; i++) {
      var letter = format.charAt(i);
      if (letter === "\\") { i++; text += format.charAt(i); continue; }
      if (letters[letter] !== undefined) { text += letters[letter]; continue; }
      var names = words.clock.months[letter];
      text += names ? names[at.month - 1] : letter;
    }
    return text;
  }
  function clock(iso) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) { return ""; }
    var at = partsOf(moment);
    var today = partsOf(new Date(now()));
    var sameDay = at.year === today.year && at.month === today.month && at.day === today.day;
    return written(sameDay ? words.clock.today : words.clock.otherDay, at);
  }
  // "at 13:00 by Aysel Mammadova", as the server's answer says it (registrations.pages.checked_in_line);
  // "at 13:00 on this device" for a check-in of this device not uploaded yet
  function checkedInLine(entry) {
    var when = entry.checked_in_at ? clock(entry.checked_in_at) : (entry.checked_in_when || "");
    if (!when) { return ""; }
    if (entry.checked_in_here) { return fill(words.checkedInHere, { when: when }); }
    return fill(words.checkedInAt, { when: when, by: entry.checked_in_by || words.someone });
  }

  function storageKey(name) { return "checkin:" + endpoints.page + ":" + name; }
  function load(name, fallback) {
    try { return JSON.parse(localStorage.getItem(storageKey(name))) || fallback; } catch (e) { return fallback; }
  }
  function save(name, value) {
    try { localStorage.setItem(storageKey(name), JSON.stringify(value)); } catch (e) { /* storage full: keep going in memory */ }
  }
  // the names of this door's list stay on the phone only while its user may work the door;
  // scans waiting to upload stay (signed in again, they sync; refused, they say so)
  function forget() {
    try { localStorage.removeItem(storageKey("list")); } catch (e) { /* storage unavailable: nothing kept */ }
    list = { fetched_at: null, tickets: {} };
  }
  function randomId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "s-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  // a page opened from the offline copy carries the tokens of the day it was kept: the
  // cookie is the current one, so forms and requests use it
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return cookie("csrftoken") || (field ? field.value : "");
  }
  function refreshCsrfFields() {
    var token = cookie("csrftoken");
    if (!token) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("input[name=csrfmiddlewaretoken]"), function (field) { field.value = token; });
  }

  var device = localStorage.getItem("checkin:device");
  if (!device) { device = "web-" + randomId().slice(0, 8); localStorage.setItem("checkin:device", device); }

  // hash -> {name, status, party_size, checked_in, checked_in_at, checked_in_by, id}
  var list = load("list", { fetched_at: null, tickets: {} });
  var queue = load("queue", []);
  var conflicts = load("conflicts", []);
  var online = navigator.onLine;
  var syncing = false;
  var pageKept = false;
  var shown = null;  // the verdict on screen

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
  function verdictBox(v) {
    var box = document.createElement("div");
    box.className = "verdict " + (LEVEL[v.code] || "bad");
    box.setAttribute("data-code", v.code);
    if (v.scan) { box.setAttribute("data-scan", v.scan); }
    box.appendChild(document.createTextNode(v.title || titles[v.code] || v.code));
    var lines = [];
    if (v.name) { lines.push(v.name + (v.party_size > 1 ? " · " + plural(words.people, v.party_size) : "")); }
    if (v.line) { lines.push(v.line); }
    if (v.detail) { lines.push(v.detail); }
    lines.forEach(function (line) { var small = document.createElement("small"); small.textContent = line; box.appendChild(small); });
    return box;
  }
  function showVerdict(v, quiet) {
    shown = v;
    var box = verdictBox(v);
    var holder = $("verdict");
    holder.textContent = "";
    holder.appendChild(box);
    if (!quiet && navigator.vibrate) { navigator.vibrate(v.code === "checked_in" ? 80 : [60, 60, 60]); }
    return v;
  }
  // the answer to a button on a search result, on that result's row (as the server draws it after
  // its form): focused, so a phone shows it where the staff member pressed, not at the top
  function showAtRow(id, v) {
    var row = $("result-" + id);
    if (!row) { return showVerdict(v); }
    shown = v;
    Array.prototype.forEach.call(row.querySelectorAll(".row-verdict"), function (old) { old.remove(); });
    var holder = document.createElement("div");
    holder.className = "row-verdict";
    holder.setAttribute("role", "status");
    holder.appendChild(verdictBox(v));
    row.insertBefore(holder, row.firstChild);
    $("verdict").textContent = "";
    row.focus();
    if (navigator.vibrate) { navigator.vibrate(v.code === "checked_in" ? 80 : [60, 60, 60]); }
    return v;
  }
  function clearVerdict() {
    shown = null;
    $("verdict").textContent = "";
    Array.prototype.forEach.call(document.querySelectorAll(".row-verdict"), function (old) { old.remove(); });
  }

  function renderState() {
    var badge = $("connection");
    badge.hidden = false;
    badge.className = "conn " + (online ? "online" : "offline");
    badge.textContent = online ? words.online : words.offline;
    var pending = $("queue");
    pending.hidden = false;
    pending.textContent = queue.length ? plural(words.waiting, queue.length) : words.synced;
    pending.setAttribute("data-waiting", String(queue.length));
    $("offline-help").hidden = false;
  }

  function setCounts(counts) {
    Object.keys(counts).forEach(function (name) {
      var cell = document.querySelector('[data-count="' + name + '"]');
      if (cell) { cell.textContent = counts[name]; }
      var label = document.querySelector('[data-plural="' + name + '"]');
      if (label && words[label.getAttribute("data-words")]) { label.textContent = plural(words[label.getAttribute("data-words")], counts[name]); }
    });
  }
  function localCounts() {
    var counts = { checked_in: 0, checked_in_people: 0, registered: 0, registered_people: 0, waiting: 0, waiting_people: 0 };
    Object.keys(list.tickets).forEach(function (hash) {
      var t = list.tickets[hash];
      var people = t.party_size || 1;
      if (t.status === "confirmed") { counts.registered++; counts.registered_people += people; }
      if (t.status === "waitlisted" || t.status === "offered") { counts.waiting++; counts.waiting_people += people; }
      if (t.checked_in) { counts.checked_in++; counts.checked_in_people += people; }
    });
    return counts;
  }

  // an answer that arrives after the browser lost its connection does not make the page online
  function setOnline(value) { online = value && navigator.onLine; if (online) { refreshCsrfFields(); } renderState(); }

  /* ---- the downloaded list ---- */
  function entryOf(row) {
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      party_size: row.party_size || 1,
      // who comes with them, as the list has it: tells two people of one name apart offline (the
      // list carries no email address)
      party_names: Array.isArray(row.party_names) ? row.party_names : [],
      checked_in: Boolean(row.checked_in || row.checked_in_at || row.checkin_id),
      checked_in_at: row.checked_in_at || null,
      // who let them in, as the server names them ("an erased account" included): the same
      // answer offline as online
      checked_in_by: row.checked_in_by || "",
      checked_in_here: false
    };
  }
  function fetchList() {
    var tickets = {};
    function page(url) {
      return ask(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
        if (response.status === 401 || response.status === 403) { forget(); throw refusal(); }  // signed out, or no longer staff here
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
      queue.forEach(function (scan) {
        var entry = scan.hash && tickets[scan.hash];
        if (entry && !entry.checked_in) {
          entry.checked_in = true;
          entry.checked_in_at = scan.scanned_at;
          entry.checked_in_here = true;
        }
      });
      list = { fetched_at: nowIso(), tickets: tickets };
      save("list", list);
    });
  }

  /* ---- checking a code, or a person found by name, against the list ---- */
  function normalise(text) {
    var cleaned = String(text || "").replace(/\s+/g, "").toUpperCase();
    if (cleaned.indexOf(PREFIX) === 0) { cleaned = cleaned.slice(PREFIX.length); }
    cleaned = cleaned.replace(/-/g, "");
    return SECRET.test(cleaned) ? cleaned : null;
  }

  // the server's rule (door_window) by the server's time (this device's clock, corrected): "before"
  // it opens, "open", "after" it closed; a cancelled event's door never opens ("cancelled", as the
  // page says from the server)
  function doorState() {
    if (endpoints.cancelled) { return "cancelled"; }
    var moment = now();
    if (moment < Date.parse(endpoints.opens_at)) { return "before"; }
    return moment > Date.parse(endpoints.closes_at) ? "after" : "open";
  }
  function doorOpen() { return doorState() === "open"; }
  // closed, the page offers no scanner, check-in or walk-in (the server would answer door_closed),
  // and its notice says why once. Drawn again every 20 s: a page kept open, or opened from the
  // offline copy kept while the door was closed, follows the clock
  function renderDoor() {
    var state = doorState();
    var notice = $("door-closed");
    notice.hidden = state === "open";
    Array.prototype.forEach.call(notice.querySelectorAll("[data-door]"), function (part) { part.hidden = part.getAttribute("data-door") !== state; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-door-action]"), function (action) { action.hidden = state !== "open"; });
    if (state !== "open" && scanner && !$("scanner-video").hidden) { stopCamera(); }
  }

  // `ticket` names the ticket for the server: {secret} when scanned or typed, {registration}
  // (the list's id) when staff found the person by name
  function admitLocally(hash, ticket) {
    var entry = list.tickets[hash];
    var verdict = { name: entry.name, party_size: entry.party_size };
    // the server's rule (door_window): nothing is queued that it would refuse as outside the event
    if (!doorOpen()) { verdict.code = "door_closed"; return verdict; }
    if (entry.status === "cancelled") { verdict.code = "cancelled"; return verdict; }
    if (entry.status !== "confirmed") { verdict.code = "not_confirmed"; return verdict; }
    if (entry.checked_in) {
      verdict.code = "already_checked_in";
      verdict.line = checkedInLine(entry);
      return verdict;
    }
    entry.checked_in = true;
    entry.checked_in_at = nowIso();
    entry.checked_in_by = "";
    entry.checked_in_here = true;  // this device: the server names its account once synced
    save("list", list);
    var scan = { client_scan_id: randomId(), scanned_at: entry.checked_in_at, hash: hash };
    if (ticket.secret) { scan.secret = ticket.secret; } else { scan.registration = ticket.registration; }
    queue.push(scan);
    save("queue", queue);
    verdict.code = "checked_in";
    verdict.detail = words.offlineNote;
    verdict.scan = scan.client_scan_id;
    return verdict;
  }
  function checkLocally(secret, hash) {
    // what cannot be a code is told apart from a code the list does not hold, as the server does
    if (!secret) { return { code: "not_a_ticket" }; }
    if (!hash || !list.tickets[hash]) { return { code: "invalid", detail: words.notInList }; }
    return admitLocally(hash, { secret: secret });
  }
  function afterLocalCheck(verdict, row) {
    if (row) { showAtRow(row, verdict); } else { showVerdict(verdict); }
    setCounts(localCounts());
    renderState();
    return verdict;
  }

  /* ---- counts that never go back ---- */
  // Every door action (a scan, a name, an upload of the queue) changes the counts. A counts
  // answer is applied only when no other action was under way from the moment it was asked
  // until it arrived: the server may have counted before that action, and an answer arriving
  // after the action's own would put the older figure back until the next refresh. When an
  // action's own counts are passed over (two scans at once), they are asked again once every
  // action has been answered.
  var actions = { sent: 0, answered: 0, missed: false };
  // taken when a request is sent: `own` for an action, which counts itself
  function countsTicket(own) {
    var ticket = { quiet: actions.sent === actions.answered };
    if (own) { actions.sent++; }
    ticket.sent = actions.sent;
    return ticket;
  }
  function countsStillTrue(ticket) { return ticket.quiet && actions.sent === ticket.sent; }
  // an action was answered, or failed: once none is under way, counts passed over are asked again
  function actionAnswered() {
    actions.answered++;
    if (actions.answered === actions.sent && actions.missed) {
      actions.missed = false;
      if (online) { refreshCounts(); }
    }
  }
  // the server's counts leave out scans still waiting to upload: the list has them
  function applyCounts(counts) { setCounts(queue.length ? localCounts() : counts); }

  function postAction(fields) {
    var data = new FormData();
    Object.keys(fields).forEach(function (name) { data.set(name, fields[name]); });
    data.set("device", device);
    data.set("csrfmiddlewaretoken", csrfToken());
    var ticket = countsTicket(true);
    return ask(endpoints.page, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
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
    }).then(function (body) {
      if (countsStillTrue(ticket)) { applyCounts(body.counts); } else { actions.missed = true; }
      actionAnswered();
      return body;
    }, function (error) {
      actionAnswered();
      throw error;
    });
  }

  // resolves with the verdict shown
  function handleCode(raw, typed) {
    var secret = normalise(raw);
    var hashed = secret ? sha256(secret) : Promise.resolve(null);
    return hashed.then(function (hash) {
      if (online && !queue.length) {
        return postAction({ action: "code", code: raw, typed: typed ? "1" : "" }).then(function (body) {
          var entry = hash && list.tickets[hash];
          if (entry && (body.verdict.code === "checked_in" || body.verdict.code === "already_checked_in")) {
            entry.checked_in = true;
            // a later scan without a connection says when (and by whom) as the server just did
            if (body.verdict.code === "checked_in") {
              entry.checked_in_at = nowIso();
              entry.checked_in_by = "";
              entry.checked_in_here = true;  // this device, as an offline check-in
            } else if (!entry.checked_in_at) {
              entry.checked_in_at = body.verdict.at;  // the server's moment, written as it wrote it
              entry.checked_in_by = body.verdict.by;
              entry.checked_in_here = false;
            }
            save("list", list);
          }
          return showVerdict(body.verdict);
        }).catch(function (error) {
          if (error.refused) { return showVerdict({ code: "error", detail: words.signedOut }); }
          setOnline(false);
          return afterLocalCheck(checkLocally(secret, hash));
        });
      }
      // offline, or earlier scans still queued: decide locally so the door keeps the order of scans
      var verdict = afterLocalCheck(checkLocally(secret, hash));
      if (online) { sync(); }
      return verdict;
    });
  }

  /* ---- uploading the queue ---- */
  function sync() {
    if (syncing || !queue.length) { return Promise.resolve(); }
    syncing = true;
    var sent = {};
    var batch = queue.slice(0, 200).map(function (scan) {
      sent[scan.client_scan_id] = scan;
      var item = { client_scan_id: scan.client_scan_id, scanned_at: scan.scanned_at };
      if (scan.secret) { item.secret = scan.secret; } else if (scan.registration) { item.registration = scan.registration; } else { item.ticket_hash = scan.ticket_hash || scan.hash; }
      return item;
    });
    // an upload is an action: counts asked meanwhile may predate it (its own answer has none)
    countsTicket(true);
    var settled = false;
    function uploadAnswered() { if (!settled) { settled = true; actionAnswered(); } }
    return ask(endpoints.batch, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ device: device, scans: batch })
    }).then(function (response) {
      if (!response.ok) { throw new Error("batch " + response.status); }
      return response.json();
    }).then(function (body) {
      var results = Array.isArray(body) ? body : (body.results || []);
      var answered = {};
      results.forEach(function (result) {
        if (result.code === PENDING) { return; }
        answered[result.client_scan_id] = true;
        if (result.code !== "checked_in") {
          // a refusal that does not name the person (a scan dated outside the event): the list does
          var scan = sent[result.client_scan_id];
          if (!result.registration && scan && scan.hash && list.tickets[scan.hash]) {
            result.registration = { name: list.tickets[scan.hash].name };
          }
          conflicts.push(result);
        }
      });
      queue = queue.filter(function (scan) { return !answered[scan.client_scan_id]; });
      save("queue", queue);
      conflicts = conflicts.slice(-50);
      save("conflicts", conflicts);
      uploadAnswered();
      // the answer on screen was "saved offline": the server has decided it now
      if (shown && shown.scan && answered[shown.scan]) { clearVerdict(); }
      setOnline(true);
      renderConflicts();
      // the fresh list undoes a refused offline check-in: names found earlier must not still say "in"
      return refresh().then(function () { if ($("results") && $("q") && $("q").value.trim()) { searchLocally($("q").value); } });
    }).catch(function () {
      setOnline(false);
    }).then(function () {
      uploadAnswered();
      syncing = false;
      renderState();
    });
  }

  function conflictText(conflict) {
    var text = (conflict.registration ? conflict.registration.name + ": " : "") + (titles[conflict.code] || titles.error);
    if (conflict.code === "already_checked_in" && conflict.checked_in_at) {
      var values = { when: clock(conflict.checked_in_at), by: conflict.checked_in_by || words.someone, device: conflict.device };
      text += " — " + fill(conflict.device ? words.checkedInAtOn : words.checkedInAt, values);
    }
    return text;
  }
  function renderConflicts() {
    var holder = $("conflicts");
    if (!conflicts.length) { if (holder) { holder.remove(); } return; }
    if (!holder) {
      holder = document.createElement("section");
      holder.id = "conflicts";
      holder.setAttribute("aria-labelledby", "conflicts-title");
      $("verdict").insertAdjacentElement("afterend", holder);
    }
    holder.textContent = "";
    var heading = document.createElement("h2");
    heading.id = "conflicts-title";
    heading.textContent = words.conflict;
    holder.appendChild(heading);
    var items = document.createElement("ul");
    conflicts.slice(-10).reverse().forEach(function (conflict) {
      var item = document.createElement("li");
      item.setAttribute("data-code", conflict.code);
      item.textContent = conflictText(conflict);
      items.appendChild(item);
    });
    holder.appendChild(items);
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "secondary";
    dismiss.textContent = words.dismiss;
    dismiss.addEventListener("click", function () {
      conflicts = [];
      save("conflicts", conflicts);
      renderConflicts();
      $("code").focus();
    });
    holder.appendChild(dismiss);
  }

  // signed out, or no longer staff here: the server answered, so the page is not offline (a scan
  // then says to sign in again, instead of being kept offline as if nobody had answered)
  function refusal() { var error = new Error("refused"); error.refused = true; return error; }
  function unanswered(error) { if (!(error && error.refused)) { setOnline(false); } setCounts(localCounts()); }
  function refreshCounts() {
    var ticket = countsTicket(false);
    return ask(endpoints.counts, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (r.status === 401 || r.status === 403) { throw refusal(); }
      if (!r.ok) { throw new Error("counts " + r.status); }
      return r.json();
    }).then(function (counts) {
      // older than an action's answer, or than one still to come: that answer has them
      if (countsStillTrue(ticket)) { applyCounts(counts); }
      setOnline(true);
    }, unanswered);
  }
  function refresh() {
    return fetchList().then(refreshCounts, unanswered);
  }

  /* the server's own badge of a status (colour and icon, as every page draws it) */
  function statusBadge(status) {
    var badges = $("status-badges");
    var found = badges && badges.content.querySelector('[data-status="' + status + '"]');
    if (found) { return found.cloneNode(true); }
    var plain = document.createElement("span");
    plain.className = "tag";
    plain.textContent = words.statuses[status] || status;
    return plain;
  }

  /* ---- offline search by name in the downloaded list (the fallback for a lost QR code) ---- */
  // the results as the server draws them: a section#found with its heading, then the list
  function resultsHolder() {
    var section = $("found");
    if (!section) {
      section = document.createElement("section");
      section.id = "found";
      section.setAttribute("aria-labelledby", "found-title");
      var heading = document.createElement("h2");
      heading.id = "found-title";
      heading.tabIndex = -1;
      heading.textContent = words.results;
      section.appendChild(heading);
      $("search-form").insertAdjacentElement("afterend", section);
    }
    Array.prototype.forEach.call(section.querySelectorAll("ul, p"), function (old) { old.remove(); });
    var holder = document.createElement("ul");
    holder.id = "results";
    holder.className = "cards";
    section.appendChild(holder);
    return holder;
  }
  // what the server's search matches (part of the name or of the email address, in any case), within what the
  // list holds: names, never addresses (none is kept on the phone), so an address says that instead of "nobody"
  // folded as the server's search folds names (events_project.search_folding, whose table the page holds):
  // "ilahe" finds "İlahə", "seker" "Şəkər", "gunel" "Günel"; then lower case
  function offlineSearchFold(text) {
    return text.replace(/[\s\S]/g, function (letter) {
      return Object.prototype.hasOwnProperty.call(foldedLetters, letter) ? foldedLetters[letter] : letter;
    }).toLowerCase();
  }
  function searchLocally(query) {
    query = offlineSearchFold(query.trim());
    var section = $("found");
    if (!query) { if (section) { section.remove(); } return; }  // as the server: an empty search lists nobody
    var byAddress = query.indexOf("@") >= 0;
    var found = byAddress ? [] : Object.keys(list.tickets).filter(function (hash) {
      return offlineSearchFold(list.tickets[hash].name).indexOf(query) >= 0;
    }).sort(function (a, b) { return list.tickets[a].name.localeCompare(list.tickets[b].name); }).slice(0, 25);
    var holder = resultsHolder();
    if (!found.length) {
      var none = document.createElement("li");
      none.setAttribute("data-none", byAddress ? "address" : "name");
      none.textContent = byAddress ? words.namesOnly : words.nobody + " " + words.namesOnly;
      holder.appendChild(none);
    }
    found.forEach(function (hash) {
      var entry = list.tickets[hash];
      var item = document.createElement("li");
      item.className = "card";
      if (entry.id) { item.id = "result-" + entry.id; item.tabIndex = -1; }
      var name = document.createElement("strong");
      name.textContent = entry.name;
      item.appendChild(name);
      if (entry.party_size > 1) {
        var party = " · " + plural(words.people, entry.party_size);
        if (entry.party_names && entry.party_names.length) { party += ": " + entry.party_names.join(", "); }
        item.appendChild(document.createTextNode(party));
      }
      item.appendChild(document.createTextNode(" "));
      item.appendChild(statusBadge(entry.status));
      item.appendChild(document.createTextNode(" "));
      if (entry.checked_in) {
        item.appendChild(inTag(hash));
      } else if (entry.status === "confirmed" && entry.id) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = words.checkIn;
        button.setAttribute("data-door-action", "");
        button.hidden = !doorOpen();
        button.addEventListener("click", function () {
          var verdict = admitLocally(hash, { registration: entry.id });
          searchLocally($("q").value);
          afterLocalCheck(verdict, entry.id);
          if (online) { sync(); }
        });
        item.appendChild(button);
      }
      holder.appendChild(item);
    });
  }
  // "In", as the server draws a result that is in; "In, waiting to sync" while this device's
  // check-in of them is queued
  function inTag(hash) {
    var tag = document.createElement("span");
    tag.className = "tag";
    var queued = queue.some(function (scan) { return scan.hash === hash; });
    tag.textContent = queued ? words.inQueued : words.in;
    if (queued) { tag.setAttribute("data-queued", ""); }
    return tag;
  }
  function focusResults() {
    var heading = $("found-title");
    if (heading) { heading.focus(); heading.scrollIntoView({ block: "start" }); }
  }

  /* ---- the camera ---- */
  var scanner = null;
  var seen = {};  // code -> {at: last seen, verdict: the first answer (null while it is awaited)}
  var sightings = 0;
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
    sightings++;
    var memory = seen[data];
    if (memory && now - memory.at < REPEAT_MS) {
      // the same ticket still in front of the camera: the first answer stands, nothing is sent
      memory.at = now;
      if (memory.verdict && shown !== memory.verdict) { showVerdict(memory.verdict, true); }
      return;
    }
    Object.keys(seen).forEach(function (code) { if (now - seen[code].at >= REPEAT_MS) { delete seen[code]; } });
    memory = seen[data] = { at: now, verdict: null };
    handleCode(data, false).then(function (verdict) { memory.verdict = verdict || null; });
  }
  function startCamera() {
    var video = $("scanner-video");
    // shown before the scanner is built: qr-scanner shrinks a hidden <video> to nothing
    video.hidden = false;
    loadScanner().then(function () {
      scanner = scanner || new window.QrScanner(video, onScan, { returnDetailedScanResult: true, preferredCamera: "environment", maxScansPerSecond: 8 });
      return scanner.start();
    }).then(function () {
      $("camera-start").hidden = true;
      $("camera-stop").hidden = false;
      $("camera-stop").focus();
    }).catch(function () {
      video.hidden = true;
      showVerdict({ code: "error", detail: words.cameraError });
    });
  }
  function stopCamera() {
    if (scanner) { scanner.stop(); }
    $("scanner-video").hidden = true;
    $("camera-start").hidden = false;
    $("camera-stop").hidden = true;
    $("camera-start").focus();
  }

  /* ---- the copy for offline use ---- */
  function keepPageOffline() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register("/checkin/sw.js", { scope: "/checkin/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (!online || !registration.active) { return false; }
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(Boolean(event.data && event.data.kept)); };
        registration.active.postMessage({ type: "keep-page", path: endpoints.page }, [channel.port2]);
      });
    }).then(function (kept) { pageKept = pageKept || kept; }).catch(function () { /* works without it while online */ });
  }

  /* ---- wiring ---- */
  $("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = event.target.elements.code;
    var value = field.value;
    // nothing typed: say what to do (online and offline alike), send nothing
    if (!value.trim()) { showVerdict({ code: "empty_code" }, true); field.focus(); return; }
    handleCode(value, true).then(function () { field.value = ""; field.focus(); });
  });
  $("search-form").addEventListener("submit", function (event) {
    if (!online) { event.preventDefault(); searchLocally(event.target.elements.q.value); focusResults(); }
  });
  // a result the server listed, its button pressed once the connection dropped: checked against
  // the downloaded list and queued, as a result found offline (an undo needs the server)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (online || !form.closest || !form.closest("#results")) { return; }
    event.preventDefault();
    var row = form.closest("li");
    var id = row && row.id ? Number(row.id.replace("result-", "")) : 0;
    var action = form.elements.action ? form.elements.action.value : "";
    var hash = Object.keys(list.tickets).filter(function (key) { return list.tickets[key].id === id; })[0];
    // said as the walk-in says it ("Not done", then why and what to do), not "No connection" alone
    if (action !== "registration") { showAtRow(id, { code: "error", detail: words.undoNeedsConnection, needsConnection: true }); return; }
    if (!hash) { showAtRow(id, { code: "error", detail: words.notInList }); return; }
    var verdict = admitLocally(hash, { registration: id });
    if (verdict.code === "checked_in") {
      // the row says they are in (queued) at once, as a result found offline: its "Check in" pressed
      // again said "already checked in"
      form.textContent = "";
      form.appendChild(inTag(hash));
    }
    afterLocalCheck(verdict, id);
  });
  $("walk-in-form").addEventListener("submit", function (event) {
    if (!online) { event.preventDefault(); showVerdict({ code: "error", detail: words.needsConnection, needsConnection: true }); }
  });
  // signing out clears what the site kept on the phone (Clear-Site-Data), scans not yet
  // uploaded included: staff are asked first
  Array.prototype.forEach.call(document.querySelectorAll("form[action$='/logout/']"), function (form) {
    form.addEventListener("submit", function (event) {
      if (queue.length && !window.confirm(plural(words.signOutWithQueue, queue.length))) { event.preventDefault(); }
    });
  });
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    $("camera").hidden = false;
    $("camera-start").addEventListener("click", startCamera);
    $("camera-stop").addEventListener("click", stopCamera);
  }
  window.addEventListener("online", function () {
    // "needs a connection" is stale once it is back: staff do it now
    if (shown && shown.needsConnection) { clearVerdict(); }
    setOnline(true); keepPageOffline(); sync().then(refresh);
  });
  window.addEventListener("offline", function () { setOnline(false); });
  if (!navigator.onLine) {
    // the offline copy: counts from the downloaded list
    clearVerdict();
    setCounts(localCounts());
  }
  refreshCsrfFields();
  keepPageOffline();
  renderDoor();
  renderState();
  renderConflicts();
  sync().then(refresh);
  // counts every 20 s; the whole list (hundreds of rows) every 2 minutes
  var ticks = 0;
  setInterval(function () {
    ticks++;
    renderDoor();
    if (queue.length) { sync(); } else if (online && ticks % 6 === 0) { refresh(); } else if (online) { refreshCounts(); }
  }, 20000);
  window.checkinPage = {
    sync: sync,
    refresh: refresh,
    refreshCounts: refreshCounts,
    state: function () {
      return {
        online: online, queue: queue.slice(), list: list, sightings: sightings, clockOffset: clockOffset,
        offlineReady: pageKept && Boolean(list.fetched_at)
      };
    }
  };
})();
