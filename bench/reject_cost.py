"""Print what ``hbcore.wire.decode`` costs to accept a genuine packet and to reject garbage.

Run with the workspace venv: ``.venv/bin/python bench/reject_cost.py [--repeat N]``. It prints
figures and never asserts.

Each packet is decoded the way a node's receive path decodes it (``decode(packet, keyring,
check_inner=False)`` with an sha1 keyring, key 3), except the ``crc`` rows, which use a crc
keyring: with ``auth 1 crc`` anyone can sign, so only the codec's limits bound the work there.

The packets:

- genuine status, ~300 B: a status message as a node sends it, netstring and classic;
- genuine 60 KB: one large field, to compare the cost per byte of accepting with rejecting;
- the audit's flood packet (issue 8): ~65 KB of 8000 tiny netstring fields and a trailer with
  a bogus token;
- the audit's classic packet: 21000 lines ``a=`` and a bogus ``auth`` line, ~63 KB;
- the most lines a classic packet may have (``MAX_FIELDS``), tiny, with a bogus ``auth`` line:
  a classic packet is parsed before its inner field can be checked, so this is the worst case;
- the same 8000 fields signed with crc, which any sender can forge.

How it measures: ``timeit`` on one process, the best of ``--repeat`` rounds of enough calls
to last ~0.2 s each; the best round is the least disturbed by other work on the machine.
The machine is shared: other jobs make any single figure noisy, so compare rows of one run
and repeat a run before trusting a difference under ~20 %.
"""

from __future__ import annotations

import argparse
import functools
import platform
import timeit
from collections.abc import Callable

from hb_auth_crc.crc import CrcAuthenticator
from hb_auth_sha1.sha1 import Sha1Authenticator
from hb_hookspecs import AuthMethod, KeyRule
from hbcore.wire import Decoded, Encoding, Keyring, Message, decode, encode
from hbcore.wire.limits import MAX_FIELDS

SHA1 = AuthMethod("sha1", KeyRule.REQUIRED, Sha1Authenticator, "HMAC-SHA1")
CRC = AuthMethod("crc", KeyRule.FORBIDDEN, CrcAuthenticator, "crc")
STATUS = Message.of(
    ("t", "status"),
    ("st", "active"),
    ("dt", "2710"),
    ("protocol", "1"),
    ("rtime", "a"),
    ("src", "linuxha1"),
    ("srcuuid", bytes(range(16))),
    ("seq", "1f3"),
    ("hg", "5"),
    ("ts", "665f0a1c"),
    ("ld", "0.10 0.20 0.30 1/100 1234"),
    ("ttl", "3"),
)
FLOOD_FIELDS = 8000
CLASSIC_LINES = 21000


def flood_packet() -> bytes:
    """The audit's packet: 8000 fields ``(0)a=`` and a trailer whose token is wrong."""
    body = b"###\n" + b"5:(0)a=," * FLOOD_FIELDS + b"%%%\n"
    token = b"3 " + b"0" * 40
    return body + b"%d:%b," % (len(token), token)


def classic_flood_packet() -> bytes:
    """21000 lines ``a=`` and an ``auth`` line with a wrong token."""
    return b">>>\n" + b"a=\n" * CLASSIC_LINES + b"auth=3 " + b"0" * 40 + b"\n<<<\n"


def classic_worst_packet() -> bytes:
    """The most lines a classic packet may have, all tiny, and a bogus ``auth`` line: the most
    a classic packet can make the codec parse before its inner field is checked."""
    return b">>>\n" + b"a=\n" * (MAX_FIELDS - 1) + b"auth=3 " + b"0" * 40 + b"\n<<<\n"


def crc_forged_packet(crc: Keyring) -> bytes:
    """The flood packet with a correct crc trailer: what anyone can send to an ``auth crc`` node."""
    body = b"###\n" + b"5:(0)a=," * FLOOD_FIELDS + b"%%%\n"
    token = crc.sign(body).encode()
    return body + b"%d:%b," % (len(token), token)


def best_seconds(call: Callable[[], object], repeat: int) -> float:
    """The best time of one call over ``repeat`` rounds of ~0.2 s each."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds per packet (default 5)")
    repeat = parser.parse_args().repeat

    sha1 = Keyring(3, {3: (SHA1, b"steering-anchor-key")})
    crc = Keyring(1, {1: (CRC, b"")})
    big = STATUS.set("info", "x" * 60_000)
    cases: list[tuple[str, bytes, Keyring]] = [
        ("genuine status, netstring", encode(STATUS, sha1, Encoding.NETSTRING), sha1),
        ("genuine status, classic", encode(STATUS, sha1, Encoding.CLASSIC), sha1),
        ("genuine 60 KB field, netstring", encode(big, sha1, Encoding.NETSTRING), sha1),
        ("flood: 8000 fields, bogus trailer", flood_packet(), sha1),
        ("flood: 21000 classic lines, bogus auth", classic_flood_packet(), sha1),
        ("classic: 255 lines and a bogus auth", classic_worst_packet(), sha1),
        ("crc-signed 8000 fields (forgeable)", crc_forged_packet(crc), crc),
    ]

    print(f"hbcore.wire.decode, CPython {platform.python_version()}, best of {repeat} rounds")
    print(f"{'packet':<42} {'bytes':>7} {'result':<9} {'ms':>8} {'ns/byte':>8}  reason")
    for label, packet, keyring in cases:
        result = decode(packet, keyring, check_inner=False)
        call = functools.partial(decode, packet, keyring, check_inner=False)
        seconds = best_seconds(call, repeat)
        verdict = "accepted" if isinstance(result, Decoded) else "rejected"
        reason = "" if isinstance(result, Decoded) else result.reason[:60]
        print(
            f"{label:<42} {len(packet):>7} {verdict:<9} {seconds * 1e3:>8.3f}"
            f" {seconds * 1e9 / len(packet):>8.1f}  {reason}"
        )


if __name__ == "__main__":
    main()
