import sqlite3

from flask import Flask, request

from verify import is_genuine

app = Flask(__name__)
SECRET = "the secret shown when the webhook was registered"  # from your settings, never in the code
db = sqlite3.connect("notifications.db", check_same_thread=False)
db.execute("CREATE TABLE IF NOT EXISTS notifications (event_id TEXT PRIMARY KEY, body BLOB, done INTEGER DEFAULT 0)")


@app.post("/egov/notifications")
def notification():
    body = request.get_data()  # the raw bytes: the signature covers them, not a re-serialised JSON
    if not is_genuine(SECRET, request.headers.get("X-Egov-Timestamp", ""),
                      request.headers.get("X-Egov-Signature", ""), body):
        return "", 401
    with db:  # kept once, however many times it is delivered; your own worker takes it from here
        db.execute("INSERT OR IGNORE INTO notifications (event_id, body) VALUES (?, ?)",
                   (request.headers["X-Egov-Event-Id"], body))
    return "", 204  # at once (within 5 seconds), and for a repeat too: anything else is retried
