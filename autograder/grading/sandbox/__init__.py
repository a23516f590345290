"""Run student code in isolated worker processes and talk to it by remote calls.

Where to read, in order:

- ``lifecycle.py``  ``Sandbox``: starts the fork server, forks a worker per test, ends the run.
- ``rpc.py``        ``Worker`` and ``RemoteHandle``: calls into a worker, with deadlines.
- ``privileges.py`` who workers run as (chosen once per run), and the install check behind it.
- ``server.py``     inside the fork server: preloading, forking, confining a worker.
- ``serve.py``      inside a worker: answering the grader's requests.
- ``confine.py``    the address-space cap and the clean-up of shared scratch folders.
- ``wire.py``       the framing both sockets use.
- ``errors.py``     what a call can raise.

Values cross as codec messages (``autograder/codec.py``); the words a student reads about a
failure come from ``autograder/feedback.py``.
"""

from .errors import SandboxError, StudentError, WorkerCrashed, WorkerTimeout
from .lifecycle import Sandbox
from .privileges import sandbox_user, workers_drop_privileges
from .rpc import RemoteHandle, Worker

__all__ = ["RemoteHandle", "Sandbox", "SandboxError", "StudentError", "Worker", "WorkerCrashed",
           "WorkerTimeout", "sandbox_user", "workers_drop_privileges"]
