/* Signing a contract notice (or its termination) with the e-signature card: the PIN2 opens the
   card's key in the page (card.js); the portal hands over the digest the contracts API asks to
   be signed, the card signs it (EgovCard.signDigest), and the API may ask for another (a
   signature in parts) until it is done. The PIN and the key never leave the page. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-card-sign]");
  if (!form || !window.EgovCard || !window.EgovPortal) { return; }
  var card = window.EgovCard;
  var messages = JSON.parse(form.getAttribute("data-messages"));
  var fileInput = document.getElementById("f-card-file");
  var pinInput = document.getElementById("f-pin");
  var status = form.querySelector("[data-status]");
  var button = form.querySelector("button[type=submit]");

  var inputs = { card_file: fileInput, pin: pinInput };
  var errorUi = window.EgovPortal.formErrors(form, inputs, messages);
  var clearErrors = errorUi.clear, showErrors = errorUi.show;

  function busy(on) {
    status.hidden = !on;
    status.querySelector("[data-status-text]").textContent = on ? messages.signing : "";
    button.disabled = on;
  }

  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin",
                        headers: { "Content-Type": "application/json", "Accept": "application/json",
                                   "X-CSRF-Token": form.getAttribute("data-csrf") },
                        body: JSON.stringify(body) })
      .then(function (response) { return response.json(); });
  }

  function signUntilDone(key, answer) {
    if (answer.state === "confirmed") { window.location.assign(answer.next); return null; }
    if (answer.state !== "pending" || !answer.digest) { throw new Error(answer.message || messages.unavailable); }
    return card.signDigest(key, card.b64ToBytes(answer.digest))
      .then(function (signature) {
        return post(form.getAttribute("data-response-url"), { signature: card.bytesToB64(signature) });
      })
      .then(function (next) { return signUntilDone(key, next); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var errors = [];
    var file = fileInput.files && fileInput.files[0];
    if (!file) { errors.push({ field: "card_file", text: messages.card_choose_file }); }
    if (!pinInput.value) { errors.push({ field: "pin", text: messages.card_enter_pin }); }
    if (errors.length) { showErrors(errors); return; }
    busy(true);
    var opened;
    card.readFile(file)
      .then(function (text) { opened = card.parseCard(text); return card.openKey(opened, "sign", pinInput.value, true); })
      .then(function (key) {
        pinInput.value = "";
        return post(form.getAttribute("data-start-url"), { certificate: opened.certificate })
          .then(function (answer) { return signUntilDone(key, answer); });
      })
      .catch(function (error) {
        busy(false);
        if (error instanceof card.CardError) {
          var field = error.code === "card_wrong_pin" ? "pin" : (error.code === "card_bad_file" ? "card_file" : null);
          showErrors([{ field: field, text: messages[error.code] || messages.unavailable }]);
        } else {
          showErrors([{ field: null, text: error.message || messages.unavailable }]);
        }
      });
  });
}());
