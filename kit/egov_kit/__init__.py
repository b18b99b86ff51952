"""Shared kit of the labour e-services suite: config, errors, auth verification, bus, health, logs."""
