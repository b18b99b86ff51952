/* The e-signature card in the browser: the test card file holds the certificate and the private
   key encrypted under the card's PINs (PBKDF2-SHA256 + AES-256-GCM, see the simulator's card
   file); the PIN opens the key here, in the page, and WebCrypto signs auth's challenge
   (RSASSA-PKCS1-v1_5 with SHA-256). Neither the PIN nor the key leaves the browser: the form
   sends only the certificate, the nonce and the signature. */
(function () {
  "use strict";

  var FORMAT = "egov-test-card";

  function b64ToBytes(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function bytesToB64(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw);
  }

  function CardError(code) { this.code = code; }

  /* The card file the person chose, as text (a file that cannot be read is no card file). */
  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(new CardError("card_bad_file")); };
      reader.readAsText(file);
    });
  }

  /* The card file, read and checked: {certificate, keys}. */
  function parseCard(text) {
    var card;
    try { card = JSON.parse(text); } catch (e) { throw new CardError("card_bad_file"); }
    if (!card || card.format !== FORMAT || typeof card.certificate !== "string" || !card.keys) {
      throw new CardError("card_bad_file");
    }
    return card;
  }

  /* The private key of `usage` ("auth": PIN1, "sign": PIN2), opened with `pin`. */
  function openKey(card, usage, pin, extractable) {
    var sealed = card.keys[usage];
    if (!sealed || sealed.kdf !== "PBKDF2-SHA256" || sealed.cipher !== "AES-256-GCM") {
      return Promise.reject(new CardError("card_bad_file"));
    }
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) { return Promise.reject(new CardError("card_unsupported")); }
    return subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveKey"])
      .then(function (pinKey) {
        return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: b64ToBytes(sealed.salt),
                                  iterations: sealed.iterations },
                                pinKey, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
      })
      .then(function (aesKey) {
        return subtle.decrypt({ name: "AES-GCM", iv: b64ToBytes(sealed.iv) }, aesKey, b64ToBytes(sealed.data))
          .catch(function () { throw new CardError("card_wrong_pin"); });
      })
      .then(function (pkcs8) {
        return subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
                                !!extractable, ["sign"]);
      });
  }

  /* RSA PKCS#1 v1.5 over a digest computed elsewhere (a document's SHA-256, prehashed), which
     WebCrypto cannot do: EMSA-PKCS1-v1_5 encoding, then m^d mod n by CRT with BigInt on the
     key's JWK parameters. For document signing with the card. */
  var SHA256_PREFIX = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                       0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

  function b64urlToBig(text) {
    var bytes = b64ToBytes(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    var hex = "";
    for (var i = 0; i < bytes.length; i++) { hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return BigInt("0x" + (hex || "0"));
  }

  function modPow(base, exponent, modulus) {
    var result = 1n;
    base %= modulus;
    while (exponent > 0n) {
      if (exponent & 1n) { result = (result * base) % modulus; }
      base = (base * base) % modulus;
      exponent >>= 1n;
    }
    return result;
  }

  function signDigest(privateKey, digest) {
    return window.crypto.subtle.exportKey("jwk", privateKey).then(function (jwk) {
      var n = b64urlToBig(jwk.n), p = b64urlToBig(jwk.p), q = b64urlToBig(jwk.q);
      var dp = b64urlToBig(jwk.dp), dq = b64urlToBig(jwk.dq), qi = b64urlToBig(jwk.qi);
      var size = Math.ceil(n.toString(16).length / 2);
      var digestBytes = new Uint8Array(digest);
      var encoded = new Uint8Array(size);
      var tLength = SHA256_PREFIX.length + digestBytes.length;
      encoded[0] = 0; encoded[1] = 1;
      for (var i = 2; i < size - tLength - 1; i++) { encoded[i] = 0xff; }
      encoded[size - tLength - 1] = 0;
      encoded.set(SHA256_PREFIX, size - tLength);
      encoded.set(digestBytes, size - digestBytes.length);
      var hex = "";
      for (var j = 0; j < encoded.length; j++) { hex += (encoded[j] < 16 ? "0" : "") + encoded[j].toString(16); }
      var m = BigInt("0x" + hex);
      var m1 = modPow(m, dp, p), m2 = modPow(m, dq, q);
      var h = (qi * ((m1 - m2) % p + p)) % p;
      var s = (m2 + h * q).toString(16);
      s = "0".repeat(size * 2 - s.length) + s;
      var out = new Uint8Array(size);
      for (var k = 0; k < size; k++) { out[k] = parseInt(s.substr(k * 2, 2), 16); }
      return out.buffer;
    });
  }

  window.EgovCard = { readFile: readFile, parseCard: parseCard, openKey: openKey, signDigest: signDigest,
                      bytesToB64: bytesToB64, b64ToBytes: b64ToBytes, CardError: CardError };

  // --- the log-in form ------------------------------------------------------------------
  var form = document.querySelector("form[data-card-login]");
  if (!form) { return; }
  var messages = JSON.parse(form.getAttribute("data-messages"));
  var fileInput = document.getElementById("f-card-file");
  var pinInput = document.getElementById("f-pin");
  var status = form.querySelector("[data-status]");
  var button = form.querySelector("button[type=submit]");
  var fields = { card_file: fileInput, pin: pinInput };

  var errorUi = window.EgovPortal.formErrors(form, fields, messages);
  var clearErrors = errorUi.clear, showErrors = errorUi.show;

  function busy(on) {
    status.hidden = !on;
    status.querySelector("[data-status-text]").textContent = on ? messages.card_signing : "";
    button.disabled = on;
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
    var card;
    readFile(file)
      .then(function (text) { card = parseCard(text); return openKey(card, "auth", pinInput.value, false); })
      .then(function (key) {
        return fetch(form.getAttribute("data-challenge-url"), { credentials: "same-origin",
                                                                 headers: { "Accept": "application/json" } })
          .then(function (response) {
            if (!response.ok) { throw new CardError("unavailable"); }
            return response.json();
          })
          .then(function (challenge) {
            return window.crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, b64ToBytes(challenge.nonce))
              .then(function (signature) {
                form.elements.certificate.value = card.certificate;
                form.elements.nonce.value = challenge.nonce;
                form.elements.signature.value = bytesToB64(signature);
                pinInput.value = "";
                form.submit();
              });
          });
      })
      .catch(function (error) {
        busy(false);
        var code = error instanceof CardError ? error.code : "card_unsupported";
        var field = code === "card_wrong_pin" ? "pin" : (code === "card_bad_file" ? "card_file" : null);
        showErrors([{ field: field, text: messages[code] || messages.unavailable }]);
      });
  });
}());
