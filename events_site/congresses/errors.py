"""Domain errors: raised by services when a user asks for something the rules refuse.

Each carries a translatable message; views and the API turn it into a clear answer.
"""


class DomainError(Exception):
    """Base of every error a user can cause. ``code`` is stable for API clients."""

    code = "invalid"
    status_code = 400

    def __init__(self, message, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class Busy(DomainError):
    """A lock could not be taken in time: the caller should try again shortly."""

    code = "busy"
    status_code = 503
