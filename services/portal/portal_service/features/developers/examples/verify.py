import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300  # a notification signed more than 5 minutes from now is refused


def is_genuine(secret: str, timestamp: str, signature: str, raw_body: bytes) -> bool:
    """X-Egov-Timestamp, X-Egov-Signature and the body's bytes exactly as received."""
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256)
    return hmac.compare_digest(("sha256=" + mac.hexdigest()).encode(), signature.encode())
