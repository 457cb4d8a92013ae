"""Finding the companies and contacts an import names, or planning new ones.

A client is looked up by e-mail, then phone, then name, among those in the database and
those the import has already planned, so a client named on many rows (or in many
imports) is created once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dealterm.core.importing.lookups import Clients
from dealterm.core.importing.values import norm_value

__all__ = ["ClientBook", "NewClient"]


@dataclass
class NewClient:
    """A company or contact the import creates; ``ref`` is negative until it has an id."""

    ref: int
    name: str
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    company: int | None = None


class ClientBook:
    """Finds a company or contact by e-mail, phone or name, or plans a new one."""

    def __init__(self, known: Clients) -> None:
        self.known = known
        self.new: list[NewClient] = []
        self.matched: set[int] = set()
        self._keys: dict[str, str] = {}

    def _key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = norm_value(name)
        return key

    def _hit(self, ref: int, emails: list[tuple[str, str]], phones: list[tuple[str, str]]) -> int:
        if ref > 0:
            self.matched.add(ref)
            return ref
        if not emails and not phones:
            return ref
        if not phones and len(emails) == 1 and self.known.by_email.get(emails[0][1]) == ref:
            return ref  # the usual repeat: the one e-mail it was found by, learnt already
        # one of ours: it learns the channels this row adds
        client = self.new[-ref - 1]
        for found, known, channels in (
            (emails, self.known.by_email, client.emails),
            (phones, self.known.by_phone, client.phones),
        ):
            for value, norm in found:
                if known.setdefault(norm, ref) != ref:
                    continue
                for _value, had in channels:
                    if had == norm:
                        break
                else:
                    channels.append((value, norm))
        return ref

    def find_or_add(
        self,
        name: str | None,
        emails: list[tuple[str, str]],
        phones: list[tuple[str, str]],
        company: int | None = None,
    ) -> int:
        """The id (positive) or new ref (negative) of the client these details describe."""
        known = self.known
        for _value, norm in emails:
            if norm in known.by_email:
                return self._hit(known.by_email[norm], emails, phones)
        for _value, norm in phones:
            if norm in known.by_phone:
                return self._hit(known.by_phone[norm], emails, phones)
        key = self._key(name) if name else ""
        if key and key in known.by_name:
            return self._hit(known.by_name[key], emails, phones)
        shown = name or (emails[0][0] if emails else phones[0][0])
        ref = -(len(self.new) + 1)
        self.new.append(NewClient(ref, shown, [], [], company))
        known.by_name.setdefault(key or norm_value(shown), ref)
        return self._hit(ref, emails, phones)
