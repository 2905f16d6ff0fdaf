"""Sequence tracking per peer (heartbeat's should_drop_message rules), gaps of any size, stale
statuses, and a sender's death that leaves no replay window."""

from hbcore.wire.numbers import U64_MAX
from hbcore.wire.sequence import MAX_MISSING, RESET_GAP, Arrival, PeerSequence


def test_first_message_and_the_next_are_in_order() -> None:
    peer = PeerSequence()
    assert peer.arrive(100, 1, is_status=True).arrival is Arrival.IN_ORDER
    assert peer.arrive(100, 2, is_status=False).arrival is Arrival.IN_ORDER
    assert peer.last_seq == 2


def test_same_number_again_is_a_duplicate_and_not_processed() -> None:
    peer = PeerSequence()
    peer.arrive(100, 5, is_status=True)
    report = peer.arrive(100, 5, is_status=True)
    assert report.arrival is Arrival.DUPLICATE and not report.should_process


def test_older_generation_is_a_replay() -> None:
    peer = PeerSequence()
    peer.arrive(100, 5, is_status=True)
    report = peer.arrive(99, 6, is_status=True)
    assert (report.arrival, report.previous_generation) == (Arrival.REPLAY, 100)
    assert not report.should_process
    assert peer.last_seq == 5


def test_status_with_newer_generation_is_a_restart_and_resets_numbering() -> None:
    peer = PeerSequence()
    peer.arrive(100, 50, is_status=True)
    report = peer.arrive(101, 1, is_status=True)
    assert (report.arrival, report.previous_generation) == (Arrival.RESTART, 100)
    assert (peer.generation, peer.last_seq) == (101, 1)


def test_only_status_messages_announce_a_restart() -> None:
    peer = PeerSequence()
    peer.arrive(100, 50, is_status=True)
    assert peer.arrive(101, 51, is_status=False).arrival is Arrival.IN_ORDER
    assert peer.generation == 100


def test_gap_reports_the_lost_numbers_and_a_retransmission_fills_them() -> None:
    peer = PeerSequence()
    peer.arrive(100, 3, is_status=True)
    report = peer.arrive(100, 6, is_status=False)
    assert (report.arrival, report.lost) == (Arrival.AHEAD, (4, 5))
    assert peer.arrive(100, 5, is_status=False).arrival is Arrival.FILLS_GAP
    assert peer.arrive(100, 5, is_status=False).arrival is Arrival.DUPLICATE
    assert peer.missing == {4}


def test_old_number_not_missing_is_a_duplicate() -> None:
    peer = PeerSequence()
    peer.arrive(100, 10, is_status=True)
    assert peer.arrive(100, 3, is_status=False).arrival is Arrival.DUPLICATE


def test_a_huge_gap_resets_tracking() -> None:
    peer = PeerSequence()
    peer.arrive(100, 1, is_status=True)
    report = peer.arrive(100, RESET_GAP + 3, is_status=False)
    assert report.arrival is Arrival.RESET and report.should_process
    assert peer.missing == set() and peer.last_seq == RESET_GAP + 3


def test_missing_list_is_bounded() -> None:
    peer = PeerSequence()
    peer.arrive(100, 1, is_status=True)
    seq = 1
    for _ in range(5):
        seq += RESET_GAP
        peer.arrive(100, seq, is_status=False)
    assert len(peer.missing) == MAX_MISSING
    assert min(peer.missing) > 2


def test_irretrievable_numbers_are_forgotten() -> None:
    peer = PeerSequence()
    peer.arrive(100, 1, is_status=True)
    peer.arrive(100, 3, is_status=False)
    peer.give_up(2)
    assert peer.missing == set()


def test_a_gap_of_ten_million_resets_at_once_without_listing_it() -> None:
    peer = PeerSequence()
    peer.arrive(100, 1, is_status=True)
    report = peer.arrive(100, 10**7, is_status=False)
    assert (report.arrival, report.lost) == (Arrival.RESET, ())
    assert peer.last_seq == 10**7


def test_a_gap_of_two_to_the_64_resets_at_once() -> None:
    """Building this gap would need 2**64 numbers: it must be measured, never listed."""
    peer = PeerSequence()
    peer.arrive(100, 1, is_status=True)
    report = peer.arrive(100, U64_MAX, is_status=True)
    assert (report.arrival, report.lost) == (Arrival.RESET, ())
    assert peer.arrive(100, U64_MAX, is_status=True).arrival is Arrival.DUPLICATE


def test_a_gap_of_exactly_the_reset_gap_is_still_asked_for() -> None:
    peer = PeerSequence()
    peer.arrive(100, 1, is_status=True)
    report = peer.arrive(100, RESET_GAP + 2, is_status=False)
    assert report.arrival is Arrival.AHEAD and len(report.lost) == RESET_GAP


def test_the_oldest_missing_numbers_are_forgotten_first() -> None:
    peer = PeerSequence()
    peer.arrive(100, 1, is_status=True)
    for last in (250, 499, 748):
        peer.arrive(100, last, is_status=False)
    # 744 missing (2-249, 251-498, 500-747): the 244 oldest, 2 to 245, are forgotten.
    assert len(peer.missing) == MAX_MISSING
    assert (min(peer.missing), max(peer.missing)) == (246, 747)


# -- stale statuses (heartbeat's status_seqno) ------------------------------------------------


def test_a_missing_status_older_than_the_last_accepted_one_is_superseded() -> None:
    peer = PeerSequence()
    peer.arrive(100, 3, is_status=True)
    peer.arrive(100, 5, is_status=True)  # 4 missing
    assert peer.status_seq == 5
    report = peer.arrive(100, 4, is_status=True)
    assert report.arrival is Arrival.SUPERSEDED
    assert not report.should_process
    assert peer.missing == set() and peer.status_seq == 5


def test_a_missing_status_newer_than_the_last_accepted_one_fills_the_gap() -> None:
    peer = PeerSequence()
    peer.arrive(100, 3, is_status=True)
    peer.arrive(100, 5, is_status=False)  # 4 missing
    report = peer.arrive(100, 4, is_status=True)
    assert report.arrival is Arrival.FILLS_GAP and report.should_process
    assert peer.status_seq == 4


def test_a_restart_starts_counting_statuses_again() -> None:
    peer = PeerSequence()
    peer.arrive(100, 90, is_status=True)
    peer.arrive(101, 1, is_status=True)
    assert peer.status_seq == 1


# -- after the sender's death ------------------------------------------------------------------


def dead_sender() -> PeerSequence:
    """A sender heard up to status 40 of generation 100 (38 missing), then declared dead."""
    peer = PeerSequence()
    peer.arrive(100, 37, is_status=True)
    peer.arrive(100, 39, is_status=False)
    peer.arrive(100, 40, is_status=True)
    peer.sender_died()
    return peer


def test_after_death_a_replayed_old_status_is_stale_again_and_again() -> None:
    peer = dead_sender()
    for _ in range(3):
        report = peer.arrive(100, 40, is_status=True)
        assert report.arrival is Arrival.STALE
        assert not report.should_process
    assert peer.arrive(100, 38, is_status=True).arrival is Arrival.STALE
    assert peer.arrive(100, 1, is_status=False).arrival is Arrival.STALE
    assert (peer.generation, peer.last_seq, peer.sender_dead) == (100, 40, True)


def test_after_death_missing_numbers_are_no_longer_awaited() -> None:
    peer = dead_sender()
    assert peer.missing == set()
    assert peer.arrive(100, 38, is_status=False).arrival is Arrival.STALE


def test_after_death_a_higher_number_is_the_sender_back_without_a_gap() -> None:
    """A return after a partition: its numbers went on meanwhile; tracking restarts there and
    asks for nothing missed while it was cut off."""
    peer = dead_sender()
    report = peer.arrive(100, 400, is_status=True)
    assert (report.arrival, report.lost) == (Arrival.IN_ORDER, ())
    assert (peer.last_seq, peer.status_seq, peer.sender_dead) == (400, 400, False)
    assert peer.arrive(100, 401, is_status=False).arrival is Arrival.IN_ORDER
    assert peer.arrive(100, 40, is_status=True).arrival is Arrival.DUPLICATE


def test_after_death_a_newer_generation_is_a_restart_and_an_older_a_replay() -> None:
    peer = dead_sender()
    assert peer.arrive(99, 500, is_status=True).arrival is Arrival.REPLAY
    report = peer.arrive(101, 1, is_status=True)
    assert (report.arrival, report.previous_generation) == (Arrival.RESTART, 100)
    assert (peer.generation, peer.last_seq, peer.sender_dead) == (101, 1, False)
    assert peer.arrive(100, 41, is_status=True).arrival is Arrival.REPLAY


def test_after_death_only_a_status_announces_a_restart() -> None:
    peer = dead_sender()
    assert peer.arrive(101, 2, is_status=False).arrival is Arrival.STALE
    assert peer.arrive(101, 1, is_status=True).arrival is Arrival.RESTART


def test_death_of_a_sender_never_heard_changes_nothing() -> None:
    peer = PeerSequence()
    peer.sender_died()
    assert peer.arrive(7, 3, is_status=True).arrival is Arrival.IN_ORDER
