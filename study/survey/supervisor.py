"""The supervisor of ``replylab serve --workers N``: uvicorn's, letting go of the socket first.

uvicorn's supervisor (:class:`uvicorn.supervisors.Multiprocess`) starts the
worker processes, restarts one that dies, and on SIGTERM or SIGINT stops them:
each worker closes its copy of the listening socket and finishes its requests
in flight. The supervisor itself kept its copy open until it exited, so a new
connection during the drain was queued by the kernel and hung until then.
:class:`ClosingSupervisor` closes its copy first: with every copy closed a new
connection is refused at once, and a proxy in front answers or retries
elsewhere.

>>> issubclass(ClosingSupervisor, Multiprocess)
True
"""

from __future__ import annotations

from uvicorn.supervisors import Multiprocess


class ClosingSupervisor(Multiprocess):
    """uvicorn's supervisor of worker processes that closes its listening socket before
    it stops the workers."""

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()
