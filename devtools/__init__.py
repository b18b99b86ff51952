"""Local tooling: the one-machine suite runner used by `make run` and by the tests."""
