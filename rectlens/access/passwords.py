"""Passwords: argon2id hashes (never the password itself), the strength rule, issued passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rectlens import config

# argon2-cffi's defaults are RFC 9106's second recommendation: argon2id, 64 MiB, 3 passes.
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the login is unknown, so a wrong login costs as long as a wrong password.
    Made on first use: hashing costs about 0.1 s, which every process (the CLI's `ingest` too) would pay at import."""
    return _HASHER.hash(secrets.token_urlsafe(16))


CLASSES = (
    ("小写字母", str.islower),
    ("大写字母", str.isupper),
    ("数字", str.isdigit),
    ("其他字符", lambda c: not (c.isalnum() and c.isascii()) and not c.isspace()),
)


@dataclass(frozen=True)
class PasswordRule:
    min_length: int = 10
    min_classes: int = 3

    def describe(self) -> str:
        return f"至少 {self.min_length} 个字符，并包含小写字母、大写字母、数字、其他字符中的至少 {self.min_classes} 种"


def rule() -> PasswordRule:
    found = config.settings().get("accounts", {})
    return PasswordRule(int(found.get("password_min_length", 10)), int(found.get("password_min_classes", 3)))


def weaknesses(password: str, login: str = "") -> list[str]:
    """What is wrong with a new password (empty when it is acceptable)."""
    wanted = rule()
    found: list[str] = []
    if len(password) < wanted.min_length:
        found.append(f"长度不足 {wanted.min_length} 个字符（现为 {len(password)} 个）")
    present = [label for label, test in CLASSES if any(test(c) for c in password)]
    if len(present) < wanted.min_classes:
        missing = [label for label, _test in CLASSES if label not in present]
        found.append(f"只含 {len(present)} 种字符，还需包含{'、'.join(missing)}中的 {wanted.min_classes - len(present)} 种")
    if login and login.lower() in password.lower():
        found.append("不能包含登录名")
    return found


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def issue() -> str:
    """A one-time password that meets the rule: all four classes, no look-alike characters."""
    alphabet = {
        "lower": "abcdefghjkmnpqrstuvwxyz",
        "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "digit": "23456789",
        "other": "#%+=@",
    }
    chosen = [secrets.choice(chars) for chars in alphabet.values()]
    pool = "".join(alphabet.values())
    chosen += [secrets.choice(pool) for _ in range(max(14, rule().min_length + 2) - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)
