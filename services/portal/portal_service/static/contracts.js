/* Signing a contract notice (or its termination) with the e-signature card: the PIN2 opens the
   card's key in the page (card.js); the portal hands over the digest the contracts API asks to
   be signed, the card signs it (EgovCard.signDigest), and the API may ask for another (a
   signature in parts) until it is done. The PIN and the key never leave the page. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-card-sign]");
  if (!form || !window.EgovCard) { return; }
  var card = window.EgovCard;
  var messages = JSON.parse(form.getAttribute("data-messages"));
  var fileInput = document.getElementById("f-card-file");
  var pinInput = document.getElementById("f-pin");
  var status = form.querySelector("[data-status]");
  var button = form.querySelector("button[type=submit]");

  function showError(text, input) {
    var slot = document.querySelector("[data-error-slot]");
    slot.innerHTML = "";
    var summary = document.createElement("div");
    summary.className = "error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    var title = document.createElement("h2");
    title.className = "error-summary-title";
    title.textContent = messages.error_summary_title;
    var item = document.createElement(input ? "a" : "p");
    item.textContent = text;
    if (input) {
      item.href = "#" + input.id;
      item.addEventListener("click", function (event) { event.preventDefault(); input.focus(); });
      input.setAttribute("aria-invalid", "true");
    }
    summary.appendChild(title);
    summary.appendChild(item);
    slot.appendChild(summary);
    summary.focus();
  }

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

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(new card.CardError("card_bad_file")); };
      reader.readAsText(file);
    });
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
    document.querySelector("[data-error-slot]").innerHTML = "";
    var file = fileInput.files && fileInput.files[0];
    if (!file) { showError(messages.card_choose_file, fileInput); return; }
    if (!pinInput.value) { showError(messages.card_enter_pin, pinInput); return; }
    busy(true);
    var opened;
    readFile(file)
      .then(function (text) { opened = card.parseCard(text); return card.openKey(opened, "sign", pinInput.value, true); })
      .then(function (key) {
        pinInput.value = "";
        return post(form.getAttribute("data-start-url"), { certificate: opened.certificate })
          .then(function (answer) { return signUntilDone(key, answer); });
      })
      .catch(function (error) {
        busy(false);
        if (error instanceof card.CardError) {
          var input = error.code === "card_wrong_pin" ? pinInput : (error.code === "card_bad_file" ? fileInput : null);
          showError(messages[error.code] || messages.unavailable, input);
        } else {
          showError(error.message || messages.unavailable, null);
        }
      });
  });
}());
