"""`Closing`: `with obj:` for the core's objects that own a resource and release it in `close()`."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """Mixin: `__enter__` returns the object, `__exit__` calls `close()` (exceptions propagate).

    One definition for the client, the session, the store and the locks, so leaving a `with`
    block means the same thing everywhere.
    """

    __slots__ = ()

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
