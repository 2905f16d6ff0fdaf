"""The bounds a packet must stay within, so that decoding any packet costs O(its length).

A peer or a forger decides what a packet holds; these bounds decide what reading it may cost.
Each is far above what heartbeat 3.0.6 ever sends, so no genuine message meets one.
"""

MAXMSG = 262144
"""heartbeat's receive buffer: a packet of this many bytes or more is refused ("msg too big")."""

MAX_FIELDS = 256
"""Fields in one message (lines, blank ones included, in a classic packet).

heartbeat's messages in haresources mode have at most ~20 fields (the captures: 16 at most);
lists of nodes travel inside one field. Without a bound, 64 KB of 8-byte fields is 8000 fields
to parse one by one; the bound keeps the parse of a message a key holder (or, with ``auth
crc``, anyone) can send to a fraction of a millisecond.
"""
