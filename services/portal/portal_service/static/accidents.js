/* Sending an accident report: waiting for the signature on the phone (the code shown, changed when
   the phone asks for the next signature, the page moving on by itself). Without JavaScript the
   waiting page refreshes itself. (Signing with the card is card.js's, as for contract notices.) */
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

  ready(function () {
    signWait();
  });
}());
