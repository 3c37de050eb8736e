"""The shipped list of common and breached passwords (NIST SP 800-63B 5.1.1.2: refuse "commonly-used,
expected, or compromised" passwords), and the context-specific words refused with it.

`common_passwords.txt.gz` (package data, lower-case, one per line, `#` comments) was built offline from
lists that Debian packages ship: sqlmap's `data/txt/smalldict.txt` (common passwords) and every entry of 12+
characters of sqlmap's `data/txt/wordlist.tx_` (a compilation of leaked and cracked passwords), wapiti's
`attacks/passwords.txt`, plus common words padded to the 12-character minimum with the usual suffixes
(1, 123, 2026, !), doubled words, repeated characters and keyboard runs. See `build()` to regenerate.
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

# Words a user of this service would reach for: refused when the password is little more than them.
CONTEXT_WORDS = ("muniassess", "muni_assess", "muni-assess", "muni assess", "password", "passw0rd",
                 "cybersecurity", "assessment")
_TRAILING = re.compile(r"[\d\W_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    data = resources.files("muni_assess.auth").joinpath("common_passwords.txt.gz").read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_refused(password: str, context: tuple[str, ...] = ()) -> bool:
    """True for a password on the list, a listed word plus digits/symbols, or little more than a context word
    (the service's name, the user's e-mail address or its local part)."""
    low = password.lower()
    words = common_passwords()
    if low in words or low.strip() in words:
        return True
    base = _TRAILING.sub("", low)
    if len(base) >= 4 and base in words:
        return True
    for word in (*CONTEXT_WORDS, *(c.lower() for c in context if c)):
        if len(word) >= 4 and word in low and len(low) - len(word) < 6:
            return True
    return False


def build(out_path: str) -> int:  # pragma: no cover - run by hand on a machine with Debian's sqlmap and wapiti
    """Regenerate common_passwords.txt.gz from the Debian-packaged lists named in the module docstring."""
    import zipfile

    sqlmap = "/usr/share/sqlmap/data/txt/"
    small = open(sqlmap + "smalldict.txt", encoding="latin-1").read().splitlines()
    wapiti = open("/usr/lib/python3/dist-packages/wapitiCore/data/attacks/passwords.txt").read().splitlines()
    big = zipfile.ZipFile(sqlmap + "wordlist.tx_").read("wordlist.txt").decode("latin-1").splitlines()
    words = {w.strip().lower() for w in small + wapiti if w.strip().isprintable() and w.strip()}
    words |= {w.strip().lower() for w in big if 12 <= len(w.strip()) <= 64 and w.strip().isprintable()}
    suffixes = ["1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "!", "1!", "123!",
                "2024", "2025", "2026", "2027", "@123", "#1"]
    for base in {w for w in (x.strip().lower() for x in small + wapiti) if 4 <= len(w) < 12 and w.isalnum()}:
        words |= {base + s for s in suffixes if len(base + s) >= 12}
        if len(base * 2) >= 12:
            words.add(base * 2)
    for ch in "abcdefghijklmnopqrstuvwxyz0123456789!*.-":
        words |= {ch * n for n in range(12, 21)}
    for run in ("1234567890", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz",
                "1qaz2wsx3edc4rfv", "qazwsxedcrfv"):
        words |= {(run * 3)[:n] for n in range(12, len(run * 3) + 1)}
    header = (__doc__ or "").strip().splitlines()
    with gzip.open(out_path, "wt", encoding="utf-8") as f:
        f.write("\n".join(["# " + h for h in header] + sorted(words)) + "\n")
    return len(words)
