/* The portal's small progressive enhancement: focus the error summary, show progress on forms that
   wait, and poll a pending Asan İmza log-in. Every page works without it. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // The error summary takes the focus, so a screen reader announces it first (GOV.UK pattern);
  // its links move the focus to the field itself.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + input.id + "']");
      (label || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // A form that makes the person wait says so, and cannot be sent twice.
  function progressOnSubmit() {
    document.querySelectorAll("form[data-progress]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit]");
        if (button) {
          if (button.disabled) { return; }
          window.setTimeout(function () { button.disabled = true; }, 0);
          button.setAttribute("aria-busy", "true");
        }
      });
    });
  }

  // Waiting for the phone: ask the portal how the log-in stands, count down the code's life.
  function asanWait() {
    var box = document.querySelector("[data-asan-wait]");
    if (!box) { return; }
    var statusText = box.querySelector("[data-status-text]");
    var countdown = box.querySelector("[data-countdown]");
    var interval = Math.max(1, parseInt(box.getAttribute("data-interval"), 10) || 3) * 1000;
    var left = parseInt(box.getAttribute("data-seconds-left"), 10);
    var textLeft = box.getAttribute("data-text-left");
    var deadline = isNaN(left) ? null : Date.now() + left * 1000;
    var finished = false;

    function tick() {
      if (finished || deadline === null || !countdown) { return; }
      var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      // Said every 10 seconds only: a live region changing every second is noise.
      if (seconds % 10 === 0 || seconds < 10 || !countdown.textContent) {
        countdown.textContent = textLeft.replace("{s}", String(seconds));
      }
    }

    function finish(message, retry) {
      finished = true;
      var status = box.querySelector("[data-status]");
      var spinner = status.querySelector(".spinner");
      if (spinner) { spinner.remove(); }
      statusText.textContent = message;
      if (retry) {
        // What belonged to the wait (the code, its time, checking and cancelling) is over.
        box.querySelectorAll("[data-pending-only]").forEach(function (element) { element.hidden = true; });
        status.classList.add("error-message");
        var link = document.createElement("a");
        link.className = "button";
        link.href = box.getAttribute("data-retry-url");
        link.textContent = box.getAttribute("data-retry-text");
        status.insertAdjacentElement("afterend", link);
        link.focus();
      }
    }

    function poll() {
      if (finished) { return; }
      fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { state: "pending" }; })
        .then(function (answer) {
          if (answer.state === "confirmed") {
            finish(answer.message, false);
            window.location.assign(answer.next || "/");
          } else if (answer.state === "pending") {
            // A signing of several parts asks the phone again with a new code ("2/2").
            var code = box.querySelector("[data-code]");
            if (answer.code && code && code.textContent !== answer.code) { code.textContent = answer.code; }
            window.setTimeout(poll, interval);
          } else {
            finish(answer.message, true);
          }
        })
        .catch(function () { window.setTimeout(poll, interval * 2); });
    }

    window.setInterval(tick, 1000);
    tick();
    window.setTimeout(poll, interval);
  }

  ready(function () {
    focusErrorSummary();
    progressOnSubmit();
    asanWait();
  });
}());
