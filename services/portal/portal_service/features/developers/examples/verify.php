<?php
const EGOV_TOLERANCE_SECONDS = 300; // a notification signed more than 5 minutes from now is refused

// X-Egov-Timestamp, X-Egov-Signature and the body exactly as received (file_get_contents('php://input')).
function egov_is_genuine(string $secret, ?string $timestamp, ?string $signature, string $rawBody): bool
{
    if ($timestamp === null || $signature === null || !ctype_digit($timestamp)) {
        return false;
    }
    if (abs(time() - (int) $timestamp) > EGOV_TOLERANCE_SECONDS) {
        return false;
    }
    $expected = 'sha256=' . hash_hmac('sha256', $timestamp . '.' . $rawBody, $secret);
    return hash_equals($expected, $signature);
}
