"""The personal-data guard: scrkg holds pseudonymous codes, never names, birth dates or addresses.

Two checks, used by every reader:

* :func:`personal_field` looks at a *name*: a CSV column, a JSON key, or the local name of an RDF
  predicate. The name is split into words (``Date of Birth``, ``date_of_birth``, ``dateOfBirth``
  and ``DOB`` all work) and refused when a word, or a run of words read together, is a
  personal-data term (``name``, ``surname``, ``birth``, ``postcode``, ``nhs``, ``email``...).
* :func:`personal_value` looks at a *value*: text that looks like a UK postcode, an NHS number
  (10 digits, optionally spaced 3-3-4), an e-mail address, and, in free-text fields, a date.

For RDF, :func:`guard_triples` applies both to every triple (predicates, ``mailto:``/``tel:`` IRIs,
string literals). Dates are not screened in RDF: typed dates such as an evaluation date are data,
and quoted report sentences legitimately mention reporting periods.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from scrkg.loader.errors import PersonalDataError, ProblemLog

#: Terms that mark a field as personal data, compared with the field's words (lower case, and
#: written both with and without ``_`` between words).
PERSONAL_TERMS = frozenset(
    {
        "name", "names", "first_name", "last_name", "surname", "forename", "forenames",
        "given_name", "family_name", "full_name", "nickname", "nick", "alias",
        "dob", "date_of_birth", "birth", "birthday", "birth_date", "birthdate",
        "address", "street", "postcode", "post_code", "postal_code", "zip", "zipcode",
        "nhs", "nhs_number", "nhs_no", "ni_number", "ni_no", "national_insurance",
        "phone", "telephone", "mobile", "mbox", "email", "e_mail",
    }
)  # fmt: skip

#: Namespaces in which every predicate is personal data (vCard describes people and addresses).
PERSONAL_NAMESPACES = ("http://www.w3.org/2006/vcard/ns#", "http://www.w3.org/2001/vcard-rdf/")

_TERMS_JOINED = frozenset(term.replace("_", "") for term in PERSONAL_TERMS)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[^\W_]+")

_POSTCODE = r"(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})"
_POSTCODE_CELL = re.compile(rf"\s*{_POSTCODE}\s*", re.IGNORECASE)
_POSTCODE_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9]){_POSTCODE}(?![A-Za-z0-9])")
_NHS_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{10}|[0-9]{3} [0-9]{3} [0-9]{4})(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    r"(?<![0-9])(?:"
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"  # 2009-06-15
    r"|[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})"  # 15/06/2009, 15.6.09
    rf"|[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+[0-9]{{4}}"  # 15 June 2009
    rf"|(?:{_MONTHS})\.?\s+[0-9]{{1,2}}(?:st|nd|rd|th)?,?\s+[0-9]{{4}}"  # June 15, 2009
    r")(?![0-9])",
    re.IGNORECASE,
)


def words(name: str) -> list[str]:
    """The words of a field name: ``"dateOfBirth"`` -> ``["date", "of", "birth"]``."""
    return [w.lower() for w in _WORD.findall(_CAMEL.sub("_", name))]


def personal_field(name: str) -> str | None:
    """The personal-data term a field name contains, or None when it looks harmless."""
    parts = words(name)
    for start in range(len(parts)):
        for end in range(start + 1, min(start + 4, len(parts)) + 1):
            run = parts[start:end]
            if "_".join(run) in PERSONAL_TERMS or "".join(run) in _TERMS_JOINED:
                return "_".join(run)
    return None


def personal_value(text: str, *, free_text: bool = False) -> str | None:
    """What personal data a value looks like (``"a UK postcode"``...), or None.

    ``free_text`` fields (ids, board names, lesson texts, titles) are also screened for dates,
    which could be dates of birth; coded and date fields are not.
    """
    if _EMAIL.search(text):
        return "an e-mail address"
    if _NHS_NUMBER.search(text):
        return "an NHS number"
    if _POSTCODE_CELL.fullmatch(text) or _POSTCODE_IN_TEXT.search(text):
        return "a UK postcode"
    if free_text and _DATE.search(text):
        return "a date (it could be a date of birth)"
    return None


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#``, ``/`` or ``:``."""
    return re.split(r"[#/:]", iri.rstrip("#/"))[-1]


def personal_predicate(iri: str) -> str | None:
    """Why a predicate IRI looks like personal data, or None."""
    if iri.startswith(PERSONAL_NAMESPACES):
        return "a vCard property (vCard describes people and their addresses)"
    term = personal_field(local_name(iri))
    return f"its name contains {term!r}" if term else None


_STRING_TYPES = frozenset(
    {
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    }
)


def guard_triples(triples: Iterable[ox.Triple], log: ProblemLog) -> None:
    """Refuse personal data in RDF: predicates, ``mailto:``/``tel:`` IRIs and string literals.

    Problems go to ``log`` (location: the subject, field: the predicate); a predicate is reported
    once, not once per triple.
    """
    checked: dict[str, str | None] = {}
    for triple in triples:
        predicate = triple.predicate.value
        if predicate not in checked:
            reason = checked[predicate] = personal_predicate(predicate)
            if reason:
                log.add(
                    PersonalDataError(
                        f"the property <{predicate}> looks like personal data ({reason}); "
                        "scrkg holds pseudonymous codes only, remove it from the source",
                        location=f"subject {triple.subject}",
                        field=predicate,
                        rule="personal-data-property",
                    )
                )
        obj = triple.object
        kind: str | None = None
        if isinstance(obj, ox.NamedNode):
            if obj.value.lower().startswith(("mailto:", "tel:")):
                kind = "a mailto: or tel: address"
        elif isinstance(obj, ox.Literal) and obj.datatype.value in _STRING_TYPES:
            kind = personal_value(obj.value)
        if kind:
            log.add(
                PersonalDataError(
                    f"the value {_short(obj)} looks like {kind}; scrkg holds no personal data",
                    location=f"subject {triple.subject}",
                    field=predicate,
                    rule="personal-data-value",
                )
            )


def _short(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    text = str(term)
    return text if len(text) <= 80 else text[:77] + "..."
