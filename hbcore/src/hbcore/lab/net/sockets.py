"""Sockets that live in a lab namespace, created from the test process itself.

Python 3.11 has no ``os.setns``; ``setns(2)`` changes only the calling thread's namespace, so the
socket is made in a short-lived thread that joins the namespace. The socket keeps that
namespace for its whole life; the calling thread never changes namespace.
"""

from __future__ import annotations

import ctypes
import os
import socket
import threading

from hbcore.lab.net.iproute import NETNS_DIR

_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def socket_in_netns(
    netns: str, family: int = socket.AF_INET, kind: int = socket.SOCK_DGRAM, proto: int = 0
) -> socket.socket:
    """A new socket inside ``netns`` (which must exist: nothing is created)."""
    made: list[socket.socket] = []
    failed: list[BaseException] = []

    def work() -> None:
        fd = os.open(NETNS_DIR / netns, os.O_RDONLY)
        try:
            if _libc.setns(fd, _CLONE_NEWNET) != 0:
                errno = ctypes.get_errno()
                raise OSError(errno, f"setns({netns}): {os.strerror(errno)}")
            made.append(socket.socket(family, kind, proto))
        except BaseException as error:
            failed.append(error)
        finally:
            os.close(fd)

    thread = threading.Thread(target=work, name=f"setns-{netns}")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return made[0]
