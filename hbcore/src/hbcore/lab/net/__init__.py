"""Network namespaces, the switch that joins them, faults on its links, sockets inside them."""
