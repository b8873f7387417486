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

  // Filters folded on a phone start open on a wide screen.
  if (window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) { details.open = true; });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
