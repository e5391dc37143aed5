"""Domain errors raised by services when the state of things forbids a change."""


class DomainError(Exception):
    """A change the current state does not allow. The message is shown to the user as is."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
