package egov

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

const toleranceSeconds = 300 // a notification signed more than 5 minutes from now is refused

// IsGenuine takes X-Egov-Timestamp, X-Egov-Signature and the body's bytes exactly as received.
func IsGenuine(secret, timestamp, signature string, rawBody []byte) bool {
	sent, err := strconv.ParseUint(timestamp, 10, 63)
	if err != nil {
		return false
	}
	if age := time.Now().Unix() - int64(sent); age > toleranceSeconds || age < -toleranceSeconds {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(rawBody)
	expected := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(expected), []byte(signature))
}
