"""Run student code in isolated worker processes and talk to it by remote calls."""

from .client import (
    Limits,
    RemoteHandle,
    Sandbox,
    SandboxError,
    StudentError,
    Worker,
    WorkerCrashed,
    WorkerTimeout,
)

__all__ = ["Limits", "RemoteHandle", "Sandbox", "SandboxError", "StudentError", "Worker",
           "WorkerCrashed", "WorkerTimeout"]
