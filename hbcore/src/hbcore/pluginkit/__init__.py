"""A library for plugin authors: code that several plugins would otherwise copy.

Nothing here is part of the daemon. The core imports nothing from this package and still knows
no medium and no hash (DESIGN promise 3); a plugin imports what it needs from it, as the
built-in media import :mod:`hbcore.pluginkit.udp` and the built-in HMAC methods import
:mod:`hbcore.pluginkit.hmac_auth`. Each module depends on the standard library alone, so
importing one costs a plugin nothing more than its own code.
"""
