"""Sequence tracking per peer (heartbeat's should_drop_message rules)."""

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


def test_after_death_numbering_restarts_but_generation_is_kept() -> None:
    peer = PeerSequence()
    peer.arrive(100, 40, is_status=True)
    peer.reset()
    assert peer.arrive(100, 7, is_status=True).arrival is Arrival.IN_ORDER
    assert peer.arrive(99, 8, is_status=True).arrival is Arrival.REPLAY
