"""The personal-data guard: scrkg holds pseudonymous codes, never names, birth dates or addresses.

Two checks, used by every reader:

* :func:`personal_field` looks at a *name*: a CSV column, a JSON key, or the local name of an RDF
  predicate. The name is split into words (``Date of Birth``, ``date_of_birth``, ``dateOfBirth``
  and ``DOB`` all work) and refused when a word, or a run of words read together, is a
  personal-data term (``name``, ``surname``, ``birth``, ``postcode``, ``nhs``, ``tel``...), or
  when the name written as one word contains one (``birthplace``, ``homePhone``).
* :func:`personal_value` looks at a *value*: an e-mail address (also written ``jo (at) x``), an NHS
  number (10 digits, in any grouping), a National Insurance number, a UK phone number, a UK
  postcode (in any case), a street address (``12 Acacia Road``), a person's name, and, in
  free-text fields, a date. Periods such as ``between 1 April 2009 and 31 March 2010`` are not
  dates of birth and pass; so do month-and-year mentions (``June 2009``) and reporting years.

Values are normalised before they are matched: Unicode NFKC (fullwidth digits become digits),
invisible characters removed, every dash made ``-`` and every run of spaces one space. Every
pattern starts where the character before it cannot continue it, and matches a bounded length or
a run it consumes once, so the time taken grows linearly with the value.

Names are recognised from two word lists shipped in ``loader/bundled/`` (``forenames.txt``, common
UK forenames that are not also everyday words, months or places, and ``surnames.txt``), in
context: a capitalised forename (``Mary``, ``MARY``), a forename followed by a listed surname in
any case (``mary smith``), a title followed by a capitalised word (``Mrs Okafor``), and a listed
name after ``named`` or ``called``; in free text, also a name just before a possessive
``'s`` (``Mary Seacole's house``), where a place word after a forename would otherwise let it
through. Pseudonyms such as ``Child A``, ``Mr X`` or ``Baby P`` pass,
and so do forenames inside the names of places and agencies (``St Mary's Hospital``,
``Queen Elizabeth Hospital``).

For RDF, :func:`guard_triples` applies both to every triple: the predicate's name, every IRI
(``mailto:``/``tel:`` IRIs, and e-mail addresses, NHS numbers, postcodes or names written inside
an IRI) and every literal whatever its datatype. Literals typed as dates (``xsd:date``,
``xsd:gYear``...) are data, such as an evaluation date, and are not screened for dates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from scrkg.loader.errors import PersonalDataError, ProblemLog
from scrkg.ontology import XSD, local_name

# -- field names ---------------------------------------------------------------------------------

#: Terms that mark a field as personal data, compared with the field's words (lower case, and
#: written both with and without ``_`` between words).
PERSONAL_TERMS = frozenset(
    {
        "name", "names", "first_name", "last_name", "surname", "forename", "forenames",
        "given_name", "family_name", "full_name", "maiden_name", "middle_name", "nickname",
        "nick", "alias", "initials",
        "dob", "date_of_birth", "birth", "birthday", "birth_date", "birthdate", "birthplace",
        "address", "street", "postcode", "post_code", "postal_code", "zip", "zipcode",
        "house_number",
        "nhs", "nhs_number", "nhs_no", "ni_number", "ni_no", "nino", "national_insurance",
        "passport",
        "phone", "telephone", "tel", "tel_no", "mobile", "mobile_no", "contact_number",
        "mbox", "email", "e_mail",
    }
)  # fmt: skip

#: Parts that mark a field as personal data wherever they occur in its name written as one word
#: (``birthplace``, ``homephone``, ``mothersurname``).
PERSONAL_STEMS = (
    "birth", "surname", "forename", "firstname", "lastname", "fullname", "givenname",
    "familyname", "maidenname", "middlename", "nickname", "postcode", "postalcode", "zipcode",
    "email", "phone", "telno", "mobileno", "nhsnumber", "nhsno", "streetaddress", "homeaddress",
    "postaladdress", "nationalinsurance", "ninumber", "passport",
)  # fmt: skip

#: Namespaces in which every predicate is personal data (vCard describes people and addresses).
PERSONAL_NAMESPACES = ("http://www.w3.org/2006/vcard/ns#", "http://www.w3.org/2001/vcard-rdf/")

_TERMS_JOINED = frozenset(term.replace("_", "") for term in PERSONAL_TERMS)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[^\W_]+")


def words(name: str) -> list[str]:
    """The words of a field name: ``"dateOfBirth"`` -> ``["date", "of", "birth"]``."""
    return [w.lower() for w in _WORD.findall(_CAMEL.sub("_", name))]


def personal_field(name: str) -> str | None:
    """The personal-data term a field name contains, or None when it looks harmless."""
    parts = words(normalise(name))
    for start in range(len(parts)):
        for end in range(start + 1, min(start + 4, len(parts)) + 1):
            run = parts[start:end]
            if "_".join(run) in PERSONAL_TERMS or "".join(run) in _TERMS_JOINED:
                return "_".join(run)
    joined = "".join(parts)
    for stem in PERSONAL_STEMS:
        if stem in joined:
            return stem
    return None


# -- normalising values ------------------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_CLEAN = str.maketrans({**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_INVISIBLE, None)})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``text`` in the form the patterns match: NFKC, no invisible characters, ``-`` for every
    dash, one space for every run of spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_CLEAN)
    return _SPACES.sub(" ", text)


# -- value patterns ----------------------------------------------------------------------------

# An e-mail address obfuscated as "jo (at) example (dot) org" or "jo[at]example.org".
_AT_WORD = re.compile(r" ?[(\[{<] ?at ?[)\]}>] ?", re.IGNORECASE)
_DOT_WORD = re.compile(r" ?[(\[{<] ?dot ?[)\]}>] ?", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_NHS_NUMBER = re.compile(r"(?<![0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9])")
# National Insurance numbers: "QQ 12 34 56 C" in capitals, or "qq123456c" in one piece.
_NI_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?![\w])")
_NI_NUMBER_COMPACT = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{6}[A-D](?!\w)", re.IGNORECASE)
# 0 or +44 (0), then 9 or 10 digits, with spaces, dashes or brackets between them.
_PHONE = re.compile(r"(?<![\w+])(?:\+44 ?(?:\(0\) ?)?|\(?0)[1-9](?:[ )-]{0,2}[0-9]){8,9}(?![0-9])")
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NOT_INWARD = ("st", "nd", "rd", "th", "am", "pm")  # "r1 1st", "m6 5am" are not postcodes
_STREET_TYPES = (
    "road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|cres|gardens|grove|place"
    "|terrace|court|square|mews|walk|row|parade|rise|view|hill|park|green"
)
_ADDRESS = re.compile(
    rf"(?<![\w.])[0-9]{{1,4}}[a-z]?,? ((?:[a-z][a-z'’-]* ){{1,3}})(?:{_STREET_TYPES})(?![\w])",
    re.IGNORECASE,
)
_MONTHS = (
    "(?=[adfjmnos])(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    "|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = "(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"[0-9]{4}[/.-][0-9]{1,2}[/.-][0-9]{1,2}"  # 2009-06-15, 2009/06/15
    r"|[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})"  # 15/06/2009, 15.6.09
    rf"|[0-9]{{1,2}}{_ORDINAL}(?: of)?[ /.-]?{_MONTHS}\.?,?[ /.-]?(?:[0-9]{{4}}|[0-9]{{2}})"
    rf"|{_MONTHS}\.? ?[0-9]{{1,2}}{_ORDINAL},? ?[0-9]{{4}}"  # June 15, 2009
    r")(?![0-9])",
    re.IGNORECASE,
)
#: What joins the two dates of a period: "1 April 2009 to 31 March 2010" is not a date of birth.
PERIOD_JOINS = frozenset({" and ", " to ", " until ", " till ", "-", " - "})


# -- names ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
_NAME_CUES = TITLES | {"named", "called"}  # words before a name
#: Words before a forename that make it part of a place or an agency: St Mary's, Queen Elizabeth.
NAME_GIVERS = frozenset(
    {"st", "saint", "queen", "king", "prince", "princess", "lady", "lord", "sir", "royal"}
)
#: Words after a forename (or a forename and a surname) that make it a place or an agency.
PLACES = frozenset(
    {
        "hospital", "hospitals", "house", "centre", "center", "trust", "foundation", "school",
        "academy", "college", "university", "infirmary", "clinic", "practice", "surgery", "unit",
        "street", "road", "station", "park", "building", "institute", "memorial", "hospice",
        "nursery", "primary", "church", "mosque", "lodge", "project", "partnership", "services",
        "service", "team", "board", "council", "ward", "international",
    }
)  # fmt: skip
#: Words that are not a surname when they follow a title or a forename.
NOT_SURNAMES = frozenset(
    {
        "a", "an", "and", "the", "of", "or", "to", "in", "on", "at", "by", "for", "with", "was",
        "were", "is", "had", "has", "who", "said", "told", "did", "she", "he", "they", "her",
        "his", "it",
    }
)  # fmt: skip
#: Words that are not a street name when they come between a house number and a street type.
NOT_STREET_NAMES = NOT_SURNAMES | frozenset(
    {
        "an", "are", "be", "been", "have", "its", "this", "that", "these", "those", "their",
        "our", "your", "my", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "year", "years", "month", "months", "week", "weeks", "day", "days",
        "hour", "hours", "minute", "minutes", "mile", "miles", "time", "times", "old", "aged",
        "per", "out", "up", "down", "over", "under", "about", "around", "along", "across",
        "back", "further", "more", "other", "new", "each", "every", "all", "some", "any", "no",
        "not", "cent", "percent", "children", "child", "reviews", "cases", "people", "families",
        "staff", "visits", "from", "into", "onto",
    }
)  # fmt: skip
_NAMES_DIR = Path(__file__).resolve().parent / "bundled"


@cache
def name_list(file: str) -> frozenset[str]:
    """The names of a list in loader/bundled/ (one a line, ``#`` comments), in lower case."""
    lines = (_NAMES_DIR / file).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip()[:1] not in ("", "#"))


def person_name(text: str) -> str | None:
    """The first words of ``text`` that read as a person's name, or None."""
    forenames, surnames = name_list("forenames.txt"), name_list("surnames.txt")
    words = [token.removesuffix("'s").removesuffix("’s") for token in _TOKEN.findall(text)]
    lows = [word.lower() for word in words]
    if forenames.isdisjoint(lows) and _NAME_CUES.isdisjoint(lows):
        return None
    gaps = _TOKEN.split(text)  # gaps[i] is the text before words[i]

    def next_to(i: int) -> str:
        """The word after word ``i`` when nothing but a space or ``. `` is between them."""
        return words[i + 1] if i + 1 < len(words) and gaps[i + 1] in (" ", ". ") else ""

    for i, low in enumerate(lows):
        if low not in forenames and low not in _NAME_CUES:
            continue
        word, following = words[i], next_to(i)
        before = lows[i - 1] if i and next_to(i - 1) else ""
        if low in TITLES:
            if (
                word[0].isupper()
                and len(following) > 1
                and following[0].isupper()
                and following.lower() not in NOT_SURNAMES
            ):
                return f"{word} {following}"
        elif low in ("named", "called"):
            if following.lower() in forenames | surnames:
                return following
        elif before in NAME_GIVERS or following.lower() in PLACES:
            continue
        elif following and next_to(i + 1).lower() in PLACES:
            continue  # the Lucy Faithfull Foundation
        elif word[0].isupper():
            return word
        elif following.lower() in surnames:
            return f"{word} {following}"
    return None


# -- values ------------------------------------------------------------------------------------


def personal_value(text: str, *, free_text: bool = False) -> str | None:
    """What personal data a value looks like (``"a UK postcode"``...), or None.

    ``free_text`` fields (ids, board names, lesson texts, titles, RDF literals) are also screened
    for dates, which could be dates of birth; coded and date fields are not.
    """
    text = normalise(text)
    if _email(text):
        return "an e-mail address"
    if _NHS_NUMBER.search(text):
        return "an NHS number"
    if _NI_NUMBER.search(text) or _NI_NUMBER_COMPACT.search(text):
        return "a National Insurance number"
    if _PHONE.search(text):
        return "a UK phone number"
    if _postcode(text):
        return "a UK postcode"
    if _address(text):
        return "a street address"
    if free_text and _single_date(text):
        return "a date (it could be a date of birth)"
    if person_name(text) or (free_text and possessive_name(text)):
        return "a person's name"
    return None


# -- names before a possessive -----------------------------------------------------------------

_POSSESSIVE = re.compile(r"['\u2019]s(?![^\W_])")
#: How much text before a possessive ``'s`` is read for a name (a forename and a surname or two).
POSSESSIVE_WINDOW = 40


def possessive_name(text: str) -> str | None:
    """A person's name just before a possessive ``'s`` (``Mary Smith's board``), or None.

    The guard lets a forename through when a word such as ``board`` or ``house`` follows it
    (``Mary Seacole House``); a possessive between them says the place is a person's, so the few
    words before each ``'s`` are screened on their own. ``St Mary's`` still passes.
    """
    text = normalise(text)
    for match in _POSSESSIVE.finditer(text):
        start = max(0, match.start() - POSSESSIVE_WINDOW)
        window = text[start : match.start()]
        if start:
            window = window.partition(" ")[2]  # do not start inside a word
        name = person_name(window)
        if name:
            return name
    return None


def _email(text: str) -> bool:
    if "@" not in text:
        if not _AT_WORD.search(text):
            return False
        text = _DOT_WORD.sub(".", _AT_WORD.sub("@", text))
    return _EMAIL.search(text) is not None


def _single_date(text: str) -> bool:
    """True when ``text`` holds a date that is not one end of a period."""
    if not _DATE.search(text):
        return False
    dates = list(_DATE.finditer(text))
    in_periods = set()
    for first, second in zip(dates, dates[1:], strict=False):
        if text[first.end() : second.start()] in PERIOD_JOINS:
            in_periods |= {first.start(), second.start()}
    return any(date.start() not in in_periods for date in dates)


def _postcode(text: str) -> bool:
    return _POSTCODE.search(text) is not None and any(
        match[0][-2:] not in _NOT_INWARD for match in _POSTCODE.finditer(text)
    )  # a lower-case "st", "am"... ends an ordinal or a time, not a postcode


def _address(text: str) -> bool:
    if not _ADDRESS.search(text):
        return False
    for match in _ADDRESS.finditer(text):
        street = match[1].split()
        if not any(word.lower() in NOT_STREET_NAMES for word in street):
            return True
    return False


def personal_iri(iri: str) -> str | None:
    """What personal data an IRI holds (a ``mailto:`` address, or an e-mail address, NHS number,
    postcode or name written in it), or None."""
    if iri.lower().startswith(("mailto:", "tel:", "sms:", "callto:")):
        return "a mailto: or tel: address"
    text = normalise(unquote(iri))
    if _email(text):
        return "an e-mail address"
    spaced = re.sub(r"[-_+]", " ", text)
    if _NHS_NUMBER.search(spaced):
        return "an NHS number"
    if _postcode(spaced):
        return "a UK postcode"
    if person_name(spaced):
        return "a person's name"
    return None


# -- RDF ---------------------------------------------------------------------------------------


def personal_predicate(iri: str) -> str | None:
    """Why a predicate IRI looks like personal data, or None."""
    if iri.startswith(PERSONAL_NAMESPACES):
        return "a vCard property (vCard describes people and their addresses)"
    term = personal_field(local_name(iri).rsplit(":", 1)[-1])  # urn:...:name too
    return f"its name contains {term!r}" if term else None


#: Literals of these datatypes are dates by design (an evaluation date, a year of publication).
DATE_TYPES = frozenset(
    XSD + name
    for name in (
        "date", "dateTime", "dateTimeStamp", "time", "gYear", "gYearMonth", "gMonth", "gDay",
        "gMonthDay",
    )
)  # fmt: skip


def guard_triples(triples: Iterable[ox.Triple], log: ProblemLog) -> None:
    """Refuse personal data in RDF: predicates, IRIs and literals of any datatype.

    Problems go to ``log`` (location: the subject, field: the predicate); a predicate or an IRI is
    reported once, not once per triple.
    """
    predicates: dict[str, str | None] = {}
    iris: dict[str, str | None] = {}
    for triple in triples:
        predicate = triple.predicate.value
        if predicate not in predicates:
            reason = predicates[predicate] = personal_predicate(predicate)
            if reason:
                log.add(
                    PersonalDataError(
                        f"the property <{predicate}> looks like personal data ({reason}); "
                        "scrkg holds pseudonymous codes only, remove it from the source",
                        location=f"subject {_short(triple.subject)}",
                        field=predicate,
                        rule="personal-data-property",
                    )
                )
        for term in _terms(triple):
            kind: str | None = None
            if isinstance(term, ox.NamedNode):
                if term.value in iris:
                    continue
                kind = iris[term.value] = personal_iri(term.value)
            elif isinstance(term, ox.Literal):
                kind = personal_value(term.value, free_text=term.datatype.value not in DATE_TYPES)
            if kind:
                log.add(
                    PersonalDataError(
                        f"the value {_short(term)} looks like {kind}; scrkg holds no personal "
                        "data, use pseudonymous ids and codes only",
                        location=f"subject {_short(triple.subject)}",
                        field=predicate,
                        rule="personal-data-value",
                    )
                )


def _terms(triple: ox.Triple) -> Iterator[ox.NamedNode | ox.BlankNode | ox.Literal]:
    """The subject and object of a triple, and those of any triple term inside it."""
    for term in (triple.subject, triple.object):
        if isinstance(term, ox.Triple):
            yield from _terms(term)
        else:
            yield term


def _short(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    text = str(term)
    return text if len(text) <= 80 else text[:77] + "..."
