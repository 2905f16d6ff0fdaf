"""Scripted runs on a lab that judge what they see: the seed's test plan (``hb lab test-plan``)."""
