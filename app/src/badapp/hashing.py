"""The hot path. Kept in one clearly named function so a profile can point at it.

bcrypt >= 4.1 is a Rust extension that releases the GIL while it works: Python samplers see this
function as the leaf of every sample spent hashing, which is exactly what a hotspot verdict names.
"""

import bcrypt


def hash_password(password: bytes, rounds: int) -> bytes:
    return bcrypt.hashpw(password, bcrypt.gensalt(rounds))
