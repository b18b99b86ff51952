/* The webhook's secret, shown once: a button copies it (the field stays selectable without it). */
(function () {
  "use strict";

  function copyWithSelection(input) {
    input.focus();
    input.select();
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }

  function setUp(box) {
    var button = box.querySelector("[data-copy]");
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = box.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      function done(ok) {
        status.textContent = box.getAttribute(ok ? "data-copied-text" : "data-failed-text");
        if (!ok) { input.focus(); input.select(); }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () { done(true); },
          function () { done(copyWithSelection(input)); });
      } else {
        done(copyWithSelection(input));
      }
    });
    // A click in the field selects the whole secret.
    input.addEventListener("focus", function () { input.select(); });
  }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    document.querySelectorAll("[data-copy-box]").forEach(setUp);
  });
}());
