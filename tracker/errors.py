"""The base error of the write path, in a module light enough for every command to import.

``tracker.service`` (which loads tomlkit) defines the specific errors on top of it;
read-only commands catch :class:`ServiceError` without loading the service.
"""


class ServiceError(Exception):
    """A change that cannot be made; the message is for the user (Chinese)."""
