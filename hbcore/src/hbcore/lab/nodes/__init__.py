"""Cluster nodes (and the client): their files, their namespaces, their processes, their logs."""
