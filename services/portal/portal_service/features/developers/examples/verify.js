const crypto = require("node:crypto");

const TOLERANCE_SECONDS = 300; // a notification signed more than 5 minutes from now is refused

// X-Egov-Timestamp, X-Egov-Signature and the body as a Buffer, exactly as received.
function isGenuine(secret, timestamp, signature, rawBody) {
  if (!/^\d+$/.test(timestamp || "")) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from("sha256=" + crypto.createHmac("sha256", secret)
    .update(timestamp + ".").update(rawBody).digest("hex"));
  const given = Buffer.from(signature || "");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

module.exports = { isGenuine };
