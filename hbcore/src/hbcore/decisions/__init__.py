"""Cluster decisions beyond resource negotiation: ipfail."""
