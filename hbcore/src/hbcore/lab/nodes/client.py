"""The client: a namespace on the public network only, standing for the cluster's users."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from hbcore.lab.net.iproute import LabCommandError, netns_exec_argv


@dataclass(frozen=True)
class Client:
    """The client namespace and its public address."""

    netns: str
    address: str

    def run(
        self, argv: Sequence[str], timeout: float = 30.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` in the client namespace to completion and capture its output."""
        result = subprocess.run(
            netns_exec_argv(self.netns, list(argv)),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise LabCommandError(
                f"client: {' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}"
            )
        return result
