"""The node daemon: one asyncio loop that sends heartbeats, receives packets and keeps the
node table, wiring media, wire, membership and (later) resources together."""
