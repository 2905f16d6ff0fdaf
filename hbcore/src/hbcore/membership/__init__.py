"""Who is alive: the node table, link status and death detection."""
