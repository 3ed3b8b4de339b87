"""Domain errors that views turn into HTTP statuses."""


class DomainError(Exception):
    status = 400


class Invalid(DomainError):
    status = 400


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409
