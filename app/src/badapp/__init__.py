"""bad-app: a small HTTP service that is slow on purpose (bcrypt on every request)."""

__version__ = "0.1.0"
