/* The portal's small progressive enhancement: focus the error summary, show progress on forms that
   wait, and poll a pending Asan İmza log-in; and for the pages' own scripts, the form errors drawn
   in the page (EgovPortal.formErrors). Every page works without it. */
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

  // The error summary and the messages beside the fields, drawn in the page by a script that checks
  // a form itself (the card's log-in and signing, the insurers' upload): GOV.UK's pattern, as
  // macros.html draws it on the server. `fields` maps an error's field to its input, whose form
  // group is [data-group=<field>] with a [data-field-errors] slot; the summary goes in
  // [data-error-slot]. `messages` gives error_summary_title and error_prefix. A field's first
  // message is the one its input is described by.
  function formErrors(form, fields, messages) {
    function describe(input, messageId) {
      var hint = document.getElementById(input.id + "-hint") ? input.id + "-hint" : "";
      var ids = [hint, messageId || ""].filter(Boolean).join(" ");
      if (ids) { input.setAttribute("aria-describedby", ids); } else { input.removeAttribute("aria-describedby"); }
    }

    function clear() {
      document.querySelector("[data-error-slot]").innerHTML = "";
      form.querySelectorAll("[data-group]").forEach(function (group) {
        group.classList.remove("form-group-error");
        group.querySelector("[data-field-errors]").innerHTML = "";
      });
      Object.keys(fields).forEach(function (name) {
        fields[name].removeAttribute("aria-invalid");
        describe(fields[name]);
      });
    }

    function show(errors) {
      var described = {};
      var summary = document.createElement("div");
      summary.className = "error-summary";
      summary.setAttribute("role", "alert");
      summary.setAttribute("tabindex", "-1");
      var title = document.createElement("h2");
      title.className = "error-summary-title";
      title.textContent = messages.error_summary_title;
      var list = document.createElement("ul");
      list.className = "error-summary-list";
      errors.forEach(function (error) {
        var item = document.createElement("li");
        var input = fields[error.field];
        if (input) {
          var link = document.createElement("a");
          link.href = "#" + input.id;
          link.textContent = error.text;
          link.addEventListener("click", function (event) { event.preventDefault(); input.focus(); });
          item.appendChild(link);
          var group = form.querySelector("[data-group='" + error.field + "']");
          group.classList.add("form-group-error");
          var message = document.createElement("p");
          message.className = "error-message";
          var first = !described[error.field];
          if (first) { message.id = input.id + "-error"; described[error.field] = true; }
          var prefix = document.createElement("span");
          prefix.className = "visually-hidden";
          prefix.textContent = messages.error_prefix + " ";
          message.appendChild(prefix);
          message.appendChild(document.createTextNode(error.text));
          group.querySelector("[data-field-errors]").appendChild(message);
          input.setAttribute("aria-invalid", "true");
          if (first) { describe(input, message.id); }
        } else {
          item.textContent = error.text;
        }
        list.appendChild(item);
      });
      summary.appendChild(title);
      summary.appendChild(list);
      document.querySelector("[data-error-slot]").appendChild(summary);
      summary.focus();
    }

    return { clear: clear, show: show };
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

  // For the pages' own scripts, which run after this one (scripts are deferred, in order).
  window.EgovPortal = { formErrors: formErrors };

  ready(function () {
    focusErrorSummary();
    progressOnSubmit();
    asanWait();
  });
}());
