"""The Rust extension module of barnvern. Import from ``barnvern``, not from here."""

import datetime
from typing import final

from barnvern._types import Jurisdiction, PersonIdKind, Sex

__all__ = ["PersonId", "__version__"]

__version__: str
"""The version of barnvern (the same as the Rust crates)."""

@final
class PersonId:
    """A validated personal identity number.

    Sweden: personnummer and samordningsnummer (coordination number, day + 60). Norway:
    fødselsnummer, D-number (day + 40) and H-number (month + 40); synthetic test numbers
    (month + 80) are accepted and flagged by ``is_synthetic``.

    ``str(pid)`` gives the canonical digits (12 for Sweden, 11 for Norway); ``repr(pid)`` never
    shows them, so a repr in a log or a notebook cannot leak a number. Equal numbers are equal
    and hash alike; a ``PersonId`` pickles as its canonical digits.

    Identity numbers are personal data: keep them out of research extracts.
    """

    def __new__(
        cls,
        text: str,
        /,
        *,
        jurisdiction: Jurisdiction | None = None,
        reference_date: datetime.date | None = None,
    ) -> PersonId:
        """Parses an identity number; the same as :meth:`PersonId.parse`."""

    @staticmethod
    def parse(
        text: str,
        /,
        *,
        jurisdiction: Jurisdiction | None = None,
        reference_date: datetime.date | None = None,
    ) -> PersonId:
        """Parses an identity number in any common written form.

        Sweden: ``YYMMDD-NNNC``, ``YYMMDD+NNNC`` (100 or older), ``YYMMDDNNNC``,
        ``YYYYMMDDNNNC`` or ``YYYYMMDD-NNNC``. Norway: ``DDMMYYIIIKK``.

        Args:
            text: The number as written.
            jurisdiction: ``"SE"`` or ``"NO"``; when ``None`` it is recognised from the form.
            reference_date: The date the number was read on. A ten-digit Swedish number needs it
                to find the century; Norwegian numbers that no longer encode the century use it
                too.

        Raises:
            InvalidIdentifierError: The number was refused. The message names the rule that
                failed (never the digits); ``.errors`` holds the finding with its stable code,
                e.g. ``id.se.check_digit``.
            ValidationError: ``jurisdiction`` is not ``"SE"`` or ``"NO"``.
        """

    @property
    def jurisdiction(self) -> Jurisdiction:
        """The issuing country: ``"SE"`` or ``"NO"``."""

    @property
    def kind(self) -> PersonIdKind:
        """The kind of number: ``"personnummer"``, ``"samordningsnummer"``, ``"fodselsnummer"``,
        ``"d_number"`` or ``"h_number"``."""

    @property
    def is_synthetic(self) -> bool:
        """Whether the number is a synthetic test number (Norway: month + 80)."""

    @property
    def birth_date(self) -> datetime.date | None:
        """The birth date, where every part is known.

        The date in a number can be a nearby day rather than the real birth date; a
        samordningsnummer may have an unknown month or day.
        """

    @property
    def birth_year(self) -> int | None:
        """The birth year, where known."""

    @property
    def birth_month(self) -> int | None:
        """The birth month (1-12), where known."""

    @property
    def sex(self) -> Sex | None:
        """Legal sex as encoded in the number, or ``None`` where the number no longer encodes
        it."""

    def __str__(self) -> str:
        """The canonical digits."""

    def __repr__(self) -> str:
        """``PersonId(jurisdiction='SE', kind='personnummer')``: never the digits."""

    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[PersonId], tuple[str]]: ...
