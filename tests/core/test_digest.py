"""One SHA-1 for the app (core/digest.py): the same digests as hashlib's, without OpenSSL."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from genai_desktop.core.digest import sha1
from genai_desktop.core.study.session import card_id_for


def test_the_digest_is_sha1_and_card_ids_do_not_change() -> None:
    for data in (b"", b"abc", b"attention is all you need" * 100):
        assert sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
    # A card's id is stored in every user's progress database: it must never change.
    assert card_id_for("what-is-attention") == int.from_bytes(hashlib.sha1(b"what-is-attention").digest()[:6], "big")


def test_what_names_cards_and_formulas_does_not_load_openssl() -> None:
    probe = ("import sys, genai_desktop.core.study.session, genai_desktop.core.render.formulas, "
             "genai_desktop.core.study.deck_counts; print('_hashlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stdout + out.stderr
