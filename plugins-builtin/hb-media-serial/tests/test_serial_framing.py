"""Reassembling classic messages from what a serial line delivers, and what may be sent."""

import pytest
from hb_media_serial.framing import MAXMSG, ClassicFramer, refusal

STATUS = b">>>\nt=status\nst=active\nseq=1f\nauth=1 0123abcd\n<<<\n"


def feed_all(framer: ClassicFramer, *chunks: bytes) -> list[bytes]:
    return [packet for chunk in chunks for packet in framer.feed(chunk)]


def test_a_whole_message_comes_out_unchanged() -> None:
    assert ClassicFramer().feed(STATUS) == [STATUS]


def test_a_message_read_one_byte_at_a_time_is_reassembled() -> None:
    framer = ClassicFramer()
    assert feed_all(framer, *(STATUS[i : i + 1] for i in range(len(STATUS)))) == [STATUS]
    assert framer.buffered() == 0


def test_back_to_back_messages_in_one_read() -> None:
    assert ClassicFramer().feed(STATUS * 3) == [STATUS] * 3


def test_garbage_between_messages_is_skipped() -> None:
    noise = b"login: \nATZ\nOK\nt=half a message\n<<<\npartial line without newline"
    assert feed_all(ClassicFramer(), noise, b"\n", STATUS, b"line noise\n", STATUS) == [
        STATUS,
        STATUS,
    ]


def test_carriage_returns_are_dropped_and_bit_7_stripped() -> None:
    # What a peer's ISTRIP/IGNCR tty would make of a line with parity noise and CRLF endings.
    mangled = bytes(byte | 0x80 for byte in STATUS.replace(b"\n", b"\r\n"))
    assert ClassicFramer().feed(mangled) == [STATUS]


def test_a_start_line_with_junk_in_front_still_starts_a_message() -> None:
    # The break a peer sends when it opens its line arrives as a NUL.
    assert ClassicFramer().feed(b"\x00" + STATUS) == [STATUS]
    assert ClassicFramer().feed(b"t=cut off by a reboot>>>\n" + STATUS[4:]) == [STATUS]


def test_heartbeat_start_and_end_lines_may_carry_trailing_text() -> None:
    assert ClassicFramer().feed(b">>> \nt=status\n<<<\x00\n") == [b">>>\nt=status\n<<<\n"]


def test_a_new_start_line_inside_a_message_restarts_it() -> None:
    half = b">>>\nt=status\nseq=1"
    assert ClassicFramer().feed(half + b"\n" + STATUS) == [STATUS]


def test_endless_junk_without_newlines_does_not_grow_memory() -> None:
    framer = ClassicFramer()
    for _ in range(1000):
        assert framer.feed(b"\xff" * 10_000) == []
    assert framer.buffered() < 100
    assert framer.feed(b">>>\n" + STATUS[4:]) == [STATUS]


def test_endless_field_lines_are_dropped_at_maxmsg() -> None:
    framer = ClassicFramer()
    framer.feed(b">>>\n")
    for _ in range(MAXMSG // 1000 + 10):
        framer.feed(b"x=" + b"y" * 1000 + b"\n")
        assert framer.buffered() <= MAXMSG + 1100
    assert framer.oversized == 1
    assert framer.buffered() < 100
    assert framer.feed(b"<<<\n" + STATUS) == [STATUS]


def test_a_small_limit_drops_a_long_message_and_keeps_the_next() -> None:
    framer = ClassicFramer(limit=64)
    long = b">>>\n" + b"info=" + b"z" * 100 + b"\n<<<\n"
    assert framer.feed(long + STATUS) == [STATUS]
    assert framer.oversized == 1


def test_reset_forgets_a_partial_message() -> None:
    framer = ClassicFramer()
    framer.feed(STATUS[:20])
    framer.reset()
    assert framer.buffered() == 0
    assert framer.feed(STATUS[20:]) == []


@pytest.mark.parametrize("packet", [STATUS, b">>>\nt=x\ninfo=tab\tand ~ \x13\n<<<\n"])
def test_seven_bit_packets_may_be_sent(packet: bytes) -> None:
    assert refusal(packet) is None


def test_packets_the_peer_would_alter_are_refused() -> None:
    assert refusal(b">>>\nnode=caf\xc3\xa9\n<<<\n") == "byte 0xc3 at offset 12 is not 7-bit"
    assert refusal(b">>>\nt=x\r\n<<<\n") == "carriage return at offset 7"
