/* Sending an accident report: waiting for the signature on the phone (the code shown, changed when
   the phone asks for the next signature, the page moving on by itself), and signing with the
   e-signature card in the browser (card.js opens the key with PIN2 and signs each digest the
   service hands out). Without JavaScript the waiting page refreshes itself; the card needs it. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function signWait() {
    var box = document.querySelector("[data-sign-wait]");
    if (!box) { return; }
    var interval = Math.max(1, parseInt(box.getAttribute("data-interval"), 10) || 3) * 1000;
    var code = box.querySelector("[data-code]");
    var statusText = box.querySelector("[data-status-text]");

    function poll() {
      fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { state: "pending" }; })
        .then(function (answer) {
          if (answer.state === "pending") {
            // The phone's next request ("2/2") has a code of its own.
            if (answer.code && code && code.textContent.trim() !== answer.code) { code.textContent = answer.code; }
            window.setTimeout(poll, interval);
          } else if (answer.state === "confirmed") {
            statusText.textContent = answer.message || "";
            window.location.assign(answer.next);
          } else {
            // Ended without a signature: the page says how, with a way to sign again.
            window.location.assign(answer.next || box.getAttribute("data-retry-url"));
          }
        })
        .catch(function () { window.setTimeout(poll, interval * 2); });
    }
    window.setTimeout(poll, interval);
  }

  function cardSign() {
    var form = document.querySelector("form[data-card-sign]");
    if (!form || !window.EgovCard) { return; }
    var card = window.EgovCard;
    var messages = JSON.parse(form.getAttribute("data-messages"));
    var fileInput = document.getElementById("f-card-file");
    var pinInput = document.getElementById("f-pin");
    var status = form.querySelector("[data-status]");
    var button = form.querySelector("button[type=submit]");
    var inputs = { card_file: fileInput, pin: pinInput };

    var errorUi = window.EgovPortal.formErrors(form, inputs, messages);
    var clearErrors = errorUi.clear, showErrors = errorUi.show;

    function busy(text) {
      status.hidden = !text;
      status.querySelector("[data-status-text]").textContent = text || "";
      button.disabled = !!text;
    }

    function post(url, body) {
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRF-Token": form.getAttribute("data-csrf") },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().catch(function () { return { state: "error", message: messages.unavailable }; });
      });
    }

    // Each answer either hands out the next digest to sign, or ends the signing.
    function follow(key, answer) {
      if (answer.state === "pending" && answer.digest) {
        busy(messages.signing.replace("{step}", answer.step || ""));
        return card.signDigest(key, card.b64ToBytes(answer.digest)).then(function (signature) {
          return post(form.getAttribute("data-response-url"), { signature: card.bytesToB64(signature) });
        }).then(function (next) { return follow(key, next); });
      }
      if (answer.state === "confirmed") {
        window.location.assign(answer.next);
        return null;
      }
      throw { text: answer.message || messages.unavailable };
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      var errors = [];
      var file = fileInput.files && fileInput.files[0];
      if (!file) { errors.push({ field: "card_file", text: messages.card_choose_file }); }
      if (!pinInput.value) { errors.push({ field: "pin", text: messages.card_enter_pin }); }
      if (errors.length) { showErrors(errors); return; }
      busy(messages.signing.replace(" ({step})", "").replace("{step}", ""));
      var opened;
      card.readFile(file)
        .then(function (text) { opened = card.parseCard(text); return card.openKey(opened, "sign", pinInput.value, true); })
        .then(function (key) {
          pinInput.value = "";
          return post(form.getAttribute("data-start-url"), { certificate: opened.certificate, op: form.getAttribute("data-op") })
            .then(function (answer) { return follow(key, answer); });
        })
        .catch(function (error) {
          busy(null);
          if (error instanceof card.CardError) {
            var field = error.code === "card_wrong_pin" ? "pin" : (error.code === "card_bad_file" ? "card_file" : null);
            showErrors([{ field: field, text: messages[error.code] || messages.unavailable }]);
          } else {
            showErrors([{ field: null, text: (error && error.text) || messages.card_unsupported }]);
          }
        });
    });
  }

  ready(function () {
    signWait();
    cardSign();
  });
}());
