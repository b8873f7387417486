/* Small enhancements shared by the pages. Every page works without this script. */
(function () {
  "use strict";

  // After a failed submit, move focus to the error summary, so that a screen reader reads it
  // and a keyboard user starts from the list of what to correct.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // A block shown only while a number field is above a value:
  // <div data-shown-when="id_party_size" data-above="1">. Without the script it is always shown.
  document.querySelectorAll("[data-shown-when]").forEach(function (block) {
    var field = document.getElementById(block.getAttribute("data-shown-when"));
    if (!field) { return; }
    var above = parseInt(block.getAttribute("data-above") || "0", 10);
    var keep = block.hasAttribute("data-keep-open");
    var update = function () {
      var value = parseInt(field.value, 10);
      block.hidden = !keep && !(value > above);
    };
    field.addEventListener("input", function () { keep = false; update(); });
    update();
  });

  // A link to a folded box (the Messages tab's "Write to the chosen registrants", registrations/#write)
  // opens it: the browser only scrolls to the closed summary, and the form stayed out of sight.
  function openTarget() {
    var target = location.hash.length > 1 && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);

  // Filters folded on a phone start open on a wide screen.
  if (window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) { details.open = true; });
  }

  // A page waiting for a background job: <div id="…" data-updates-itself="3">. Every few seconds
  // the script reads the page again; once the job is done (the region comes back without
  // data-updates-itself) it shows the region as it is now (data-then="reload": the whole page,
  // once). Nothing is reloaded while nothing changed: a timed <meta refresh> took a screen reader
  // back to the top every few seconds. Without the script, the region's "Check again" link.
  document.querySelectorAll("[data-updates-itself][id]").forEach(function (region) {
    var every = 1000 * (parseInt(region.getAttribute("data-updates-itself"), 10) || 3);
    var look = function () {
      window.fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
          if (!fresh || fresh.hasAttribute("data-updates-itself")) { window.setTimeout(look, every); return; }
          if (region.getAttribute("data-then") === "reload") { window.location.reload(); return; }
          region.removeAttribute("data-updates-itself");
          region.innerHTML = fresh.innerHTML;
        })
        .catch(function () { window.setTimeout(look, 2 * every); });
    };
    region.querySelectorAll("[data-check-again]").forEach(function (link) { link.hidden = true; });
    window.setTimeout(look, every);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
