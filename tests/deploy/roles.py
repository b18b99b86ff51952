"""What both deployment descriptions must run: each service's api, and its outbox relay / event
consumer where it has them."""

ROLES = {
    "auth": ("api", "relay", "consumer"),
    "registry": ("api",),
    "accidents": ("api", "relay"),
    "certificates": ("api", "relay", "consumer"),
    "contracts": ("api", "relay"),
    "insurers": ("api", "relay"),
    "notifier": ("api", "relay", "consumer"),
}
