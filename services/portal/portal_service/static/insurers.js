/* Insurer registration: a scanned document uploads with its progress shown (and is then checked by
   the service, said as such), its refusal said on the file field; the actual address's fields show
   only when it is not the legal address. Without JavaScript the form posts as it is. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function upload() {
    var form = document.querySelector("form[data-upload]");
    if (!form || !window.FormData || !window.XMLHttpRequest || !window.EgovPortal) { return; }
    var input = form.querySelector("input[type=file]");
    var box = form.querySelector("[data-upload-progress]");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-upload-text]");
    var button = form.querySelector("button[type=submit]");

    function say(message) { text.textContent = message; }

    var errorUi = window.EgovPortal.formErrors(form, { file: input }, {
      error_summary_title: form.getAttribute("data-text-summary"), error_prefix: form.getAttribute("data-text-prefix") });

    // The file refused (by the service, the gateway, or as none chosen): said on the field.
    function refuse(messages) {
      box.hidden = true;
      button.disabled = false;
      button.removeAttribute("aria-busy");
      errorUi.clear();
      errorUi.show(messages.map(function (message) { return { field: "file", text: message }; }));
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (!input.files || !input.files.length) { refuse([form.getAttribute("data-text-choose")]); return; }
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action"));
      request.setRequestHeader("X-Requested-With", "fetch");
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (progress) {
        if (!progress.lengthComputable) { return; }
        var percent = Math.round(progress.loaded * 100 / progress.total);
        bar.value = percent;
        // A live region said at every step would be noise: every quarter, and the checking after.
        if (percent === 100) { say(form.getAttribute("data-text-checking")); }
        else if (percent % 25 === 0 || !text.textContent) { say(form.getAttribute("data-text-uploading").replace("{p}", percent)); }
      });
      request.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
        if (answer && answer.ok) { window.location.assign(answer.next); return; }
        if (answer && answer.errors && answer.errors.length) { refuse(answer.errors); return; }
        if (answer && answer.detail) { refuse([answer.detail]); return; }  // the gateway's own refusal
        refuse([form.getAttribute("data-text-failed")]);
      });
      request.addEventListener("error", function () { refuse([form.getAttribute("data-text-failed")]); });
      box.hidden = false;
      bar.value = 0;
      say(form.getAttribute("data-text-uploading").replace("{p}", "0"));
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      request.send(new FormData(form));
    });
  }

  // <div data-reveal-when="name=value">: shown only while that radio is chosen.
  function reveal() {
    document.querySelectorAll("[data-reveal-when]").forEach(function (block) {
      var rule = block.getAttribute("data-reveal-when").split("=");
      var radios = document.querySelectorAll("input[type=radio][name='" + rule[0] + "']");
      function update() {
        var chosen = document.querySelector("input[type=radio][name='" + rule[0] + "']:checked");
        block.hidden = !chosen || chosen.value !== rule[1];
      }
      radios.forEach(function (radio) { radio.addEventListener("change", update); });
      update();
    });
  }

  ready(function () {
    upload();
    reveal();
  });
}());
