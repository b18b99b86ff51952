using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

public static class EgovSignature
{
    const long ToleranceSeconds = 300; // a notification signed more than 5 minutes from now is refused

    // X-Egov-Timestamp, X-Egov-Signature and the body's bytes exactly as received.
    public static bool IsGenuine(string secret, string timestamp, string signature, byte[] rawBody)
    {
        if (signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var sent))
            return false;
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - sent) > ToleranceSeconds) return false;
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        hmac.TransformBlock(prefix, 0, prefix.Length, null, 0);
        hmac.TransformFinalBlock(rawBody, 0, rawBody.Length);
        var expected = "sha256=" + Convert.ToHexString(hmac.Hash!).ToLowerInvariant();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(signature));
    }
}
