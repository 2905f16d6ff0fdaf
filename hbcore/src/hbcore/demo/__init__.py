"""``hb demo``: a two-node cluster in network namespaces fails over and back while a client
watches the cluster address, printed as a timeline."""
