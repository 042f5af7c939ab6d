"""The tagger (loader/tagging.py): what it suggests from a sentence, and what it must not.

Passages here are fictional and pseudonymous. The quality over the seven labelled tuning sets
(tests/data/tagging/tuning.jsonl, tuning-blind.jsonl, tuning-blind-2.jsonl, tuning-blind-3.jsonl
and the retired held-out.jsonl, held-out-2.jsonl and held-out-3.jsonl), together and each alone,
is guarded here (see ``HELD``); tests/benchmarks/bench_tagging.py prints it for them and for the
held-out set, held-out-4.jsonl, which no test reads.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from scrkg.loader.documents import Sentence, split_text
from scrkg.loader.records import FIELD_SCHEMES, GROUPING_CONCEPTS, Vocabulary
from scrkg.loader.tagging import MIN_CONFIDENCE, TAGGED_FIELDS, Tagger
from scrkg.ontology import SCR, SCRC

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS / "benchmarks"))
import bench_tagging  # noqa: E402

PRESS_RELEASE = TESTS.parent / "loader" / "bundled" / "ofsted-2009-10-press-release.txt"


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_ontology()


class Recorded:
    """The tagger, each text tagged once: scoring the same passages again (at another threshold,
    in another test) reads the suggestions it made the first time. The tagger keeps nothing from
    one text to the next, so they are the suggestions it would make again."""

    def __init__(self, tagger: Tagger) -> None:
        self.tagger = tagger
        self.made: dict[str, list] = {}

    def suggest_text(self, text: str) -> list:
        if text not in self.made:
            self.made[text] = self.tagger.suggest_text(text)
        return self.made[text]


@pytest.fixture(scope="module")
def recorded(tagger) -> Recorded:
    return Recorded(tagger)


def codes(tagger: Tagger, text: str, scheme: str | None = None) -> set[str]:
    return {s.code for s in tagger.suggest_text(text) if scheme is None or s.scheme == scheme}


def risks(tagger: Tagger, text: str) -> set[str]:
    return codes(tagger, text, "risk-factors")


# -- negation, denial, ruling out ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "There was no evidence of domestic abuse.",
        "Substance misuse was not a factor.",
        "Domestic abuse was ruled out.",
        "The mother denied drinking.",
        "When asked about domestic abuse, she always said there was none.",
        "The father did not misuse alcohol.",
        "Professionals found no indication that the parents were misusing drugs.",
    ],
)
def test_a_negated_risk_factor_suggests_nothing(tagger, text):
    assert risks(tagger, text) == set()


@pytest.mark.parametrize(
    ("text", "scheme"),
    [
        ("No concerns about neglect were raised.", "maltreatment-types"),
        ("Sexual abuse was considered and excluded.", "maltreatment-types"),
        ("There were no signs of physical abuse.", "maltreatment-types"),
    ],
)
def test_a_negated_maltreatment_suggests_nothing(tagger, text, scheme):
    assert codes(tagger, text, scheme) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the negation ends with its clause
        (
            "There was no evidence of domestic abuse, but the mother's alcohol use worried the GP.",
            {"parental-substance-misuse"},
        ),
        (
            "The mother denied drinking; however, the police found her intoxicated.",
            {"parental-substance-misuse"},
        ),
        # a pseudo-trigger negates nothing
        ("No referral was made about the domestic abuse.", {"domestic-abuse"}),
        ("No professional asked the mother about domestic abuse.", {"domestic-abuse"}),
        ("The mother was no longer using heroin.", {"parental-substance-misuse"}),
        # "not" far from the words is about what professionals did, not about the family
        ("Professionals did not consider the father's drinking.", {"parental-substance-misuse"}),
    ],
)
def test_negation_is_scoped(tagger, text, expected):
    assert risks(tagger, text) == expected


def test_practitioners_not_recognising_neglect_is_still_neglect(tagger):
    text = "Practitioners did not recognise the neglect Child A was experiencing."
    assert codes(tagger, text, "maltreatment-types") == {"neglect"}


def test_lesson_themes_are_never_negated(tagger):
    found = codes(tagger, "There had been no pre-birth assessment.", "lesson-themes")
    assert found == {"pre-birth-assessment"}


def test_agency_with_no_involvement_is_not_suggested(tagger):
    assert codes(tagger, "The mother was not registered with a GP.", "agency-types") == set()
    text = "The family was not known to the police or to children's social care."
    assert codes(tagger, text, "agency-types") == set()
    # not knowing something is not being uninvolved
    text = "The father's drug use was not known to the health visitor."
    assert codes(tagger, text, "agency-types") == {"health-visiting"}


# -- whose is it ---------------------------------------------------------------------------------


def test_a_disabled_child_is_no_parental_learning_disability(tagger):
    assert risks(tagger, "The child had a learning disability.") == {"child-disability"}
    assert risks(tagger, "The mother had a learning disability.") == {
        "parental-learning-disability"
    }
    assert risks(tagger, "The mother of Child A had learning difficulties.") == {
        "parental-learning-disability"
    }
    # shared words and nobody named: nothing to suggest
    assert risks(tagger, "Learning disability was discussed.") == set()


def test_a_childs_mental_health_is_not_parental_and_camhs_is_an_agency(tagger):
    text = "Child A's mental health deteriorated and she was referred to CAMHS."
    assert risks(tagger, text) == set()
    assert codes(tagger, text, "agency-types") == {"camhs"}
    assert risks(tagger, "The mother's mental health deteriorated.") == {
        "parental-mental-ill-health"
    }


def test_a_pronoun_carries_the_owner_of_the_sentence_before(tagger):
    text = "The mother was known to adult social care. She had a learning disability."
    assert risks(tagger, text) == {"parental-learning-disability"}
    text = "Child A attended a special school. She had a learning disability."
    assert risks(tagger, text) == {"child-disability"}


def test_a_parent_abused_as_a_child_is_not_the_childs_maltreatment(tagger):
    text = "The mother had been sexually abused in her own childhood."
    assert codes(tagger, text, "maltreatment-types") == set()
    assert risks(tagger, text) == {"adverse-parental-childhood-experiences"}
    text = "Child A told her teacher that her stepfather had sexually abused her."
    assert codes(tagger, text, "maltreatment-types") == {"sexual-abuse"}


def test_the_childs_views_are_the_voice_of_the_child_and_a_mothers_are_not(tagger):
    assert codes(tagger, "The girl's views were never sought.", "lesson-themes") == {
        "voice-of-the-child"
    }
    assert codes(tagger, "The mother's views were sought.", "lesson-themes") == set()


# -- recommendations and hedges ------------------------------------------------------------------


def test_a_recommendation_suggests_a_theme_but_no_risk_factor(tagger):
    text = "Agencies should ensure that domestic abuse is considered in every pre-birth assessment."
    assert risks(tagger, text) == set()
    assert codes(tagger, text, "lesson-themes") == {"pre-birth-assessment"}
    # the past case: "should have" is no recommendation
    text = "Professionals should have recognised the neglect."
    assert codes(tagger, text, "maltreatment-types") == {"neglect"}


def test_hedged_words_are_suggested_with_less_confidence(tagger):
    sure = tagger.suggest_text("There was domestic abuse.")
    hedged = tagger.suggest_text("Domestic abuse was suspected.")
    assert [s.code for s in sure] == [s.code for s in hedged] == ["domestic-abuse"]
    assert MIN_CONFIDENCE <= hedged[0].confidence < sure[0].confidence <= 1


def test_a_factor_said_only_to_be_possible_falls_below_the_threshold(tagger):
    (possible,) = tagger.suggest_text("The mother may have had postnatal depression.")[:1]
    assert possible.code == "perinatal-mental-health"
    assert 0 < possible.confidence < MIN_CONFIDENCE
    text = "A paediatrician reviewed the bruises and could not exclude an inflicted cause."
    assert confident(tagger, text, "maltreatment-types") == set()
    # a hedge further on in the clause is about something else
    text = (
        "The separation was bitter and long, with applications to the court and allegations "
        "from each against the other."
    )
    assert confident(tagger, text, "risk-factors") == {"acrimonious-separation"}


def test_labels_are_trusted_more_than_abbreviations(tagger):
    (pref,) = tagger.suggest_text("There was domestic abuse.")
    (hidden,) = tagger.suggest_text("There was DV.")
    assert pref.label == "domestic abuse" and hidden.label == "DV"
    assert hidden.confidence < pref.confidence


# -- synonyms and abbreviations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scheme", "code"),
    [
        ("Police attended a DV incident.", "risk-factors", "domestic-abuse"),
        ("The mother was on a methadone script.", "risk-factors", "parental-substance-misuse"),
        ("He was involved in county lines.", "risk-factors", "criminal-exploitation"),
        ("She was seen by the CMHT.", "agency-types", "adult-mental-health"),
        ("Child A was taken to A&E.", "agency-types", "acute-hospital"),
        ("The HV visited the family.", "agency-types", "health-visiting"),
        ("The GP saw the baby.", "agency-types", "gp"),
        ("Child A had self-harmed.", "risk-factors", "child-self-harm"),
    ],
)
def test_abbreviations_and_phrasings(tagger, text, scheme, code):
    assert code in codes(tagger, text, scheme)


def test_abbreviations_are_matched_in_capitals_only(tagger):
    assert codes(tagger, "The mash was cold.", "agency-types") == set()
    assert codes(tagger, "The referral went to the MASH.", "agency-types") == {"mash"}


def test_a_narrower_concept_stands_for_its_broader_one(tagger):
    assert risks(tagger, "Child A was criminally exploited.") == {
        "criminal-exploitation",
        "extra-familial-harm",
    }
    # perinatal mental ill-health is coded with parental mental ill-health, as analysts do
    assert risks(tagger, "The mother had postnatal depression.") == {
        "perinatal-mental-health",
        "parental-mental-ill-health",
    }


def test_grouping_concepts_are_never_suggested(tagger):
    text = (
        "The toxic trio of domestic abuse, mental ill-health and substance misuse was present; "
        "adult-facing services were involved."
    )
    found = codes(tagger, text)
    assert found.isdisjoint(GROUPING_CONCEPTS)
    assert {"domestic-abuse", "parental-mental-ill-health", "parental-substance-misuse"} <= found


# -- what each suggestion says -------------------------------------------------------------------


def test_every_suggestion_names_its_scheme_field_and_property(recorded):
    vocabulary = Vocabulary.from_file()
    properties = {field: prop for field, prop, _ in TAGGED_FIELDS}
    assert properties["risk_factors"] == SCR + "hasRiskFactor"
    assert properties["review_type"] == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for field, _, scheme in TAGGED_FIELDS:
        assert FIELD_SCHEMES[field] == (scheme,)
    rows = bench_tagging.passages(bench_tagging.FILES["tuning"])
    seen = set()
    for row in rows:
        for s in recorded.suggest_text(row["text"]):
            assert s.concept.startswith(SCRC)
            assert s.code in vocabulary.schemes[s.scheme], (s.code, s.scheme)
            assert s.code not in GROUPING_CONCEPTS
            assert FIELD_SCHEMES[s.field] == (s.scheme,)
            assert s.property == properties[s.field]
            assert 0 < s.confidence <= 1
            assert s.matched and s.matched in s.quote
            seen.add(s.scheme)
    assert seen == {scheme for _, _, scheme in TAGGED_FIELDS}


def test_the_quote_is_the_sentence_with_its_offsets(tagger):
    text = "Child A lived with her mother.  The mother misused heroin. Nothing else was known."
    sentences = split_text(text)
    assert [s.text for s in sentences] == [
        "Child A lived with her mother.",
        "The mother misused heroin.",
        "Nothing else was known.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    (found,) = tagger.suggest(sentences, "review.txt")
    second = sentences[1]
    assert found.source == "review.txt"
    assert (found.quote, found.start, found.end) == (second.text, second.start, second.end)
    assert (found.prefix, found.suffix) == (second.prefix, second.suffix)
    assert found.matched == "heroin"


def test_pages_and_offsets_come_from_the_reader(tagger):
    sentence = Sentence("The mother’s partner was violent to her.", 7, 1200, 1240, "x", "y")
    (found,) = tagger.suggest([sentence], "r.pdf")
    assert (found.page, found.start, found.end, found.quote) == (7, 1200, 1240, sentence.text)
    assert found.code == "domestic-abuse"


def test_one_suggestion_per_concept_and_sentence(tagger):
    found = tagger.suggest_text("Domestic abuse, DV and domestic violence were all recorded.")
    assert [s.code for s in found] == ["domestic-abuse"]
    assert found[0].label == "domestic abuse"


# -- the bundled press release --------------------------------------------------------------------


def test_the_press_release_lessons_are_found_with_their_quotes(tagger):
    text = PRESS_RELEASE.read_text(encoding="utf-8")
    found = tagger.suggest_text(text, PRESS_RELEASE.name)
    lessons = {}
    for s in found:
        assert text[s.start : s.end] == s.quote
        if s.scheme == "lesson-themes":
            lessons.setdefault(s.code, []).append(s.quote)
    assert lessons["information-sharing-adult-services"] == [
        "However, too often agencies involved did not share this information early enough."
    ]
    assert "The voice of the child is not always being heard." in lessons["voice-of-the-child"]
    assert any(
        quote.startswith(
            "Evaluation of the reviews also found that there was insufficient "
            "consideration of the child\u2019s individual views"
        )
        for quote in lessons["voice-of-the-child"]
    )
    (pre_birth,) = lessons["pre-birth-assessment"]
    assert pre_birth.startswith("Despite this, there had been no pre-birth assessment")
    # the same sentences give the agencies it names, and no risk factor of the girl's mother
    # is put on the girl
    agencies = {s.code for s in found if s.scheme == "agency-types"}
    assert {"adult-social-care", "adult-mental-health", "housing", "probation"} <= agencies


# -- quality and speed -----------------------------------------------------------------------------


#: The labelled tuning files held to the targets here (precision, recall over the core three),
#: with the prefix of their passages' ids. The three held-out files of the first four rounds were
#: retired to tuning in the fifth, and tuning-blind-3 was tuned on after its first score; all
#: seven reach the targets. held-out-4 is held out: never read here.
HELD = {
    "tuning": ("t", 0.90, 0.80),
    "tuning-blind": ("b", 0.90, 0.80),
    "tuning-blind-2": ("b2", 0.90, 0.80),
    "tuning-blind-3": ("b3", 0.90, 0.80),
    "held-out": ("h", 0.90, 0.80),
    "held-out-2": ("h2", 0.90, 0.80),
    "held-out-3": ("h3", 0.90, 0.80),
}


@pytest.mark.parametrize(
    ("name", "prefix"), [(name, prefix) for name, (prefix, _, _) in HELD.items()]
)
def test_the_tuning_sets_are_well_formed(name, prefix):
    vocabulary = Vocabulary.from_file()
    rows = bench_tagging.passages(bench_tagging.FILES[name])
    assert len(rows) >= 170
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert re.fullmatch(rf"{prefix}-\d{{3}}", row["id"])
        assert set(bench_tagging.CORE) <= set(row["expect"])
        for scheme, expected in row["expect"].items():
            for code in expected:
                assert code in vocabulary.schemes[scheme], (row["id"], code)
                assert code not in GROUPING_CONCEPTS


@pytest.fixture(scope="module")
def tuning_scores(recorded) -> dict[str, dict[float, bench_tagging.Score]]:
    """Each file of :data:`HELD` scored over the core three, counting every suggestion (0.0) and
    those at the default least confidence (MIN_CONFIDENCE), each passage tagged once for the
    module."""
    scores = {}
    for name in HELD:
        rows = bench_tagging.passages(bench_tagging.FILES[name])
        scores[name] = {
            threshold: bench_tagging.core(bench_tagging.score(recorded, rows, threshold))
            for threshold in (0.0, MIN_CONFIDENCE)
        }
    return scores


def test_the_tuning_sets_together_meet_the_targets(tuning_scores):
    total = bench_tagging.Score()
    for name in HELD:
        total.add(tuning_scores[name][MIN_CONFIDENCE])
    assert total.tp > 900
    assert total.precision >= 0.90, total.precision
    assert total.recall >= 0.80, total.recall


@pytest.mark.parametrize("name", HELD)
def test_each_tuning_set_meets_the_targets(tuning_scores, name):
    _, precision, recall = HELD[name]
    total = tuning_scores[name][MIN_CONFIDENCE]
    assert total.precision >= precision, (name, total.precision)
    assert total.recall >= recall, (name, total.recall)


def test_the_lexicon_is_compiled_once_while_the_ontology_is_unchanged(tagger):
    # How fast tagging is belongs to tests/benchmarks/bench_tag.py (a 100-page PDF, read and
    # tagged, against its 5 s target) and bench_tagging.py; a timing here failed on a busy
    # machine. What can be asserted: the tagger is the same compiled object every time.
    assert Tagger.from_ontology() is Tagger.from_ontology() is tagger
    rows = bench_tagging.passages(bench_tagging.FILES["tuning"])
    count, _, _ = bench_tagging.speed(tagger, rows, 3000)
    assert count == 3000


# -- rules found on the blind tuning set ---------------------------------------------------------


def test_a_pronoun_since_the_last_person_named_points_back_to_the_subject(tagger):
    text = "Child A was placed with foster carers, from whose home she went missing twice."
    assert risks(tagger, text) == {"going-missing"}
    # a pronoun that fits the last person named stays with them
    text = "Child A said she was scared of her father when he had been drinking."
    assert "parental-substance-misuse" in risks(tagger, text)


def test_an_injury_of_the_mother_is_not_the_childs_maltreatment(tagger):
    text = (
        "The father's violence to the mother grew and the hospital treated her for a "
        "fractured wrist."
    )
    assert codes(tagger, "The partner had strangled her.", "maltreatment-types") == set()
    assert codes(tagger, text, "maltreatment-types") == set()
    text = "Child A told her teacher that her stepfather had sexually abused her."
    assert codes(tagger, text, "maltreatment-types") == {"sexual-abuse"}


def test_nothing_to_suggest_it_negates_and_a_counterfactual_is_hypothetical(tagger):
    assert (
        risks(tagger, "There was nothing in her account to suggest abuse or exploitation.") == set()
    )
    text = "An assessment would have been made had there been any concern about mental health."
    assert risks(tagger, text) == set()
    text = "The mother's alcohol use was recorded as within safe limits."
    assert risks(tagger, text) == set()


def test_a_service_of_a_parent_is_named_whoever_stands_near(tagger):
    text = "The GP referred the mother, who feared harming the baby, to the crisis team."
    assert "adult-mental-health" in codes(tagger, text, "agency-types")
    text = "The social worker was still in her probation period."
    assert "probation" not in codes(tagger, text, "agency-types")


def test_exploitation_is_extra_familial_harm(tagger):
    assert risks(tagger, "The girl had been sexually exploited by a group of older men.") == {
        "exploitation",
        "extra-familial-harm",
    }
    text = "Child A was associating with older males and was at risk of sexual exploitation."
    assert risks(tagger, text) == {"exploitation", "extra-familial-harm"}
    text = "Police found Child B dealing drugs for a county lines gang."
    assert risks(tagger, text) == {"criminal-exploitation", "extra-familial-harm"}
    assert risks(tagger, "There was no evidence that Child M was being exploited.") == set()


# -- the rules of labelling: agencies of the case, signs, sentences not about the family --------


def confident(tagger: Tagger, text: str, scheme: str) -> set[str]:
    """The codes of ``scheme`` that ``scrkg tag`` writes by default."""
    return {
        s.code
        for s in tagger.suggest_text(text)
        if s.scheme == scheme and s.confidence >= MIN_CONFIDENCE
    }


@pytest.mark.parametrize(
    "text",
    [
        "Health visitors must ask about domestic abuse at every contact.",
        "Recommendation 3: GPs should share information with health visitors.",
        "Had the school been told of the incidents, it could have offered support.",
        "The local authority, the ICB and the police, as the safeguarding partners, have accepted "
        "the recommendations of this review.",
        "Practitioners from the police and social care took part in the learning event.",
        "The review panel included representatives of the police and the school.",
    ],
)
def test_an_agency_of_a_recommendation_or_of_the_review_is_below_the_threshold(tagger, text):
    assert codes(tagger, text, "agency-types")  # still there for a lower threshold
    assert confident(tagger, text, "agency-types") == set()


def test_the_same_agency_in_the_case_is_above_the_threshold(tagger):
    text = "The health visitor saw the baby at home and the police attended the flat."
    assert confident(tagger, text, "agency-types") == {"health-visiting", "police"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No referral was made to MARAC after the assault.", set()),
        ("A referral was made to MARAC after the assault.", {"idva-marac"}),
        ("The siblings were in care in another local authority.", set()),
        ("The local authority's housing team moved the family.", {"housing"}),
        ("The strategy discussion agreed a plan.", set()),
        ("At the child protection conference a plan was agreed.", set()),
        ("A paediatrician at the hospital examined the baby.", {"acute-hospital"}),
        ("Child A was admitted to the paediatric ward.", {"acute-hospital"}),
        ("The community paediatrician saw Child A.", {"paediatrics"}),
        ("The paediatrician saw Child A.", {"paediatrics"}),
    ],
)
def test_agencies_follow_the_rules_of_labelling(tagger, text, expected):
    assert confident(tagger, text, "agency-types") == expected


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("The skeletal survey found multiple rib fractures of different ages.", False),
        ("The mother said the bruise was caused by a fall.", False),
        ("The paediatrician concluded that the fractures had been inflicted.", True),
        ("The father had hit Child A, who had bruises to his back.", True),
    ],
)
def test_an_injury_is_physical_abuse_only_when_the_sentence_says_so(tagger, text, written):
    assert ("physical-abuse" in codes(tagger, text, "maltreatment-types")) is True
    assert ("physical-abuse" in confident(tagger, text, "maltreatment-types")) is written


@pytest.mark.parametrize(
    "text",
    [
        "The word neglect does not appear in any agency record.",
        "Nationally, neglect remains the most common category of child protection plan.",
        "The father was convicted of downloading indecent images of children.",
    ],
)
def test_sentences_not_about_the_childs_maltreatment_suggest_none(tagger, text):
    assert codes(tagger, text, "maltreatment-types") == set()


def test_child_groomed_to_send_indecent_images_is_sexual_abuse(tagger):
    text = "Child A was groomed online by an adult who persuaded her to send indecent images."
    assert "sexual-abuse" in confident(tagger, text, "maltreatment-types")


def test_a_special_guardianship_order_is_no_previous_care_proceedings(tagger):
    assert risks(tagger, "The children were placed with their grandmother under a special "
                 "guardianship order.") == set()  # fmt: skip
    assert risks(tagger, "Her older children had been removed in care proceedings.") == {
        "previous-care-proceedings"
    }


def test_the_default_threshold_keeps_recall_and_raises_precision_on_the_tuning_sets(
    tuning_scores,
):
    for name in HELD:
        every, default = tuning_scores[name][0.0], tuning_scores[name][MIN_CONFIDENCE]
        assert default.precision > every.precision, name
        assert default.recall >= 0.80, name


# -- rules found on the second blind tuning set ------------------------------------------------


def test_a_grandparent_is_a_carer_only_when_the_sentence_says_so(tagger):
    text = "The maternal grandmother, who lived in another city, was a heavy drinker."
    assert risks(tagger, text) == set()
    text = "The grandmother, who cared for Child A during the week, was a heavy drinker."
    assert risks(tagger, text) == {"parental-substance-misuse"}


def test_agencies_listed_after_words_of_no_involvement_and_agencies_not_told(tagger):
    text = "Child O was not known to the police, CAMHS or the YOT."
    assert confident(tagger, text, "agency-types") == set()
    # an agency that was not told something was involved all the same
    text = "The probation service knew but did not tell children's social care."
    assert confident(tagger, text, "agency-types") == {"probation", "childrens-social-care"}


def test_an_agency_of_the_case_can_say_a_risk_factor(tagger):
    assert risks(tagger, "The case was heard at MARAC in April.") == {"domestic-abuse"}
    text = "The crisis team assessed the father at home."
    assert risks(tagger, text) == {"parental-mental-ill-health"}
    text = "A referral to the perinatal mental health service should have been made."
    assert confident(tagger, text, "risk-factors") == set()


def test_a_counterfactual_by_inversion_makes_only_its_agency_hypothetical(tagger):
    text = "Had the GP known of the father's psychosis, he would have asked about the children."
    assert confident(tagger, text, "agency-types") == set()
    assert confident(tagger, text, "risk-factors") == {"parental-mental-ill-health"}


@pytest.mark.parametrize(
    "text",
    [
        "Safe sleep advice was given by the midwife on the postnatal ward.",
        "The death was treated as a SUDI.",
        "The mother booked late, at 28 weeks.",
        "The local authority issued care proceedings for Child A in the spring.",
        "Child S was seen by CAMHS for low mood and suicidal thoughts.",
        "The neglect toolkit was not used by any agency.",
    ],
)
def test_look_alike_words_suggest_no_risk_factor_or_maltreatment(tagger, text):
    assert confident(tagger, text, "risk-factors") == set()
    assert confident(tagger, text, "maltreatment-types") == set()


def test_a_conviction_for_killing_the_child_is_its_physical_abuse_not_a_history(tagger):
    for text in (
        "The father was convicted of the manslaughter of Child Y.",
        "The father was convicted of the murder of Child AK.",
    ):
        assert confident(tagger, text, "risk-factors") == set()
        assert confident(tagger, text, "maltreatment-types") == {"physical-abuse"}
    text = "Child H's father was convicted of his murder and sentenced to life imprisonment."
    assert confident(tagger, text, "risk-factors") == set()


def test_previous_care_proceedings_are_about_earlier_children(tagger):
    text = "Her two older children had been adopted after care proceedings in 2016."
    assert "previous-care-proceedings" in risks(tagger, text)
