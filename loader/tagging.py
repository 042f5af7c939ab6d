"""Suggesting codes from a review's sentences, with the evidence beside each suggestion.

The lexicon is the ontology's own: each concept's ``skos:prefLabel``, ``skos:altLabel`` and
``skos:hiddenLabel`` (abbreviations, misspellings, phrasings) and, where a label is not enough,
its ``scr:textPattern`` regular expressions. A sentence that denies, rules out or negates a
concept suggests nothing for it. Every suggestion is a proposal: an analyst confirms each code
before it is loaded.

How the lexicon is read. The schemes of :data:`TAGGED_FIELDS` are compiled, one regular
expression per scheme (an alternation of every label and pattern of its concepts, patterns first,
then labels longest first), matched at word boundaries on the sentence with its curly quotes and
odd spaces made plain (character for character, so offsets hold). A label is matched
case-insensitively, with a space or hyphen where the label has either and an optional plural
``s``; a label written in capitals (``DV``, ``GP``, ``A&E``) is an abbreviation and matched only in
capitals. A pattern is matched case-insensitively. Where a pattern of a concept matches one of
its own labels whole (``housing``, ``neglect``), the pattern stands in for that label, so that it
can say what must not come before or after (``poor housing`` is no housing service). Grouping
concepts (``toxic-trio``, ``adult-facing-services``) carry no lexicon and are never suggested; when
a concept and a narrower one are both found in a sentence, only the narrower is suggested.

What an analyst expects, and so what the tagger does:

* Negation (NegEx-style, for risk factors and maltreatment, which are facts about the child and
  family): a trigger before the words (``no``, ``no evidence of``, ``never``, ``without``,
  ``denied``, ``ruled out``, ``not`` directly before them) or after them (``was not a factor``,
  ``was ruled out``, ``said there was none``, ``conditions were good``) within the same clause
  (a clause ends at ``but``, ``however``, ``although``, ``despite``, ``which``, ``who``, ``;``,
  ``:`` and the like) suggests nothing. ``no`` followed by a word about what professionals did
  (``no referral``, ``no professional``, ``no one``, ``no longer``) is a pseudo-trigger and negates
  nothing: "no referral was made about the domestic abuse" still suggests domestic abuse.
  ``not`` negates only when nothing but filler stands between it and the words ("was not
  neglected"), so "professionals did not recognise the neglect" still suggests neglect.
* Agency types are negated only by words of no involvement: "not known to the police" (and
  the agencies listed with it: "not known to the police, CAMHS or the YOT"), "was not
  registered with a GP", "had not booked with maternity services", "was not in receipt of any
  service from adult mental health", "had no contact with CAMHS", "the police had no record of
  any incidents", "the police had never been called", "a referral to the perinatal team should
  have been made". An agency said not to have known something, or not to have been told it, was
  involved ("not known to the health visitor", "did not tell the midwife"). A risk factor read
  inside the name of a service that was not involved is not suggested either.
* Negation also reaches through "that" ("there was no suggestion at any point that Child V had
  been sexually abused", but not "no evidence that the school had been aware of the abuse"),
  past a "but" that rules the words out ("DV was raised but discounted") and to a risk assessed
  as low ("a CSE risk assessment ... scored as 'low'").
* Lesson themes are never negated: their absence is the lesson ("there had been no pre-birth
  assessment", "her views were not sought"). Outcomes, age bands, social care statuses and review
  types are never negated either ("not known to children's social care" is a status of its own).
* Whose is it: the parental risk factors (mental ill-health, substance misuse, adverse childhood
  experiences) are not suggested when the person the words belong to is a child ("Child A's
  mental health", "the baby's anxiety"); parental learning disability needs a parent or carer as
  its owner; the child's own factors (disability, self-harm, going missing, exploitation), the
  maltreatment types, age bands, social care statuses and the voice of the child are not
  suggested when the owner is a parent ("the mother had been neglected as a child", "the
  17-year-old mother", "the mother's views"). The owner is the person named in the words or just
  after them ("the learning disability of the mother"), else the last person named before them
  in the sentence, unless a ``she`` or ``he`` since that person does not fit them (a man, a woman,
  several people: "placed with foster carers, from whose home she went missing"), when it is the
  first person named in the sentence; with nobody named before, when a pronoun stands before
  them, the first person named in the sentence before. Words done to ``her`` or ``him`` ("had
  strangled her") are the sentence subject's, and an injury a pronoun ties to a parent ("treated
  her for a fractured wrist") is the parent's, not the child's maltreatment. A man or woman named
  only so ("older men") is neither parent nor child. A service (an agency type) is no one's unless
  a possessive says whose ("the child's mental health team"). Words shared by concepts of
  different owners (``learning disability``, ``self-harm``) suggest nothing when no owner is
  found. CAMHS is an agency only: the risk factors read ``mental health`` but the agency label
  ``CAMHS`` is in another scheme.
* Hypotheticals and recommendations ("agencies should ensure that domestic abuse is
  considered", "where there are concerns about neglect", "Recommendation 2: ...") are about
  practice to come, not about this child: they suggest lesson themes (at full confidence) and
  agency types (at lower confidence), never risk factors or maltreatment. "Should have" and
  "must have" speak of the past case and are not hypothetical.
* Counterfactuals ("had there been any concern") are hypothetical too. A sentence opening with
  one by inversion ("Had the GP known of the father's psychosis, ...") makes the agency it opens
  with hypothetical, not the facts it would have known.
* Agencies are those of the case: an agency in a sentence about the review itself (its panel,
  a learning event, its commissioning, the safeguarding partners, the panel at work, learning
  "from this case" to be shared "across the partnership"), about the nation ("nationally, ...",
  a national review) or about a word ("the term 'neglect'") is suggested below the default
  threshold, as is one of a recommendation;
  "no referral was made to MARAC" is no involvement; a local authority named as a place
  ("in another local authority") or as the owner of a service ("the council's housing team") is
  not suggested; a child protection conference or strategy discussion is no agency; a
  paediatrician in a sentence naming a hospital, ward or emergency department is the acute
  hospital's, unless a community paediatrician.
* An injury (bruising, a fracture, a burn, a head injury) is a sign: physical abuse below the
  default threshold unless the sentence says so (inflicted, non-accidental, hit, assaulted ...).
  An offence of indecent images ("convicted of downloading") is no maltreatment of the child;
  "the word neglect" and "nationally, neglect ..." suggest no risk factor or maltreatment.
* Implied concepts, as analysts code them (tests/data/tagging/README.md): sexual or criminal
  exploitation is extra-familial harm as well; perinatal mental ill-health is parental mental
  ill-health as well (the one broader concept kept beside its narrower one); an IDVA or MARAC of
  the case is domestic abuse, and an adult mental health service of a parent is parental mental
  ill-health.
* Whose it is, more: a grandparent is a parent or carer only when the sentence says they care
  for the child ("who was the children's main carer"), else their drinking or illness is no
  parental factor; what a parent grew up with ("had grown up with a father who drank") is their
  childhood, not this household; violence to a man's previous partners is his history of violent
  crime, not domestic abuse; a conviction or charge for the harm under review is no history of
  violent crime; a domestic abuse pattern's "her" with no woman in the sentence is a girl.
* Hedges: words only said to be possible ("may have been", "perhaps", "could not exclude",
  "considered whether") are suggested below the default threshold for risk factors and
  maltreatment; a suspicion or an allegation ("suspected", "possible", "allegations", "likely")
  at lower confidence. A hedge counts in the eight words before the matched ones (in their
  clause) or the four after (up to a comma); "at risk of" is no hedge, the risk being the factor.
* An injury whose explanation was accepted stays a sign, whatever the explanation says.
* The theme of adult services' information sharing needs an adult-facing service (adult social
  care, adult mental health, substance misuse, housing, probation, "adult services") named in
  the sentence or the one before; without one, the failure to share is suggested as its broader
  theme, using all sources of information.

Confidence starts at 0.9 for a preferred label, 0.85 for an alternative label, 0.75 for a
hidden label and 0.7 for a pattern, and is multiplied by 0.6 when hedged, 0.5 when only said to
be possible, 0.5 for an agency in a recommendation, a hypothetical or a sentence about the
review or the nation, 0.5 for an injury not stated as abuse, 0.8 for a theme that fell back to
its broader one, 0.9 for a parental factor whose owner was not found and 0.9 for a risk factor
an agency implies. An implied concept of the same scheme takes its concept's confidence. One
suggestion is made per concept and sentence, the one of highest confidence. ``scrkg tag``
writes only suggestions of :data:`MIN_CONFIDENCE` or more (``--min-confidence``), chosen on the
tuning sets.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from scrkg.loader.documents import Sentence, split_text
from scrkg.loader.records import GROUPING_CONCEPTS
from scrkg.ontology import CONCEPTS_FILE, SCR, SCRC, SKOS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: The one table of what the tagger fills: input-format field, ontology property, scheme.
#: A review type fills ``rdf:type`` with the OWL class its concept names (``scr:reviewClass``),
#: as the loader does (loader/mapping.py).
TAGGED_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("risk_factors", SCR + "hasRiskFactor", "risk-factors"),
    ("maltreatment", SCR + "maltreatment", "maltreatment-types"),
    ("agencies", SCR + "agencyType", "agency-types"),
    ("lessons", SCR + "lessonTheme", "lesson-themes"),
    ("outcome", SCR + "outcome", "outcomes"),
    ("age_band", SCR + "ageBand", "age-bands"),
    ("social_care_status", SCR + "socialCareStatus", "social-care-statuses"),
    ("review_type", RDF_TYPE, "review-types"),
)

#: Schemes whose concepts a negation, denial or ruling-out takes away.
NEGATED_SCHEMES = frozenset({"risk-factors", "maltreatment-types", "social-care-statuses"})
#: Schemes that a recommendation or a hypothetical does not suggest.
FACT_SCHEMES = frozenset({"risk-factors", "maltreatment-types"})

#: Whose the concept must be: ``parent`` (not a child's), ``parent-only`` (a parent's or a
#: carer's, named), ``child`` (not a parent's), ``victim`` (maltreatment: a parent named before
#: the words is most often the one who did it, so only a parent who suffered it in their own
#: childhood, "the mother had been neglected as a child", takes it away from the child).
OWNERS: dict[str, str] = {
    "parental-mental-ill-health": "parent",
    "perinatal-mental-health": "parent",
    "parental-substance-misuse": "parent",
    "adverse-parental-childhood-experiences": "parent",
    "parental-learning-disability": "parent-only",
    "child-disability": "child",
    "child-self-harm": "child",
    "going-missing": "child",
    "exploitation": "child",
    "criminal-exploitation": "child",
    "extra-familial-harm": "child",
    "not-in-school-or-home-educated": "child",
    "past-or-discontinued-cp-plan": "child",
    "domestic-abuse": "household",
    "neglect": "victim",
    "physical-abuse": "victim",
    "sexual-abuse": "victim",
    "emotional-abuse": "victim",
    "voice-of-the-child": "child",
    "adult-mental-health": "parent",
    "substance-misuse-service": "parent",
    "under-1": "child",
    "age-1-to-5": "child",
    "age-6-to-10": "child",
    "age-11-to-15": "child",
    "age-16-plus": "child",
    "known-to-social-care": "child",
    "child-in-need": "child",
    "child-protection-plan": "child",
    "looked-after": "child",
    "not-known-to-social-care": "child",
    "previously-known-case-closed": "child",
}

#: A concept found in a sentence suggests these as well, at its confidence, as an analyst codes
#: them (tests/data/tagging/README.md): a child's sexual or criminal exploitation is extra-familial
#: harm; a parent's perinatal mental ill-health is parental mental ill-health (its broader concept,
#: which a narrower one otherwise stands for).
#: An agency of the case that says a risk factor (tests/data/tagging/README.md): an IDVA or a
#: MARAC is there for domestic abuse; a parent in an adult mental health service's care has
#: mental ill-health. Not from a recommendation, a hypothetical, the review or the nation.
AGENCY_IMPLIES: dict[str, str] = {
    "idva-marac": "domestic-abuse",
    "adult-mental-health": "parental-mental-ill-health",
}
IMPLIES: dict[str, tuple[str, ...]] = {
    "exploitation": ("extra-familial-harm",),
    "criminal-exploitation": ("extra-familial-harm",),
    "perinatal-mental-health": ("parental-mental-ill-health",),
}

#: A concept that needs something named in its sentence or the one before; without it the
#: suggestion is of the concept's broader one.
NEEDS_ADULT_SERVICES = frozenset({"information-sharing-adult-services"})

CONFIDENCE = {"pref": 0.9, "alt": 0.85, "hidden": 0.75, "pattern": 0.7}
KIND_ORDER = ("pattern", "pref", "alt", "hidden")
HEDGED, RECOMMENDED_AGENCY, FELL_BACK, UNOWNED, SIGN = 0.6, 0.5, 0.8, 0.9, 0.5
#: A risk factor or maltreatment said only to be possible ("may have been suffering from") is
#: not coded (tests/data/tagging/README.md): below :data:`MIN_CONFIDENCE` at any label.
SPECULATIVE = 0.5
#: The default least confidence of a suggestion that is written (``scrkg tag --min-confidence``):
#: an agency of a recommendation, of a hypothetical or of a sentence about the review itself
#: (0.45 at most) and an injury not stated as abuse (0.45 at most) fall below it, as do hedged
#: hidden labels and patterns (0.45, 0.42).
MIN_CONFIDENCE = 0.5

# -- the words around a match --------------------------------------------------------------------

#: Curly quotes, odd spaces and hyphens made plain, one character for one, so offsets hold.
_PLAIN = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\n": " ",
        "\r": " ",
        "\t": " ",
        "\f": " ",
        "\v": " ",
        "\u2010": "-",
        "\u2011": "-",
    }
)

_CLAUSE_END = re.compile(
    r"[;:()]|\s[-\u2013\u2014]\s|\b(?:but|however|although|though|whereas|yet|despite|except|"
    r"apart\s+from|aside\s+from|other\s+than|while|whilst|which|who|whose|because|until|unless|"
    r"instead|nevertheless|nonetheless)\b",
    re.I,
)
_WORD = re.compile(r"[\w'-]+")

_NOT_ADJACENT = re.compile(
    r"\b(?:not|never|nor|neither|no)\s+(?:(?:a|an|any|the|subject\s+to|exposed\s+to|at\s+risk\s+of|"
    r"a\s+victim\s+of|victims?\s+of|experiencing|experienced|suffering(?:\s+from)?|suffered(?:\s+from)?|"
    r"use|using|used|misuse|misusing|misused|abuse|abusing|drink|drinking|take|taking|involved\s+in|known\s+to\s+(?:have|be)|been|be|"
    r"diagnosed\s+with|have|had|has|history\s+of|referred\s+(?:for|to)|in\s+receipt\s+of|"
    r"services?\s+from|support\s+for|evidence\s+of|signs?\s+of|indications?\s+of|"
    r"suggestion\s+of|concerns?\s+(?:about|regarding|over|of)|current|previous|known|"
    r"significant|further|other|apparent|obvious|physical|sexual|emotional|appear|appeared|"
    r"seem|seemed|look|looked|feel|felt)\s+)*$",
    re.I,
)
_PRE_TRIGGER = re.compile(
    r"\b(?:no|never|without|nor|neither|absence\s+of|free\s+(?:from|of)|negative\s+for|"
    r"ruled?\s+out|rules\s+out|excluded\s+any|nothing\s+to\s+suggest)\b",
    re.I,
)
#: "no ... that suggested", "nothing in her account to suggest": a negation a few words away.
_NOTHING_TO_SUGGEST = re.compile(
    r"\bnothing\b(?:\s+[\w'-]+){0,8}?\s+(?:suggested|indicated)\s+(?:any\s+|that\s+)?"
    r"(?:[\w'-]+\s+(?:or|and)\s+)?$"
    r"|\b(?:no|nothing|none)\b(?:\s+[\w'-]+){0,8}?\s+(?:to|that|which)\s+"
    r"(?:suggest|suggested|suggests|indicate|indicated|indicates)\s+(?:any\s+|that\s+)?"
    r"(?:[\w'-]+\s+(?:or|and)\s+)?$",
    re.I,
)
#: "no suggestion at any point that Child V had been ...": a negation further off, through "that".
_NO_EVIDENCE_THAT = re.compile(
    r"\b(?:no|nothing|never\s+any)\s+(?:suggestion|evidence|indication|sign|signs|information)\b"
    r"(?:\s+[\w'-]+){0,4}?\s+that\s+(?:[\w'-]+\s+){0,8}$",
    re.I,
)
_KNOWING = re.compile(
    r"\b(?:aware|knew|know|known|recogni[sz]\w*|identified|told|informed|asked|considered)\b", re.I
)
#: "DV was raised at the strategy discussion but discounted": ruled out after a "but".
_LATER_RULED_OUT = re.compile(
    r"[^.;:]{0,80}?\bbut\s+(?:was\s+|were\s+|later\s+|then\s+|subsequently\s+|quickly\s+)*"
    r"(?:discounted|dismissed|ruled\s+out|excluded|unfounded|unsubstantiated|not\s+substantiated)\b",
    re.I,
)
#: The words themselves say "no" ("no friends", "no contact with her family"): not negated by it.
_SELF_NEGATIVE = re.compile(r"(?:no|little|few|lack|limited|without|nobody)\b", re.I)
_DENIAL = re.compile(r"\b(?:denie[sd]|deny|denying|refuted|disputed)\b", re.I)
#: ``no`` followed by one of these words negates nothing.
_PSEUDO_NO = frozenset(
    [
        "one",
        "professional",
        "professionals",
        "practitioner",
        "practitioners",
        "agency",
        "agencies",
        "referral",
        "referrals",
        "action",
        "actions",
        "assessment",
        "assessments",
        "plan",
        "further",
        "longer",
        "doubt",
        "single",
        "consideration",
        "recognition",
        "attempt",
        "attempts",
        "response",
        "discussion",
        "challenge",
        "curiosity",
        "exploration",
        "enquiry",
        "enquiries",
        "questions",
        "strategy",
        "meeting",
        "information",
        "sharing",
        "worker",
        "workers",
        "member",
        "members",
        "body",
        "other",
        "matter",
        "sooner",
        "less",
        "more",
        "follow",
        "follow-up",
        "account",
        "understanding",
        "clear",
        "real",
        "formal",
        "proper",
        "robust",
        "specific",
        "systematic",
        "multi-agency",
        "adequate",
    ]
)
_POST_TRIGGERS = re.compile(
    r"^(?:[\s,\"]+[\w'-]+){0,5}?\s+(?:was|were|is|are|had\s+been|has\s+been|have\s+been)\s+(?:not|never)\s+"
    r"(?:(?:a|an|considered|thought|felt|found|judged|believed|seen\s+as|to\s+be|deemed|"
    r"significant|relevant|contributory|contributing|key|major|current|main)\s+)*"
    r"(?:factor|feature|issue|concern|problem|present|evident|substantiated|confirmed|apparent|"
    r"found|risk|relevant)\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,5}?\s+(?:was|were|had\s+been|has\s+been|have\s+been)\s+"
    r"(?:(?:subsequently|later|quickly|firmly|all|both)\s+)?"
    r"(?:(?:considered|investigated|explored|assessed)\s+and\s+)?(?:ruled\s+out|excluded|unfounded|"
    r"unsubstantiated|not\s+substantiated|disproved|denied)\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,12}?\s+(?:said|stated|insisted|maintained|claimed|reported|told\s+\w+|"
    r"answered|replied)\s+(?:that\s+)?(?:there\s+(?:was|were|had\s+been)\s+(?:none|no\b|nothing)|"
    r"it\s+(?:did\s+not|didn't|had\s+not|hadn't|never)\s+happen|this\s+(?:was|is)\s+not\s+"
    r"(?:the\s+case|true)|(?:she|he|they)\s+(?:did\s+not|didn't|had\s+not|hadn't|never))"
    r"|^(?:[\s,\"]+[\w'-]+){0,12}?\s+there\s+(?:was|were|had\s+been)\s+none\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,12}?\s+(?:it|this|which|the\s+allegation)\s+(?:was|had\s+been)\s+"
    r"(?:found\s+to\s+be\s+|found\s+|judged\s+|concluded\s+to\s+be\s+)?(?:unfounded|unsubstantiated|"
    r"not\s+substantiated|disproved|untrue|false)\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,6}?\s+(?:as\s+)?(?:within\s+(?:safe|recommended|normal|sensible)\s+limits|"
    r"not\s+excessive)\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,12}?\s+(?:disclosed|admitted|reported)\s+(?:none|nothing)\b"
    r"|^\s+(?:had\s+)?improved\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,4}?\s+(?:was|were|had\s+been)\s+(?:\w+\s+)?(?:good|adequate|acceptable|"
    r"satisfactory|clean|tidy|appropriate)\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,8}?\s+(?:scored|assessed|rated|graded|considered|judged|deemed)\s+"
    r"(?:as\s+|to\s+be\s+)?['\"]?low\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,4}?\s+(?:tests?|screens?|screening|results?)\s+(?:was|were|had\s+been|came\s+back)"
    r"\s+negative\b",
    re.I,
)
#: Agencies named before this one in a list ("the police, CAMHS or the YOT"), which words of no
#: involvement before the list govern too.
_LISTED = (
    r"(?:(?:the\s+|a\s+|an\s+)?[\w'&-]+(?:\s+[\w'&-]+){0,3}?(?:\s*,|\s+or|\s+nor|\s+and)\s+"
    r"(?:to\s+|with\s+)?)*"
)
#: The same without "and", which after a verb of no involvement most often starts a new clause
#: ("was not registered with a GP and the health visitor visited").
_LISTED_OR = (
    r"(?:(?:the\s+|a\s+|an\s+)?[\w'&-]+(?:\s+[\w'&-]+){0,3}?(?:\s*,|\s+or|\s+nor)\s+"
    r"(?:to\s+|with\s+)?)*"
)
_AGENCY_PRE = re.compile(
    r"\b(?:family|household|mother|father|parents?|child|children|baby|siblings?|couple|he|she|"
    r"they|(?:Child|Baby)\s+[A-Z])\s+(?:was|were|is|are|had|has)\s+(?:not|never)\s+"
    r"(?:been\s+|previously\s+|ever\s+)*(?:known|open)\s+to\s+"
    + _LISTED
    + r"(?:the\s+|a\s+|an\s+|any\s+)?(?:local\s+)?$"
    r"|\b(?:not|never)\s+(?:been\s+|previously\s+|ever\s+)*(?:registered\s+with|booked\s+with|"
    r"referred\s+to|involved\s+with|seen\s+by|in\s+contact\s+with|engaged\s+with|attended|attend|"
    r"accessed|received|notified\s+to|call|called|on\s+the\s+roll\s+of|consulted|booked\s+for|go\s+to|went\s+to|"
    r"in\s+receipt\s+of(?:\s+any)?(?:\s+(?:services?|support|help))?(?:\s+from)?|"
    r"reported\s+(?:[\w'-]+\s+){0,3}?to)\s+" + _LISTED_OR + r"(?:the\s+|a\s+|an\s+|any\s+)?"
    r"(?:local\s+|secondary\s+|specialist\s+|her\s+|his\s+|their\s+)?$"
    r"|\bno\s+$"
    r"|\bno\s+(?:\w+\s+)?referrals?\s+(?:was|were|had\s+been)\s+(?:\w+\s+)?made\s+to\s+"
    + _LISTED
    + r"(?:the\s+|a\s+|an\s+)?$"
    r"|\b(?:neither|nor|never|not|nobody|no\s+one)\s+(?:\w+\s+){0,2}?(?:made|make)\s+(?:a\s+|any\s+)?"
    r"referrals?\s+to\s+" + _LISTED_OR + r"(?:the\s+|a\s+|an\s+)?$"
    r"|\b(?:declined|refused)\s+(?:a\s+|the\s+|any\s+)?(?:\w+\s+)?referral\s+to\s+(?:the\s+|a\s+|an\s+)?$"
    r"|\bneither\s+(?:\w+\s+){1,3}?(?:was|were|had\s+been)\s+(?:ever\s+|previously\s+)?known\s+to\s+"
    + _LISTED
    + r"(?:the\s+|a\s+|an\s+|any\s+)?$"
    r"|\bno\s+(?:\w+\s+){0,2}?concerns?\s+(?:were\s+|was\s+)?known\s+to\s+"
    + _LISTED
    + r"(?:the\s+|a\s+|an\s+|any\s+)?$"
    r"|\b(?:not|never|neither|nor)\s+(?:[\w'-]+\s+){0,3}?(?:come|came)\s+to\s+the\s+(?:attention|notice)\s+of\s+"
    + _LISTED_OR
    + r"(?:the\s+|a\s+|an\s+|any\s+)?$"
    r"|\bnothing\s+(?:held\s+by|in|on|recorded\s+by|known\s+to)\s+"
    + _LISTED_OR
    + r"(?:the\s+|a\s+|an\s+|any\s+)?$"
    r"|\bno\s+(?:\w+\s+)?reports?\s+(?:of\s+)?(?:[\w'-]+\s+){0,4}?to\s+(?:the\s+)?$"
    r"|\bno\s+(?:record|evidence|indication)\s+that\s+(?:[\w'-]+\s+){0,10}?(?:referred|known)\s+to\s+"
    r"(?:the\s+|a\s+|an\s+|any\s+)?$"
    r"|\bwhether\s+(?:[\w'-]+\s+){0,4}?(?:was|were|had\s+been)\s+(?:known|open)\s+to\s+(?:the\s+|any\s+)?$"
    r"|\bsignposted\s+to\s+(?:the\s+|a\s+|an\s+)?(?:[\w'-]+\s+){0,2}?$"
    r"|\b(?:too\s+\w+|frightened|afraid|scared|reluctant|refused|declined|unwilling)\s+to\s+"
    r"(?:tell|contact|call|ring|go\s+to|report\s+(?:it\s+)?to)\s+(?:the\s+)?$"
    r"|\b(?:not|never|no\s+\w+|without\s+(?:\w+\s+){0,6}?a)\s+(?:\w+\s+)?check(?:s|ed)?\s+"
    r"(?:it\s+|this\s+)?(?:with\s+)?(?:the\s+)?$"
    r"|\b(?:not|never)\s+(?:ever\s+)?(?:been\s+)?$"
    r"|\b(?:and|but)\s+(?:was|were|had\s+been|has\s+been)\s+(?:not|never)\s+(?:been\s+|previously\s+)*"
    r"known\s+to\s+(?:the\s+|any\s+)?$"
    r"|\b(?:no|without)\s+(?:\w+\s+)?(?:contact|involvement|engagement|referral|action)\s+"
    r"(?:with|from|of|by|to)\s+(?:the\s+|a\s+|an\s+|any\s+)?$"
    r"|\b(?:unknown\s+to)\s+(?:the\s+)?$",
    re.I,
)
_AGENCY_POST = re.compile(
    r"^(?:[\s,\"]+[\w'-]+){0,2}?\s+(?:was|were|had\s+been|has\s+been)\s+not\s+(?:\w+\s+)?involved\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,2}?\s+(?:had|has)\s+no\s+(?:involvement|contact|records?\s+of)\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,2}?\s+(?:had|has|have)\s+(?:never|not)\s+(?:been\s+)?"
    r"(?:called|involved|contacted|notified|informed|asked)\b"
    r"|^(?:[\s,\"]+[\w'-]+){0,2}?\s+(?:should|ought\s+to|would|could|might)\s+(?:probably\s+|also\s+)?"
    r"have\s+been\s+made\b",
    re.I,
)
_PRESCRIPTIVE = re.compile(
    r"\b(?:should|must|ought\s+to)\b(?!\s+have\b)|\b(?:needs\s+to|need\s+to|will\s+need\s+to)\b"
    r"|\brecommend(?:s|ation|ations)\b|\b(?:it\s+is|is|are)\s+recommended\b"
    r"|\bit\s+is\s+(?:important|essential|vital|crucial)\s+that\b"
    r"|\b(?:where|when|if)\s+there\s+(?:is|are)\s+(?:a\s+|any\s+)?(?:concerns?|evidence|indications?)\b"
    r"|\bin\s+(?:all\s+)?(?:cases|families)\s+(?:of|where|involving|with)\b"
    r"|\bhad\s+there\s+been\b|\bif\s+there\s+had\s+been\b",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:may|might|could)\s+(?:have\s+)?(?:been|be|had|have)\b|\bpossib(?:le|ly|ility)\b|\bperhaps\b"
    r"|\bsuspect(?:ed|s)?\b|\bpotential(?:ly)?\b|\bquer(?:y|ied)\b|\bunclear\s+whether\b"
    r"|\bnot\s+known\s+whether\b|\blikely\b|\bprobabl[ey]\b|\balleg(?:ed|edly|ation|ations)\b"
    r"|\breportedly\b|\b(?:appear|appears|appeared|seem|seems|seemed)\s+to\b"
    r"|\bunconfirmed\b|\buncertain\b",
    re.I,
)

#: Words only said to be possible: "may have been", "it is possible that", "perhaps".
_SPECULATION = re.compile(
    r"\b(?:may|might|could)\s+(?:have\s+)?(?:been|be|had|have)\b|\bpossibly\b|\bperhaps\b"
    r"|\bit\s+is\s+possible\s+that\b|\bunclear\s+whether\b|\bnot\s+known\s+whether\b"
    r"|\b(?:could|can)\s*not\s+(?:be\s+)?(?:exclude[ds]?|rule[ds]?\s+out)\b"
    r"|\bcannot\s+be\s+(?:excluded|ruled\s+out)\b"
    r"|\b(?:considered|explored|asked|queried|wondered)\s+whether\b|\bgiven\s+to\s+whether\b"
    r"|\b(?:establish|say|determine|tell|know|confirm)\s+whether\b",
    re.I,
)

#: A sentence about the review itself (its panel, its learning event, its commissioning, the
#: safeguarding partners as such) names agencies that took part in the review, not in the case.
_ABOUT_REVIEW = re.compile(
    r"\blearning\s+(?:event|session|workshop)s?\b|\breview\s+panel\b|\bpanel\s+(?:members?|meetings?|included)\b"
    r"|\bsafeguarding\s+partners\b|\bcommissioned\s+(?:an?\s+|the\s+)?(?:independent\s+)?(?:author|reviewer|review)"
    r"|\bindependent\s+(?:reviewer|author)\b|\brapid\s+review\s+meeting\b|\bterms\s+of\s+reference\b"
    r"|\brecommendations\s+of\s+this\s+review\b|\blearning\s+from\s+this\s+(?:case|review)\b"
    r"|\bacross\s+the\s+partnership\b"
    r"|\bthe\s+(?:review\s+)?panel\s+(?:considered|agreed|found|noted|heard|met|decided)\b"
    r"|\bchaired\s+the\s+(?:rapid\s+)?review\b|\breferred\s+to\s+in\s+this\s+(?:report|review)\b",
    re.I,
)
#: A counterfactual by inversion ("Had the GP known of ..."): the agency it opens with is
#: hypothetical; the facts it would have known, and other agencies, are not.
_COUNTERFACTUAL = re.compile(
    r"^\W*had\s+(?:the|a|an|any)\b",
    re.I,
)
#: An agency in a condition or a consequence that did not happen ("if the YOT had been aware",
#: "had the referral been passed to the MASH", "whether a MARAC referral would have changed",
#: "said they would contact the police if"): hypothetical, not of the case.
_IF_BEFORE = re.compile(r"\b(?:if|unless|whether)\s+(?:the\s+|a\s+|an\s+|any\s+)?$", re.I)
_IF_AFTER = re.compile(r"\s+(?:referrals?\s+)?(?:had\s+(?:been|known)|would|could|might)\b", re.I)
_WOULD_BEFORE = re.compile(
    r"^\W*had\s+(?:the|a|an|any)\s+(?:[\w'-]+\s+){1,4}?been\s+(?:\w+\s+){0,2}?(?:to|by|with)\s+"
    r"(?:the\s+|a\s+|an\s+)?$"
    r"|\b(?:would|will|advised\s+(?:\w+\s+)?to)\s+(?:\w+\s+)?(?:contact|call|ring|phone|tell|inform|"
    r"see|go\s+to)\s+(?:the\s+)?$",
    re.I,
)
#: A school or college a parent attended ("still at school herself", "the mother had attended a
#: special school"), and a school only as a place or a time ("home from school", "not at school"):
#: no school of the case.
_OWN_SCHOOL_BEFORE = re.compile(
    r"\b(?:still\s+at|attended|hated|left|year\s+at|was\s+at|were\s+at)\s+(?:a\s+|an\s+)?"
    r"(?:special\s+|secondary\s+|primary\s+|boarding\s+)?$",
    re.I,
)
_OWN_SCHOOL_AFTER = re.compile(r"\s+(?:herself|himself|themselves)\b", re.I)
_SCHOOL_PLACE = re.compile(
    r"\b(?:home\s+from|way\s+(?:to|from|home\s+from)|not\s+at|missed|starting|started|"
    r"without\s+a|destination)\s+(?:the\s+|a\s+)?$",
    re.I,
)
_MEETING_PLACE = re.compile(
    r"(?:took\s+place|held|located|co-located|handovers?)\s+(?:\w+\s+)?(?:at|in)\s+(?:the\s+|a\s+)?"
    r"police\s+station|police\s+station\s+car\s+park",
    re.I,
)
#: Capitals after "Child" or "Baby" are a pseudonym ("Child AP"), not an abbreviation.
_PSEUDONYM = re.compile(r"\b(?:Child|Baby|Sibling|Young\s+Person)\s+$")
#: A sentence about words or about the country, not the family ("the word neglect", "nationally").
_GENERAL = re.compile(
    r"^\W*(?:nationally|in\s+england\s+as\s+a\s+whole|research\s+(?:shows|suggests|on|into|has))\b"
    r"|\blearning\s+(?:event|session|workshop)s?\b"
    r"|^\W*terms\s+of\s+reference\b"
    r"|\bthe\s+(?:words?|terms?|label)\s+[\"']\w"
    r"|\bnational\s+(?:review|reviews|panel|data|statistics|picture)\b"
    r"|\bChild\s+Safeguarding\s+Practice\s+Review\s+Panel\b",
    re.I,
)
_THE_WORD = re.compile(r"\bthe\s+(?:words?|terms?|label)\s+[\"']?$", re.I)
#: A local authority named as a place ("in another local authority") is no agency of the case.
_OTHER_PLACE = re.compile(
    r"\b(?:another|a\s+different|a\s+neighbouring|neighbouring|other)\s+$", re.I
)
#: The council named as the owner of a service ("the council's housing team") is that service.
_OWNS_SERVICE = re.compile(
    r"'s\s+(?:\w+\s+)?(?:housing|homelessness|children's|social|education|adult|early|youth|"
    r"leaving|family|families)\b",
    re.I,
)
#: An offence of indecent images ("convicted of downloading"): no maltreatment of the child.
_OFFENCE_BEFORE = re.compile(
    r"\b(?:convicted\s+of|convictions?\s+for|offences?\s+of|charged\s+with|downloading|downloaded|"
    r"possession\s+of|possessing|viewing|viewed|accessing|sharing)\s+(?:\w+\s+){0,2}$",
    re.I,
)
#: An injury is a sign; it is physical abuse when the sentence says so.
_SIGN_WORDS = re.compile(
    r"fractur|bruis|burn|scald|broken|haemorrhag|haematoma|bite|head\s+injur|blunt\s+force", re.I
)
_ABUSE_STATED = re.compile(
    r"\binflicted\b|\bnon[\s-]?accidental\b|\bNAI\b|\bdeliberate(?:ly)?\b|\babus(?:e|ed|ive)\b|"
    r"\bassault\w*|\bhit\b|\bhitting\b|\bpunch\w*|\bkick\w*|\bshaken\b|\bshook\b|\bstrangl\w*|"
    r"\bsmother\w*|\bbeaten\b|\bbeat\b|\bcaused\s+by\s+(?:the\s+|her\s+|his\s+)?(?:father|mother|partner)",
    re.I,
)
#: An explanation accepted: the injury stays a sign, whatever the explanation says ("accepted the
#: mother's explanation that her brother had hit her with a toy").
_ACCEPTED = re.compile(
    r"\baccepted\s+(?:the\s+|her\s+|his\s+|their\s+)?(?:[\w'-]+\s+){0,2}?(?:explanation|account)"
    r"|\b(?:explanation|account)s?\b[^.;]{0,60}?\b(?:was|were)\s+accepted\b",
    re.I,
)
#: A hospital named in the sentence: its paediatrician is the hospital's.
_HOSPITAL = re.compile(
    r"\bhospital\b|\bward\b|\bemergency\s+department\b|\bA&E\b|\bED\b|\bintensive\s+care\b"
)

_PARENT = (
    r"(?:mother|mothers|mum|mom|father|fathers|dad|stepfather|step-father|stepmother|step-mother|"
    r"parents?|carers?|partner|partners|boyfriend|girlfriend|husband|wife|grandmother|grandfather|"
    r"grandparents?|aunt|uncle|adults?|maternal|paternal|parental|couple|Mr|Mrs|Ms)"
)
#: Men and women named only so ("older men", "a man"): neither a parent nor a child.
_OTHER = r"(?:man|woman|men|women|males?|females?)"
#: A parent (or "both" of them) named before a school a parent attended.
_PARENT_BEFORE = re.compile(rf"\b(?:{_PARENT}|both)\b", re.I)
_CHILD = (
    r"(?:child|children|baby|babies|infant|infants|boy|girl|son|daughter|sons|daughters|"
    r"siblings?|brothers?|sisters?|twins?|toddler|teenager|adolescent|young\s+person|young\s+people|"
    r"pupil|pupils|stepson|stepdaughter|newborn)"
    r"(?!\s+(?:protection|in\s+need|and\s+adolescent|care|health|practice|safeguarding|death|"
    r"development|minder|sexual|criminal|unit|units)\b)(?!'s\s+(?:social|services|centre|centres|home|homes|"
    r"guardian|hospital|society|trust|commissioner|mental))"
)
_PERSON = re.compile(
    rf"\b(?:(?P<child_name>(?:Child|Baby|Sibling)\s+[A-Z]\b)|(?P<parent>{_PARENT})|(?P<child>{_CHILD})"
    rf"|(?P<other>{_OTHER}))"
    r"(?:'s|s')?\b",
    re.I,
)
_AFTER_OWNER = re.compile(
    r"\s*(?:(?:of|in|for|affecting)\s+)?(?:the\s+|her\s+|his\s+|their\s+|a\s+|an\s+)?"
    rf"(?:(?P<parent>{_PARENT})|(?P<child>{_CHILD}|(?:Child|Baby)\s+[A-Z]))\b",
    re.I,
)
_OWNER_SKIP = re.compile(r"\b(?:of|to|with|for)\s+(?:the\s+|her\s+|his\s+|their\s+)?$", re.I)
_PRONOUN = re.compile(r"\b(?:she|he|her|his|they|their|hers|him|herself|himself|them)\b", re.I)
_ADULT_SERVICES = re.compile(r"\badult[- ](?:facing\s+)?services?\b", re.I)


def _kind(match: re.Match[str]) -> str:
    if match.group("parent"):
        text = match.string
        if _GRANDPARENT.match(text, match.start()) and not _CARES.search(text):
            return "other"  # a grandparent who does not care for the child
        return "parent"
    return "other" if match.group("other") else "child"


def _mentions(text: str) -> list[re.Match[str]]:
    """People named in ``text``, leaving out a child named after ``of``/``to``/``with``
    unless it is a possessive (``the mother of Child A`` is about the mother)."""
    found = []
    for m in _PERSON.finditer(text):
        if (
            m.group("parent") is None
            and m.group("other") is None
            and not m.group(0).endswith(("'s", "s'"))
            and _OWNER_SKIP.search(text, 0, m.start())
        ):
            continue
        found.append(m)
    return found


# -- the lexicon --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One alternative of a scheme's expression: a label or pattern and the concepts it names."""

    text: str  #: the label or the pattern, as written in the ontology
    kind: str  #: ``pref``, ``alt``, ``hidden`` or ``pattern``
    codes: tuple[str, ...]  #: the concepts (local names) it names; more than one when shared


@dataclass(frozen=True)
class Suggestion:
    """A concept proposed for a review, and the sentence that supports it."""

    source: str  #: the document's file name as given
    concept: str  #: the concept's full IRI
    scheme: str  #: the local name of its scheme, e.g. ``risk-factors``
    field: str  #: the input-format field it fills, e.g. ``risk_factors``
    property: str  #: the full IRI of the ontology property it fills
    quote: str  #: the sentence, verbatim
    page: int | None
    start: int
    end: int
    prefix: str
    suffix: str
    matched: str  #: the words in the sentence that matched
    label: str  #: the label or pattern of the lexicon that matched them (the reason)
    confidence: float  #: 0 to 1

    @property
    def code(self) -> str:
        """The concept's local name, as the tabular formats write it."""
        return self.concept[len(SCRC) :]


def label_atoms(label: str) -> list[str]:
    """A label as the pieces of a regular expression: spaces and hyphens alike, apostrophes
    optional, an optional plural; matched in capitals only when written in capitals."""
    capitals = not any(c.islower() for c in label)
    out = []
    for ch in label.translate(_PLAIN):
        if ch == " ":
            out.append(r"[\s-]+")
        elif ch == "-":
            out.append(r"[\s-]?")
        elif ch == "'":
            out.append("'?")
        elif ch.isalpha() and not capitals and ch.lower() != ch.upper():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        else:
            out.append(re.escape(ch))
    if label[-1:].isalpha():
        out.append("(?:e?s)?")
    return out


def label_expression(label: str) -> str:
    """A label as a regular expression (see :func:`label_atoms`)."""
    return "".join(label_atoms(label))


def _trie(labels: Iterable[list[str]]) -> str:
    """One expression for many labels, their common beginnings shared (the engine then tries
    few branches at each place), the longer match preferred."""
    root: dict = {}
    for atoms in labels:
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict) -> str:
        parts = [atom + emit(child) for atom, child in node.items() if atom]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


@dataclass
class _Scheme:
    name: str
    field: str
    property: str
    expression: re.Pattern[str]  #: every alternative, without groups (the engine skips fast)
    #: by the first character of the words: the alternatives that can start with it, in order
    candidates: dict[str, tuple[tuple[re.Pattern[str], Entry], ...]]
    anywhere: tuple[tuple[re.Pattern[str], Entry], ...]  #: the patterns, which can start anyhow

    def matches(self, text: str) -> Iterator[tuple[re.Match[str], Entry]]:
        """Each match in ``text`` and the alternative that made it."""
        for hit in self.expression.finditer(text):
            start = hit.start()
            for alternative, entry in self.candidates.get(text[start].lower(), self.anywhere):
                m = alternative.match(text, start)
                if m is not None:
                    yield m, entry
                    break


class Tagger:
    """The lexicon, compiled once from the ontology."""

    def __init__(self, schemes: list[_Scheme], broader: dict[str, str], adult: frozenset[str]):
        self._schemes = schemes
        self._broader = broader
        self._adult_services = adult

    @classmethod
    def from_ontology(cls, path: Path = CONCEPTS_FILE) -> Tagger:
        """The tagger of the concept schemes in ``path`` (the project's concepts.ttl), cached
        while the file is unchanged."""
        return _compiled(Path(path), Path(path).stat().st_mtime_ns)

    # -- tagging ------------------------------------------------------------------------------

    def suggest(self, sentences: Iterable[Sentence], source: str) -> Iterator[Suggestion]:
        """Suggestions for each sentence, in the order of the sentences."""
        previous_subject: str | None = None
        previous_adult = False
        for sentence in sentences:
            text = sentence.text.translate(_PLAIN)
            mentions = _mentions(text)
            subject = _kind(mentions[0]) if mentions else None
            found, adult = self._tag(
                sentence, text, source, previous_subject, previous_adult, mentions
            )
            yield from found
            previous_subject = subject or (previous_subject if _PRONOUN.search(text) else None)
            previous_adult = adult

    def suggest_text(self, text: str, source: str = "text") -> list[Suggestion]:
        """Suggestions for plain text, cut into sentences as a document's paragraphs are
        (:func:`scrkg.loader.documents.split_text`; for tests and evaluation)."""
        return list(self.suggest(split_text(text), source))

    def _tag(
        self,
        sentence: Sentence,
        text: str,
        source: str,
        carried: str | None,
        previous_adult: bool,
        mentions: list[re.Match[str]],
    ) -> tuple[list[Suggestion], bool]:
        """The suggestions of one sentence, and whether it names an adult-facing service."""
        best: dict[str, tuple[float, _Scheme, re.Match[str], Entry]] = {}
        prescriptive = _PRESCRIPTIVE.search(text) is not None
        about_review = _ABOUT_REVIEW.search(text) is not None
        general = _GENERAL.search(text) is not None
        inverted = _COUNTERFACTUAL.search(text)
        adult = _ADULT_SERVICES.search(text) is not None
        pending_context: list[tuple[str, float, _Scheme, re.Match[str], Entry]] = []
        uninvolved: list[re.Match[str]] = []  # services the sentence says were not involved
        for scheme in self._schemes:
            for m, entry in scheme.matches(text):
                if scheme.name == "agency-types" and any(
                    c in self._adult_services for c in entry.codes
                ):
                    adult = True
                codes = self._owned(scheme.name, entry, text, m, carried, mentions)
                if not codes:
                    continue
                confidence = CONFIDENCE[entry.kind]
                if scheme.name in FACT_SCHEMES and (
                    prescriptive or general or _THE_WORD.search(text, 0, m.start())
                ):
                    continue
                if scheme.name in NEGATED_SCHEMES and _negated(text, m):
                    continue
                if scheme.name == "maltreatment-types" and _RISK_OF.search(text, 0, m.start()):
                    continue  # at risk of it is not suffering it
                if scheme.name == "maltreatment-types" and _BY_PEERS.match(text, m.end()):
                    continue  # hurt by peers: extra-familial harm, no maltreatment type
                if "unsafe-sleep" in entry.codes and (
                    _SLEEP_ADVICE_BEFORE.search(text, 0, m.start())
                    or _SLEEP_ADVICE_AFTER.match(text, m.end())
                ):
                    continue  # safe sleep advice: the way of sleeping discussed, not done
                if scheme.name == "maltreatment-types" and _OFFENCE_BEFORE.search(
                    text, 0, m.start()
                ):
                    continue  # an offence of indecent images is not the child's abuse
                if "history-of-violent-crime" in entry.codes and _CHARGED.search(
                    text, 0, m.start()
                ):
                    continue  # a charge is no history (most often for the incident reviewed)
                if (
                    "physical-abuse" in entry.codes
                    and _SIGN_WORDS.search(m.group(0))
                    and (not _ABUSE_STATED.search(text) or _ACCEPTED.search(text))
                ):
                    confidence *= SIGN  # an injury not stated as abuse
                if m.group(0).isupper() and _PSEUDONYM.search(
                    text, max(0, m.start() - 14), m.start()
                ):
                    continue  # "Child AP" is a child, not alternative provision
                if scheme.name == "agency-types":
                    if _agency_negated(text, m):
                        uninvolved.append(m)
                        continue
                    if (
                        _IF_BEFORE.search(text, 0, m.start()) and _IF_AFTER.match(text, m.end())
                    ) or _WOULD_BEFORE.search(text, 0, m.start()):
                        confidence *= RECOMMENDED_AGENCY  # hypothetical
                    if "schools" in entry.codes and (
                        _SCHOOL_PLACE.search(text, max(0, m.start() - 30), m.start())
                        or _OWN_SCHOOL_AFTER.match(text, m.end())
                        or (
                            _OWN_SCHOOL_BEFORE.search(text, max(0, m.start() - 40), m.start())
                            and _PARENT_BEFORE.search(text, max(0, m.start() - 60), m.start())
                        )
                    ):
                        continue
                    if "police" in entry.codes and _MEETING_PLACE.search(
                        text, max(0, m.start() - 50), m.end() + 12
                    ):
                        continue  # a police station as a meeting place
                    if "local-authority" in entry.codes and (
                        _OTHER_PLACE.search(text, 0, m.start())
                        or _OWNS_SERVICE.match(text, m.end())
                    ):
                        continue
                    if (
                        prescriptive
                        or about_review
                        or general
                        or (inverted and m.start() - inverted.end() <= _SUBJECT_GAP)
                    ):
                        confidence *= RECOMMENDED_AGENCY
                hedge = _hedged(text, m)
                if hedge == SPECULATIVE and scheme.name not in FACT_SCHEMES:
                    hedge = HEDGED
                confidence *= hedge
                for code, factor in codes:
                    c = round(confidence * factor, 2)
                    if code in NEEDS_ADULT_SERVICES:
                        pending_context.append((code, c, scheme, m, entry))
                    elif code not in best or best[code][0] < c:
                        best[code] = (c, scheme, m, entry)
        for code, c, scheme, m, entry in pending_context:
            if not (adult or previous_adult):
                code, c = self._broader.get(code, code), round(c * FELL_BACK, 2)
            if code not in best or best[code][0] < c:
                best[code] = (c, scheme, m, entry)
        if "paediatrics" in best and _HOSPITAL.search(text):  # the hospital's paediatrician
            c, scheme, m, entry = best.pop("paediatrics")
            if not m.group(0).lower().startswith("community") and (
                "acute-hospital" not in best or best["acute-hospital"][0] < c
            ):
                best["acute-hospital"] = (c, scheme, m, entry)
            elif m.group(0).lower().startswith("community"):
                best["paediatrics"] = (c, scheme, m, entry)
        if "history-of-violent-crime" in best and _of_the_incident(
            text,
            best["history-of-violent-crime"][2],
            "maltreatment-types" in {v[1].name for v in best.values()},
        ):
            best.pop("history-of-violent-crime")  # convicted for the harm reviewed: no history
        if (
            "domestic-abuse" in best
            and re.search(r"\bher$", best["domestic-abuse"][2].group(0), re.I)
            and _A_GIRL.search(text)
            and not _ADULT_WOMAN.search(text)
        ):
            best.pop("domestic-abuse")  # "he sexually assaulted her", of a girl: not the mother
        for code in [c for c, v in best.items() if v[1].name in FACT_SCHEMES]:
            found = best[code][2]
            if any(u.start() <= found.start() and found.end() <= u.end() for u in uninvolved):
                best.pop(code)  # read in the name of a service that was not involved
        if (
            "police" in best
            and "border-agency" in best
            and "police" not in best["police"][2].group(0).lower()
        ):
            best.pop("police")  # the officers who arrested are the border agency's
        if (
            "domestic-abuse" in best
            and "history-of-violent-crime" in best
            and _THEIR_PREVIOUS_PARTNER.search(text)
        ):
            best.pop("domestic-abuse")  # violence to his previous partners is his history
        if not (prescriptive or about_review or general):
            for agency, factor in AGENCY_IMPLIES.items():
                if agency in best and factor not in best:
                    c, _, m, entry = best[agency]
                    if _owner(text, m, carried, mentions) != "child":
                        risk = next(x for x in self._schemes if x.name == "risk-factors")
                        best[factor] = (round(c * _IMPLIED, 2), risk, m, entry)
        for code in list(best):  # a narrower concept found: its broader ones are not suggested
            up = self._broader.get(code)
            while up is not None:
                best.pop(up, None)
                up = self._broader.get(up)
        for code, implied in IMPLIES.items():
            if code in best:
                for other in implied:
                    if other not in best or best[other][0] < best[code][0]:
                        best[other] = best[code]
        suggestions = [
            Suggestion(
                source=source,
                concept=SCRC + code,
                scheme=scheme.name,
                field=scheme.field,
                property=scheme.property,
                quote=sentence.text,
                page=sentence.page,
                start=sentence.start,
                end=sentence.end,
                prefix=sentence.prefix,
                suffix=sentence.suffix,
                matched=sentence.text[m.start() : m.end()],
                label=entry.text,
                confidence=c,
            )
            for code, (c, scheme, m, entry) in best.items()
            if code not in GROUPING_CONCEPTS
        ]
        return suggestions, adult

    def _owned(
        self,
        scheme: str,
        entry: Entry,
        text: str,
        m: re.Match[str],
        carried: str | None,
        mentions: list[re.Match[str]],
    ) -> list[tuple[str, float]]:
        """The concepts of ``entry`` that the owner of the words allows, with a factor for the
        confidence; none when the words are shared and no owner is found."""
        ruled = [code for code in entry.codes if code in OWNERS]
        if not ruled:
            return [(code, 1.0) for code in entry.codes]
        if scheme == "agency-types":  # a service is whoever's it is said to be, else anyone's
            owner = _possessor(text, m)
            return [(c, 1.0) for c in entry.codes if owner is None or OWNERS.get(c) != owner]
        owner = _owner(text, m, carried, mentions)
        if owner is None and len(entry.codes) > 1:
            return []
        if _GREW_UP.search(text, 0, m.start()):  # "had grown up with a father who drank"
            entry = Entry(
                entry.text,
                entry.kind,
                tuple(
                    c
                    for c in entry.codes
                    if c == "adverse-parental-childhood-experiences"
                    or OWNERS.get(c) not in ("parent", "household")
                ),
            )
        kept = []
        for code in entry.codes:
            rule = OWNERS.get(code)
            if rule is None:
                kept.append((code, 1.0))
            elif rule == "parent" and owner not in ("child", "other"):
                kept.append((code, 1.0 if owner else UNOWNED))
            elif (
                (rule == "parent-only" and owner == "parent")
                or (rule == "child" and owner != "parent")
                or (rule == "victim" and not _parent_suffered(entry, text, m, owner, mentions))
                or (rule == "household" and not (owner == "parent" and _in_own_childhood(text, m)))
            ):
                kept.append((code, 1.0))
        return kept


_PASSIVE = re.compile(r"\b(?:was|were|been|being)\s+(?:\w+\s+){0,2}$", re.I)
_OWN_CHILDHOOD = re.compile(
    r"\b(?:as\s+(?:a\s+)?(?:child|children|teenager|girl|boy|young\s+person)|"
    r"(?:in|throughout|during)\s+(?:her|his|their)\s+(?:own\s+)?(?:childhood|youth)|"
    r"(?:by|between|of|from)\s+(?:her|his|their)\s+own\s+(?:parents|mother|father|family)|when\s+(?:she|he|they)\s+(?:was|were)\s+(?:a\s+)?"
    r"(?:child|young|younger|teenager|girl|boy))\b",
    re.I,
)
#: The confidence of a risk factor an agency implies, against the agency's.
_IMPLIED = 0.9
#: At most this many characters between "Had the" and the agency it is about.
_SUBJECT_GAP = 24
_CHARGED = re.compile(r"\bcharged\s+with\s+(?:\w+\s+){0,2}$", re.I)
#: A previous partner of the man (not the mother's own ex-partner, who abused her).
_THEIR_PREVIOUS_PARTNER = re.compile(
    r"(?<!her\s)(?<!mother's\s)(?<!mother's\s)\b(?:previous|former|earlier|ex-)\s*partners?\b", re.I
)
#: Grown up with it: the parent's own childhood, not this household.
_GREW_UP = re.compile(
    r"(?:\b(?:grew|grown|growing)\s+up\s+(?:with|in|around|among|amid)\b"
    r"|\b(?:her|his|their|mother's|father's)\s+own\s+(?:mother|father|parents?|mum|dad|"
    r"stepfather|stepmother)\b|\b(?:her|his|their)\s+own\s+(?=$))[^;.]{0,60}$",
    re.I,
)
#: A grandparent is a carer when the sentence says so.
_GRANDPARENT = re.compile(r"(?:(?:maternal|paternal)\s+)?grand(?:mother|father|parent)", re.I)
_CARES = re.compile(
    r"\b(?:carers?|cared\s+for|cares\s+for|caring\s+for|looked\s+after|kinship|special\s+guardian\w*|"
    r"lived\s+with|living\s+with|lives\s+with|in\s+(?:her|his|their)\s+care)\b",
    re.I,
)
_RISK_OF = re.compile(r"\brisk\s+of\s+(?:\w+\s+)?$", re.I)


def _in_own_childhood(text: str, m: re.Match[str]) -> bool:
    """Whether the words after the match put it in a parent's own childhood."""
    return _OWN_CHILDHOOD.search(text, m.end()) is not None


_INJURY = re.compile(
    r"fractur|bruis|burn|scald|injur|broken|haemorrhag|haematoma|bite|strangl|smother", re.I
)
_OBJECT_AFTER = re.compile(r"\s+(?:her|him|them)\b", re.I)
_PRONOUN_NEAR_AFTER = re.compile(r"(?:\s+[\w'-]+){0,4}?\s+(?:on|to|of)\s+(?:her|his)\b", re.I)


def _parent_suffered(
    entry: Entry, text: str, m: re.Match[str], owner: str | None, mentions: list[re.Match[str]]
) -> bool:
    """Whether the words say a parent suffered the maltreatment, not the child: done to a
    pronoun that stands for the sentence's subject, a parent ("her partner had strangled her");
    passive or in the parent's own childhood ("had been neglected as a child"); or a sign of it
    (an injury) that a pronoun ties to the parent ("treated her for a fractured
    wrist", "the bruising on her arms")."""
    before = [p for p in mentions if p.end() <= m.start()]
    if _OBJECT_AFTER.match(text, m.end()) and before:
        return _kind(before[0]) == "parent"
    if owner != "parent":
        return False
    if _PASSIVE.search(text, 0, m.start()) or _in_own_childhood(text, m):
        return True
    return bool(_INJURY.search(m.group(0))) and bool(
        (before and _PRONOUN.search(text, before[-1].end(), m.start()))
        or _PRONOUN_NEAR_AFTER.match(text, m.end())
    )


def _owner(
    text: str, m: re.Match[str], carried: str | None, mentions: list[re.Match[str]]
) -> str | None:
    """Whose the matched words are: ``parent``, ``child``, ``other`` (an adult named only as
    one) or None."""
    for inside in _PERSON.finditer(text, m.start(), m.end()):
        if not _AS_A.search(text, m.start(), inside.start()):  # "as a child" is a time of life
            return _kind(inside)
    after = _AFTER_OWNER.match(text, m.end())
    if after:
        return "parent" if after.group("parent") else "child"
    before = [p for p in mentions if p.end() <= m.start()]
    if before:
        last = before[-1]
        pronoun = _SUBJECT_PRONOUN.search(text, last.end(), m.start())
        if pronoun and last is not before[0]:
            said, first = _gender(pronoun.group(0)), before[0]
            named = _gender(last.group(0))
            plural = re.search(r"[^s']s$", last.group(0)) is not None
            if (
                (named is not None and named != said)
                or plural
                or (named is None and _gender(first.group(0)) == said)
            ):  # "Child A ... with foster carers, from whose home she went missing"
                return _kind(first)
        return _kind(last)  # "her father ... when he had been drinking": the father
    if carried and _PRONOUN.search(text, 0, m.start()):
        return carried
    return None


_AS_A = re.compile(r"\bas\s+(?:a\s+)?$", re.I)
_SUBJECT_PRONOUN = re.compile(r"\b(?:she|he)\b", re.I)
_FEMALE = re.compile(
    r"\b(?:mother|mothers|mum|mom|stepmother|step-mother|girlfriend|wife|grandmother|aunt|woman|"
    r"women|female|girl|daughter|daughters|sister|sisters|stepdaughter|Mrs|Ms|she|her)\b",
    re.I,
)
_MALE = re.compile(
    r"\b(?:father|fathers|dad|stepfather|step-father|boyfriend|husband|grandfather|uncle|man|men|"
    r"male|boy|son|sons|brother|brothers|stepson|Mr|he|him|his)\b",
    re.I,
)


_CONVICTED = re.compile(r"\b(?:convicted|conviction|charged|sentenced|guilty|pleaded)\b", re.I)
_EARLIER = re.compile(r"\b(?:previous|history|earlier|past|prior|record|had\s+a)\b", re.I)
_CHILD_AFTER = re.compile(
    r"\s+(?:of\s+|to\s+)?(?:the\s+)?(?:(?:Child|Baby)\s+[A-Z]\b|child\b|baby\b|infant\b)"
)
#: A girl a domestic abuse pattern's "her" can be, and a woman it can be (who comes first).
_A_GIRL = re.compile(r"\b(?:(?:Child|Baby)\s+[A-Z]|girl|daughter|stepdaughter)\b")
_ADULT_WOMAN = re.compile(
    r"\b(?:mother|mum|partner|wife|girlfriend|woman|ex-partner|Ms|Mrs|she)\b", re.I
)


def _of_the_incident(text: str, m: re.Match[str], maltreatment: bool) -> bool:
    """Whether a violent crime is the harm the review is about: a conviction or charge (not
    "previous convictions") in a sentence that names the child's maltreatment, or for a crime
    against the child ("the manslaughter of Child Y")."""
    around = text[max(0, m.start() - 40) : m.end()]
    if not _CONVICTED.search(around) or _EARLIER.search(around):
        return False
    if re.search(r"\bof\s+(?:his|her)\s+(?:murder|manslaughter)\b", around, re.I):
        return True  # "convicted of his murder": the child's
    return maltreatment or _CHILD_AFTER.match(text, m.end()) is not None


def _gender(words: str) -> str | None:
    """``female``, ``male`` or None (not told, or more than one person)."""
    if _FEMALE.search(words):
        return "female"
    if _MALE.search(words):
        return "male"
    return None


_POSSESSOR = re.compile(
    rf"\b(?:(?P<parent>{_PARENT})|(?P<child>{_CHILD}|(?:Child|Baby)\s+[A-Z]))(?:'s|s')\s+$", re.I
)


def _possessor(text: str, m: re.Match[str]) -> str | None:
    """``parent`` or ``child`` when a person's possessive stands just before the words ("the
    child's mental health team"), else None."""
    found = _POSSESSOR.search(text, max(0, m.start() - 40), m.start())
    if found is None:
        return None
    return "parent" if found.group("parent") else "child"


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around ``text[start:end]``: from the last clause end before it to the first
    after it."""
    left = 0
    for b in _CLAUSE_END.finditer(text, 0, start):
        left = b.end()
    after = _CLAUSE_END.search(text, end)
    return left, after.start() if after else len(text)


def _negated(text: str, m: re.Match[str]) -> bool:
    left, right = _clause(text, m.start(), m.end())
    before = text[left : m.start()]
    if _NOT_ADJACENT.search(before) or _DENIAL.search(before):
        return True
    if _NOTHING_TO_SUGGEST.search(before):
        return True
    if _OR_ANY.search(before) and _PRE_TRIGGER.search(before):
        return True
    listed = _NEGATED_LIST.search(before)
    if listed and not _VERB.search(listed.group("list")):
        return True
    evidence = _NO_EVIDENCE_THAT.search(before)
    if evidence and not _KNOWING.search(evidence.group(0)):
        return True  # not "no evidence that the school had been aware of the domestic abuse"
    if _LATER_RULED_OUT.match(text, m.end()):
        return True
    if _SELF_NEGATIVE.match(m.group(0)):
        return _POST_TRIGGERS.match(text[m.end() : right]) is not None
    words = list(_WORD.finditer(before))
    window = before[words[-8].start() :] if len(words) > 8 else before
    for trigger in _PRE_TRIGGER.finditer(window):
        if trigger.group(0).lower() == "no":
            following = _WORD.search(window, trigger.end())
            if following and following.group(0).lower() in _PSEUDO_NO:
                continue
        return True
    return _POST_TRIGGERS.match(text[m.end() : right]) is not None


def _agency_negated(text: str, m: re.Match[str]) -> bool:
    left, right = _clause(text, m.start(), m.end())
    if _REFERRAL_TO.search(text, max(0, m.start() - 40), m.start()) and _NEVER_MADE.match(
        text, m.end()
    ):
        return True  # "a referral to the domestic abuse charity was discussed but never made"
    listed = _NEGATED_LIST.search(text, left, m.start())
    if listed and not _VERB.search(listed.group("list")):
        return True  # "no history of domestic abuse, police call-outs or separations"
    return bool(
        _AGENCY_PRE.search(text[left : m.start()]) or _AGENCY_POST.match(text[m.end() : right])
    )


_REFERRAL_TO = re.compile(r"\breferrals?\s+to\s+(?:the\s+|a\s+|an\s+)?(?:[\w'-]+\s+){0,3}$", re.I)
_NEVER_MADE = re.compile(
    r"[^.;]{0,80}?\b(?:was|were|had\s+been)\s+(?:\w+\s+){0,3}?(?:never|not)\s+(?:been\s+)?made\b",
    re.I,
)


def _hedged(text: str, m: re.Match[str]) -> float:
    """The factor of the confidence for a hedge of the words: :data:`SPECULATIVE` when they are
    only said to be possible ("may have been", "could not exclude"), :data:`HEDGED` for a
    suspicion, a risk or an allegation, 1 with no hedge. A hedge counts before the words in their
    clause, or in the few words after them ("domestic abuse was suspected"): one further on is
    about something else ("... and allegations from each against the other")."""
    left, right = _clause(text, m.start(), m.end())
    comma = text.find(",", m.end(), right)
    after = list(_WORD.finditer(text, m.end(), right if comma < 0 else comma))
    near = after[min(len(after), _HEDGE_AFTER) - 1].end() if after else m.end()
    before = list(_WORD.finditer(text, left, m.start()))
    far = before[-_HEDGE_BEFORE].start() if len(before) > _HEDGE_BEFORE else left
    if (
        _SPECULATION.search(text, far, m.start())
        or _SPECULATION.search(text, m.end(), near)
        or _SPECULATIVE_OPENING.search(text, left, m.start())
    ):
        return SPECULATIVE
    if _HEDGE.search(text, far, m.start()) or _HEDGE.search(text, m.end(), near):
        return HEDGED
    return 1.0


#: A clause opened as only possible ("it may be that ...", "it is possible that ..."): all of it.
_SPECULATIVE_OPENING = re.compile(
    r"\bit\s+(?:may|might|could)\s+(?:be|have\s+been)\s+that\b"
    r"|\bit\s+is\s+(?:possible|conceivable)\s+that\b",
    re.I,
)
#: "neither parent had a criminal record or any known history of violence": "or any" goes on
#: with a list that a negation opened.
_OR_ANY = re.compile(r"\b(?:or|nor)\s+any\s+(?:[\w'-]+\s+)?$", re.I)
#: "no evidence of unsafe sleeping, parental drug or alcohol use, or neglect": a list of nouns
#: after "no evidence of" (no verb in it) is negated to its end.
_NEGATED_LIST = re.compile(
    r"\b(?:no|neither|nor|without|never)\s+(?:[\w'-]+\s+){0,2}?(?:evidence|history|signs?|"
    r"indications?|concerns?|records?|reports?|suggestion|mention|knowledge)\s+(?:of|about|regarding)\s+"
    r"(?P<list>(?:(?!\bno\b)[^;:])*?)(?:,\s*(?:or\s+|nor\s+)?|\s+(?:or|nor)\s+)(?:any\s+)?$",
    re.I,
)
_VERB = re.compile(r"\b(?:was|were|is|are|had|has|have|did|does|and)\b", re.I)
#: Hurt by peers or strangers ("beaten by the older boys he worked for"): harm outside the
#: family, no maltreatment type.
_BY_PEERS = re.compile(
    r"\s+by\s+(?:a\s+|the\s+|some\s+|two\s+|three\s+|several\s+)?(?:group\s+of\s+|gang\s+of\s+)?"
    r"(?:older\s+|other\s+|local\s+|unknown\s+|rival\s+)?(?:boys|girls|youths|peers|pupils|gangs?|"
    r"teenagers|young\s+people|males|dealers)\b",
    re.I,
)
#: Safe sleep advice: an unsafe way of sleeping discussed or advised against, not done.
_SLEEP_ADVICE_BEFORE = re.compile(
    r"\b(?:discuss\w*|advice\s+(?:about|on|regarding)|advis\w+\s+(?:\w+\s+)?(?:about|on|against)|"
    r"talked\s+(?:\w+\s+){0,2}?about|warn\w*\s+(?:\w+\s+){0,2}?(?:about|against)|"
    r"leaflets?\s+(?:about|on))\s+(?:the\s+)?(?:risks?\s+of\s+|dangers\s+of\s+)?$",
    re.I,
)
_SLEEP_ADVICE_AFTER = re.compile(
    r"\s+(?:was|were|had\s+been)\s+(?:not\s+|never\s+)?(?:discussed|covered|explained|mentioned)\b",
    re.I,
)

#: How many words before and after the matched ones (up to a comma) a hedge is read in.
_HEDGE_BEFORE, _HEDGE_AFTER = 6, 4


# -- compiling ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _compiled(path: Path, _mtime: int) -> Tagger:
    in_scheme: dict[str, str] = {}
    broader: dict[str, str] = {}
    lexicon: dict[str, list[tuple[str, str]]] = {}
    kinds = {SKOS + "prefLabel": "pref", SKOS + "altLabel": "alt", SKOS + "hiddenLabel": "hidden"}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(SCRC):
            continue
        code = s.value[len(SCRC) :]
        if p == SKOS + "inScheme" and isinstance(o, ox.NamedNode):
            in_scheme[code] = o.value[len(SCRC) :]
        elif p == SKOS + "broader" and isinstance(o, ox.NamedNode):
            broader[code] = o.value[len(SCRC) :]
        elif p in kinds and isinstance(o, ox.Literal) and o.language in (None, "en"):
            lexicon.setdefault(code, []).append((kinds[p], o.value))
        elif p == SCR + "textPattern" and isinstance(o, ox.Literal):
            lexicon.setdefault(code, []).append(("pattern", o.value))
    schemes = []
    for field, prop, name in TAGGED_FIELDS:
        alternatives: dict[str, tuple[str, str, list[str]]] = {}  # expression -> text, kind, codes
        for code in sorted(c for c, s in in_scheme.items() if s == name):
            if code in GROUPING_CONCEPTS:
                continue
            entries = lexicon.get(code, [])
            patterns = [re.compile(t, re.I) for k, t in entries if k == "pattern"]
            for kind, value in entries:
                if kind == "pattern":
                    expression = f"(?i:{value})"
                else:
                    if any(p.fullmatch(value.translate(_PLAIN)) for p in patterns):
                        continue  # the concept's own pattern stands in for this label
                    expression = label_expression(value)
                if expression in alternatives:
                    alternatives[expression][2].append(code)
                else:
                    alternatives[expression] = (value, kind, [code])
        ordered = sorted(
            alternatives.items(),
            key=lambda item: (
                item[1][1] != "pattern",
                -len(re.sub(r"[\s'-]", "", item[1][0])),
                KIND_ORDER.index(item[1][1]),
            ),
        )
        scan = [e for e, (_, kind, _) in ordered if kind == "pattern"]
        scan.append(_trie(label_atoms(v) for _, (v, kind, _) in ordered if kind != "pattern"))
        regex = re.compile(r"(?<![\w&])(?=\w)(?:" + "|".join(scan) + r")(?![\w&])")
        anywhere: list[tuple[re.Pattern[str], Entry]] = []
        candidates: dict[str, list[tuple[re.Pattern[str], Entry]]] = {}
        for expression, (value, kind, codes) in ordered:
            alternative = (
                re.compile(f"(?:{expression})(?![\\w&])"),
                Entry(value, kind, tuple(codes)),
            )
            if kind == "pattern":
                anywhere.append(alternative)
                for listed in candidates.values():
                    listed.append(alternative)
            else:
                first = value.translate(_PLAIN)[0].lower()
                candidates.setdefault(first, list(anywhere)).append(alternative)
        schemes.append(
            _Scheme(
                name,
                field,
                prop,
                regex,
                {k: tuple(v) for k, v in candidates.items()},
                tuple(anywhere),
            )
        )
    adult = frozenset(c for c, b in broader.items() if b == "adult-facing-services")
    return Tagger(schemes, broader, adult)


@dataclass
class Screened:
    """What tagging documents gave once the personal-data guard had read every quote."""

    kept: list[Suggestion]  #: the suggestions that may be written, in document order
    sentences: int  #: sentences read in all the documents
    left_out: int  #: suggestions left out because their sentence holds personal data
    notes: list[str]  #: one line per sentence left out or kept without its context


def screened_suggestions(
    documents: Iterable[Any], tagger: Tagger, *, min_confidence: float = MIN_CONFIDENCE
) -> Screened:
    """Tag each opened document (loader/documents.py) and screen every suggestion before
    anything is written: one whose sentence holds personal data is left out; one where only the
    text just before or after it does is kept without that text (no prefix or suffix). The notes
    say where and what kind of data, never the data itself."""
    from scrkg.loader.guard import personal_value

    kept: list[Suggestion] = []
    notes: list[str] = []
    sentences = left_out = 0
    for document in documents:
        flagged: dict[tuple[int, int], tuple[Suggestion, str, int]] = {}
        cleared: dict[tuple[int, int], tuple[Suggestion, str]] = {}
        counter = [0]
        for suggestion in tagger.suggest(_counting(document.sentences(), counter), document.source):
            if suggestion.confidence < min_confidence:
                continue
            key = (suggestion.start, suggestion.end)
            kind = personal_value(suggestion.quote, free_text=True)
            if kind is not None:
                left_out += 1
                held = flagged.get(key)
                flagged[key] = (suggestion, kind, (held[2] if held else 0) + 1)
                continue
            around = personal_value(suggestion.prefix, free_text=True) or personal_value(
                suggestion.suffix, free_text=True
            )
            if around is not None:
                suggestion = dataclasses.replace(suggestion, prefix="", suffix="")
                cleared[key] = (suggestion, around)
            kept.append(suggestion)
        sentences += counter[0]
        for suggestion, kind, count in flagged.values():
            notes.append(
                f"{_place(suggestion)}: left out a sentence that holds {kind} ({count} "
                f"suggestion{'s' if count != 1 else ''}); code it by hand if it matters"
            )
        for suggestion, kind in cleared.values():
            notes.append(
                f"{_place(suggestion)}: the text just before or after a sentence holds {kind}; "
                "the sentence is kept without it (no prefix or suffix)"
            )
    return Screened(kept, sentences, left_out, notes)


def _counting(items: Iterable[Sentence], counter: list[int]) -> Iterator[Sentence]:
    for item in items:
        counter[0] += 1
        yield item


def _place(suggestion: Suggestion) -> str:
    """Where a suggestion's sentence is, for a message: file, page, characters."""
    page = f"page {suggestion.page}, " if suggestion.page is not None else ""
    return f"{suggestion.source}, {page}characters {suggestion.start}-{suggestion.end}"
