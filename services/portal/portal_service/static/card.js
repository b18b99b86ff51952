/* The e-signature card in the browser: the test card file holds the certificate and the private
   key encrypted under the card's PINs (PBKDF2-SHA256 + AES-256-GCM, see the simulator's card
   file); the PIN opens the key here, in the page, and WebCrypto signs auth's challenge
   (RSASSA-PKCS1-v1_5 with SHA-256) to log in, or each digest of a document the portal hands out
   to sign it (contract notices, accident reports). Neither the PIN nor the key leaves the
   browser: the forms send only certificates, nonces and signatures. */
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

  /* A form that opens the card (the log-in, signing a contract notice or an accident report):
     the file and the PIN must be given; the key of `usage` is opened with the PIN and handed to
     `use(key, card, ui)`, whose promise carries on; what goes wrong is shown beside its field
     (the summary above, GOV.UK's pattern). `ui.busy(text)` shows progress (null: done),
     `ui.clearPin()` forgets the PIN, `ui.messages` are the form's texts. */
  function cardForm(form, usage, extractable, busyText, use) {
    var messages = JSON.parse(form.getAttribute("data-messages"));
    var fileInput = document.getElementById("f-card-file");
    var pinInput = document.getElementById("f-pin");
    var status = form.querySelector("[data-status]");
    var button = form.querySelector("button[type=submit]");
    var errorUi = window.EgovPortal.formErrors(form, { card_file: fileInput, pin: pinInput }, messages);
    var ui = {
      messages: messages,
      busy: function (text) {
        status.hidden = !text;
        status.querySelector("[data-status-text]").textContent = text || "";
        button.disabled = !!text;
      },
      clearPin: function () { pinInput.value = ""; }
    };

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errorUi.clear();
      var errors = [];
      var file = fileInput.files && fileInput.files[0];
      if (!file) { errors.push({ field: "card_file", text: messages.card_choose_file }); }
      if (!pinInput.value) { errors.push({ field: "pin", text: messages.card_enter_pin }); }
      if (errors.length) { errorUi.show(errors); return; }
      ui.busy(busyText(messages));
      var card;
      readFile(file)
        .then(function (text) { card = parseCard(text); return openKey(card, usage, pinInput.value, extractable); })
        .then(function (key) { return use(key, card, ui); })
        .catch(function (error) {
          ui.busy(null);
          if (error instanceof CardError) {
            var field = error.code === "card_wrong_pin" ? "pin" : (error.code === "card_bad_file" ? "card_file" : null);
            errorUi.show([{ field: field, text: messages[error.code] || messages.unavailable }]);
          } else {
            errorUi.show([{ field: null, text: (error && error.text) || messages.card_unsupported }]);
          }
        });
    });
  }

  /* Signing a document with the card: the portal starts the signature with the card's
     certificate, each answer hands out the next digest to sign (a signature in parts, "1/2",
     "2/2") until the document is signed and the page goes on. The PIN and the key never leave
     the page. */
  function signingForm(form) {
    cardForm(form, "sign", true, function (messages) {
      return messages.signing.replace(" ({step})", "").replace("{step}", "");
    }, function (key, card, ui) {
      ui.clearPin();
      function post(url, body) {
        return fetch(url, { method: "POST", credentials: "same-origin",
                            headers: { "Content-Type": "application/json", "Accept": "application/json",
                                       "X-CSRF-Token": form.getAttribute("data-csrf") },
                            body: JSON.stringify(body) })
          .then(function (response) {
            return response.json().catch(function () { return { state: "error", message: ui.messages.unavailable }; });
          });
      }
      function follow(answer) {
        if (answer.state === "pending" && answer.digest) {
          ui.busy(ui.messages.signing.replace("{step}", answer.step || ""));
          return signDigest(key, b64ToBytes(answer.digest))
            .then(function (signature) {
              return post(form.getAttribute("data-response-url"), { signature: bytesToB64(signature) });
            })
            .then(follow);
        }
        if (answer.state === "confirmed") { window.location.assign(answer.next); return null; }
        throw { text: answer.message || ui.messages.unavailable };
      }
      var start = { certificate: card.certificate };
      if (form.getAttribute("data-op")) { start.op = form.getAttribute("data-op"); }
      return post(form.getAttribute("data-start-url"), start).then(follow);
    });
  }

  /* Logging in with the card: the key of PIN1 signs auth's challenge; the form then sends the
     certificate, the nonce and the signature (never the PIN). */
  function loginForm(form) {
    cardForm(form, "auth", false, function (messages) { return messages.card_signing; }, function (key, card, ui) {
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
              ui.clearPin();
              form.submit();
            });
        });
    });
  }

  if (!window.EgovPortal) { return; }
  var login = document.querySelector("form[data-card-login]");
  if (login) { loginForm(login); }
  var signing = document.querySelector("form[data-card-sign]");
  if (signing) { signingForm(signing); }
}());
