"""Named domain errors. The web layer turns each into a message for the user."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the registry refused an operation.

    ``field`` names the form field the message belongs to, when there is one.
    """

    message = "The change could not be made."
    field: str | None = None

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        if field is not None:
            self.field = field

    def with_field(self, field: str) -> DomainError:
        self.field = field
        return self


class NameTaken(DomainError):
    message = "An organisation with this name is already on the register"
    field = "name"


class EmailTaken(DomainError):
    message = "A user with this email address already exists"
    field = "email"


class StaleEdit(DomainError):
    """Someone else saved the record after this form was opened."""

    message = "Someone else changed this record while you were editing it"

    def __init__(self, message: str | None = None, *, changed: dict | None = None) -> None:
        super().__init__(message)
        self.changed = changed or {}


class InvalidSuccessor(DomainError):
    field = "successor_id"


class AlreadyDissolved(DomainError):
    message = "This organisation is already marked as dissolved"


class PartnerNeedsOrganisation(DomainError):
    message = "Select the organisation this partner user belongs to"
    field = "organisation_id"


class CannotChangeOwnAccount(DomainError):
    message = "You cannot change your own role or deactivate your own account"


class DissolvedOrganisation(DomainError):
    """A dissolved organisation cannot join; its successor is suggested."""

    field = "organisation_id"

    def __init__(self, name: str, successor: str | None) -> None:
        hint = f" Add its successor, {successor}, instead" if successor else ""
        super().__init__(f"{name} has been dissolved and cannot be added.{hint}")
        self.successor = successor


class AlreadyMember(DomainError):
    message = "This organisation is already a member of the partnership"
    field = "organisation_id"


class OwnerNotMember(DomainError):
    message = "Select an owning organisation that is a current member of the partnership"
    field = "owner_organisation_id"


class InvalidDates(DomainError):
    pass


class AgreementNotEditable(DomainError):
    message = "This agreement cannot be changed while it is awaiting approval: ask an IG officer to return it first"


class FourEyes(DomainError):
    """An approval by whoever submitted or last edited the version (policy.four_eyes_problem)."""


class IllegalTransition(DomainError):
    pass


class NotReady(DomainError):
    """The readiness check found gaps; each is listed on the agreement page."""

    def __init__(self, gaps: list) -> None:  # type: ignore[type-arg]
        super().__init__(
            f"Fix the {len(gaps)} gap{'s' if len(gaps) != 1 else ''} the readiness check lists before submitting"
        )
        self.gaps = gaps


class PartyTaken(DomainError):
    message = "This organisation is already a party to the agreement"
    field = "organisation_id"
