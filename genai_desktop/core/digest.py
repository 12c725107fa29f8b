"""SHA-1, the one digest the app names things by (card ids, formula keys, pack and media names).

CPython's own SHA-1, not hashlib's: hashlib loads OpenSSL's libcrypto on import, about 3.6 MB of
resident memory on this app's way to its first window (card ids and formula keys are needed
there), for a digest CPython implements itself. The digests are the same bytes either way.
"""

from __future__ import annotations

try:
    from _sha1 import sha1
except ImportError:  # a Python built without it (not CPython's default)
    from hashlib import sha1

__all__ = ["sha1"]
