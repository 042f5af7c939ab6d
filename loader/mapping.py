"""Coded reviews to triples, exactly as docs/data-model.md shows them.

Terms are built as pyoxigraph objects directly (no rdflib, no serialise-and-reparse): the
predicates and concepts are made once and reused, so a million triples map in seconds. The mapping
is deterministic: the same records always give the same triples and IRIs.

Synthetic is labelled on every node it makes: every node minted for a synthetic review (the
review, the rapid review that led to it, its agencies, lessons, recommendations, children and
incidents) carries ``scr:isSynthetic true``, and so does a board (or the LSCB a partnership took
over from) that only synthetic reviews of the source name. A board that a real review of the
same source also names is real and stays unmarked.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator

import pyoxigraph as ox

from scrkg.loader.iris import Minter, encode_id
from scrkg.loader.records import Review, Vocabulary
from scrkg.ontology import DEFAULT_BASE, SCR, SCRC, XSD

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD_DATE = ox.NamedNode(XSD + "date")
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_ANY_URI = ox.NamedNode(XSD + "anyURI")
TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))


def _scr(name: str) -> ox.NamedNode:
    return ox.NamedNode(SCR + name)


CASE_REVIEW = _scr("CaseReview")
CHILD, AGENCY, LESSON, INCIDENT = _scr("Child"), _scr("Agency"), _scr("Lesson"), _scr("Incident")
SAFEGUARDING_BOARD = _scr("SafeguardingBoard")
COMMISSIONED_BY = _scr("commissionedBy")
REPORTING_YEAR = _scr("reportingYear")
EVALUATION_DATE = _scr("evaluationDate")
QUALITY_GRADE = _scr("qualityGrade")
REVIEW_METHOD = _scr("reviewMethod")
IS_SYNTHETIC = _scr("isSynthetic")
CONCERNS_CHILD = _scr("concernsChild")
INVOLVED_AGENCY = _scr("involvedAgency")
IDENTIFIES_LESSON = _scr("identifiesLesson")
AGENCY_TYPE = _scr("agencyType")
LESSON_THEME = _scr("lessonTheme")
CONCERNS_AGENCY = _scr("concernsAgency")
AGE_BAND = _scr("ageBand")
OUTCOME = _scr("outcome")
SOCIAL_CARE_STATUS = _scr("socialCareStatus")
MALTREATMENT = _scr("maltreatment")
HAS_RISK_FACTOR = _scr("hasRiskFactor")
VIEWS_SOUGHT_COUNT = _scr("viewsSoughtCount")
EXPERIENCED = _scr("experienced")
INCIDENT_CATEGORY = _scr("incidentCategory")
# today's reviews (since 2018)
RAPID_REVIEW = _scr("RapidReview")
SAFEGUARDING_PARTNERSHIP = _scr("SafeguardingPartnership")
RECOMMENDATION = _scr("Recommendation")
NOTIFICATION_DATE = _scr("notificationDate")
RAPID_REVIEW_DATE = _scr("rapidReviewDate")
PUBLICATION_DATE = _scr("publicationDate")
REPORT_ADDRESS = _scr("reportAddress")
RAPID_REVIEW_DECISION = _scr("rapidReviewDecision")
LED_TO_REVIEW = _scr("ledToReview")
STATUTORY_PARTNER = _scr("statutoryPartner")
SUCCEEDED_BY = _scr("succeededBy")
MAKES_RECOMMENDATION = _scr("makesRecommendation")
ADDRESSED_TO = _scr("addressedTo")
RECOMMENDATION_STATUS = _scr("recommendationStatus")
STATUS_DATE = _scr("statusDate")
STATUS_EVIDENCE = _scr("statusEvidence")
SEX = _scr("sex")
ETHNIC_GROUP = _scr("ethnicGroup")

#: The tabular field each predicate comes from, to name it in SHACL messages.
FIELD_OF_PREDICATE: dict[str, str] = {
    RDF_TYPE.value: "review_type",
    COMMISSIONED_BY.value: "board",
    REPORTING_YEAR.value: "reporting_year",
    EVALUATION_DATE.value: "evaluation_date",
    QUALITY_GRADE.value: "quality_grade",
    REVIEW_METHOD.value: "review_method",
    IS_SYNTHETIC.value: "synthetic",
    CONCERNS_CHILD.value: "child_id",
    INVOLVED_AGENCY.value: "agencies",
    AGENCY_TYPE.value: "agencies",
    IDENTIFIES_LESSON.value: "lessons",
    LESSON_THEME.value: "lessons",
    CONCERNS_AGENCY.value: "lessons",
    AGE_BAND.value: "age_band",
    OUTCOME.value: "outcome",
    SOCIAL_CARE_STATUS.value: "social_care_status",
    MALTREATMENT.value: "maltreatment",
    HAS_RISK_FACTOR.value: "risk_factors",
    VIEWS_SOUGHT_COUNT.value: "views_sought",
    EXPERIENCED.value: "incident_category",
    INCIDENT_CATEGORY.value: "incident_category",
    NOTIFICATION_DATE.value: "notification_date",
    RAPID_REVIEW_DATE.value: "rapid_review_date",
    PUBLICATION_DATE.value: "publication_date",
    REPORT_ADDRESS.value: "report_address",
    RAPID_REVIEW_DECISION.value: "rapid_review_decision",
    LED_TO_REVIEW.value: "rapid_review_id",
    STATUTORY_PARTNER.value: "statutory_partners",
    SUCCEEDED_BY.value: "succeeded_board",
    MAKES_RECOMMENDATION.value: "recommendations",
    ADDRESSED_TO.value: "addressed_to",
    RECOMMENDATION_STATUS.value: "status",
    STATUS_DATE.value: "status_date",
    STATUS_EVIDENCE.value: "status_evidence",
    SEX.value: "sex",
    ETHNIC_GROUP.value: "ethnic_group",
}


class Mapper:
    """Maps reviews to triples under one instance base, caching the nodes it reuses."""

    def __init__(self, vocabulary: Vocabulary, base: str = DEFAULT_BASE) -> None:
        self.vocabulary = vocabulary
        self.mint = Minter(base)
        self._concepts: dict[str, ox.NamedNode] = {}
        self._classes: dict[str, ox.NamedNode] = {}
        self._boards: dict[str, ox.NamedNode] = {}

    def concept(self, code: str) -> ox.NamedNode:
        node = self._concepts.get(code)
        if node is None:
            node = self._concepts[code] = ox.NamedNode(SCRC + code)
        return node

    def review_class(self, review_type: str) -> ox.NamedNode:
        node = self._classes.get(review_type)
        if node is None:
            iri = self.vocabulary.review_classes.get(review_type)
            node = self._classes[review_type] = ox.NamedNode(iri) if iri else CASE_REVIEW
        return node

    def board(self, label: str) -> ox.NamedNode:
        node = self._boards.get(label)
        if node is None:
            node = self._boards[label] = self.mint.board(label)
        return node

    def recommendation(self, review_id: str, position: int) -> ox.NamedNode:
        """``{base}recommendation/{review id}/{number}``, as docs/data-model.md shows it."""
        return ox.NamedNode(f"{self.mint.base}recommendation/{encode_id(review_id)}/{position}")

    def triples(self, reviews: Iterable[Review]) -> Iterator[ox.Triple]:
        """All triples of the reviews; each board is described once."""
        reviews = list(reviews)
        real_boards = {
            name
            for review in reviews
            if not review.synthetic
            for name in (review.board, review.succeeded_board)
            if name
        }
        boards: set[str] = set()
        for review in reviews:
            yield from self.review(review, boards, real_boards)

    def review(
        self, review: Review, boards: set[str], real_boards: Container[str] = ()
    ) -> list[ox.Triple]:
        """The triples of one review, its agencies, lessons, children and incidents, and its
        board unless ``boards`` (the board labels already described) holds it.

        When the review is synthetic every node minted for it is marked ``scr:isSynthetic``, and
        so is its board unless ``real_boards`` (boards a real review names) holds it."""
        T, label, concept = ox.Triple, self.vocabulary.label, self.concept
        out: list[ox.Triple] = []
        add = out.append
        rid = review.id
        synthetic = review.synthetic
        node = self.mint.review(rid)
        add(T(node, RDF_TYPE, self.review_class(review.type)))
        add(T(node, RDFS_LABEL, ox.Literal(f"{label(review.type)} {rid}")))
        board = self.board(review.board)
        add(T(node, COMMISSIONED_BY, board))
        if review.board not in boards:
            boards.add(review.board)
            kind = SAFEGUARDING_PARTNERSHIP if review.partnership else SAFEGUARDING_BOARD
            add(T(board, RDF_TYPE, kind))
            add(T(board, RDFS_LABEL, ox.Literal(review.board)))
            for code in review.statutory_partners:
                add(T(board, STATUTORY_PARTNER, concept(code)))
            if synthetic and review.board not in real_boards:
                add(T(board, IS_SYNTHETIC, TRUE))
        lscb = review.succeeded_board
        if lscb:
            add(T(self.board(lscb), SUCCEEDED_BY, board))
            if lscb not in boards:
                boards.add(lscb)
                add(T(self.board(lscb), RDF_TYPE, SAFEGUARDING_BOARD))
                add(T(self.board(lscb), RDFS_LABEL, ox.Literal(lscb)))
                if synthetic and lscb not in real_boards:
                    add(T(self.board(lscb), IS_SYNTHETIC, TRUE))
        add(T(node, REPORTING_YEAR, ox.Literal(review.reporting_year)))
        if review.evaluation_date:
            add(T(node, EVALUATION_DATE, ox.Literal(review.evaluation_date, datatype=XSD_DATE)))
        if review.quality_grade:
            add(T(node, QUALITY_GRADE, concept(review.quality_grade)))
        if review.method:
            add(T(node, REVIEW_METHOD, concept(review.method)))
        if synthetic:
            add(T(node, IS_SYNTHETIC, TRUE))
        out += self.today(review, node, board)

        agencies: dict[str, ox.NamedNode] = {}
        for code in review.agencies:
            agency = agencies[code] = self.mint.agency(rid, code)
            add(T(node, INVOLVED_AGENCY, agency))
            add(T(agency, RDF_TYPE, AGENCY))
            add(T(agency, RDFS_LABEL, ox.Literal(f"{label(code)} (review {rid})")))
            add(T(agency, AGENCY_TYPE, concept(code)))
            if synthetic:
                add(T(agency, IS_SYNTHETIC, TRUE))

        for position, lesson in enumerate(review.lessons, start=1):
            item = self.mint.lesson(rid, position)
            text = lesson.text or f"{label(lesson.theme)} (review {rid})"
            add(T(node, IDENTIFIES_LESSON, item))
            add(T(item, RDF_TYPE, LESSON))
            add(T(item, RDFS_LABEL, ox.Literal(text)))
            add(T(item, LESSON_THEME, concept(lesson.theme)))
            if synthetic:
                add(T(item, IS_SYNTHETIC, TRUE))
            for code in lesson.agencies:
                add(T(item, CONCERNS_AGENCY, agencies.get(code) or self.mint.agency(rid, code)))

        for child in review.children:
            cid = child.id
            person = self.mint.child(cid)
            add(T(node, CONCERNS_CHILD, person))
            add(T(person, RDF_TYPE, CHILD))
            add(T(person, RDFS_LABEL, ox.Literal(f"Child {cid}")))
            add(T(person, AGE_BAND, concept(child.age_band)))
            add(T(person, OUTCOME, concept(child.outcome)))
            add(T(person, SOCIAL_CARE_STATUS, concept(child.social_care_status)))
            for code in child.maltreatment:
                add(T(person, MALTREATMENT, concept(code)))
            for code in child.risk_factors:
                add(T(person, HAS_RISK_FACTOR, concept(code)))
            if child.sex:
                add(T(person, SEX, concept(child.sex)))
            if child.ethnic_group:
                add(T(person, ETHNIC_GROUP, concept(child.ethnic_group)))
            if child.views_sought is not None:
                add(
                    T(
                        person,
                        VIEWS_SOUGHT_COUNT,
                        ox.Literal(str(child.views_sought), datatype=XSD_INTEGER),
                    )
                )
            if child.incident_category:
                incident = self.mint.incident(cid)
                add(T(person, EXPERIENCED, incident))
                add(T(incident, RDF_TYPE, INCIDENT))
                add(T(incident, RDFS_LABEL, ox.Literal(f"Incident concerning child {cid}")))
                add(T(incident, INCIDENT_CATEGORY, concept(child.incident_category)))
                if synthetic:
                    add(T(incident, IS_SYNTHETIC, TRUE))
            if synthetic:
                add(T(person, IS_SYNTHETIC, TRUE))
            if review.rapid_review_id:
                add(T(self.mint.review(review.rapid_review_id), CONCERNS_CHILD, person))
        return out

    def today(self, review: Review, node: ox.NamedNode, board: ox.NamedNode) -> list[ox.Triple]:
        """The triples of today's reviews: dates, report address, decision, the rapid review that
        led to the review (its children are added with the review's), recommendations."""
        T, concept = ox.Triple, self.concept
        out: list[ox.Triple] = []
        add = out.append
        rid = review.id
        dates = (
            (NOTIFICATION_DATE, review.notification_date),
            (RAPID_REVIEW_DATE, review.rapid_review_date),
        )
        for predicate, value in dates + ((PUBLICATION_DATE, review.publication_date),):
            if value:
                add(T(node, predicate, ox.Literal(value, datatype=XSD_DATE)))
        if review.report_address:
            add(T(node, REPORT_ADDRESS, ox.Literal(review.report_address, datatype=XSD_ANY_URI)))
        if review.type == "rapid-review" and review.rapid_review_decision:
            add(T(node, RAPID_REVIEW_DECISION, concept(review.rapid_review_decision)))
        if review.rapid_review_id:
            rr = self.mint.review(review.rapid_review_id)
            add(T(rr, RDF_TYPE, RAPID_REVIEW))
            label = f"{self.vocabulary.label('rapid-review')} {review.rapid_review_id}"
            add(T(rr, RDFS_LABEL, ox.Literal(label)))
            add(T(rr, COMMISSIONED_BY, board))
            add(T(rr, REPORTING_YEAR, ox.Literal(review.rapid_review_year)))
            for predicate, value in dates:
                if value:
                    add(T(rr, predicate, ox.Literal(value, datatype=XSD_DATE)))
            if review.rapid_review_decision:
                add(T(rr, RAPID_REVIEW_DECISION, concept(review.rapid_review_decision)))
            add(T(rr, LED_TO_REVIEW, node))
            if review.synthetic:
                add(T(rr, IS_SYNTHETIC, TRUE))
        for recommendation in review.recommendations:
            item = self.recommendation(rid, recommendation.position)
            add(T(node, MAKES_RECOMMENDATION, item))
            add(T(item, RDF_TYPE, RECOMMENDATION))
            add(T(item, RDFS_LABEL, ox.Literal(recommendation.text)))
            for code in recommendation.addressed_to:
                add(T(item, ADDRESSED_TO, concept(code)))
            if recommendation.status:
                add(T(item, RECOMMENDATION_STATUS, concept(recommendation.status)))
            if recommendation.status_date:
                date = ox.Literal(recommendation.status_date, datatype=XSD_DATE)
                add(T(item, STATUS_DATE, date))
            if recommendation.status_evidence:
                add(T(item, STATUS_EVIDENCE, ox.Literal(recommendation.status_evidence)))
            if review.synthetic:
                add(T(item, IS_SYNTHETIC, TRUE))
        return out

    def locations(self, reviews: Iterable[Review]) -> dict[str, str]:
        """Where each minted node came from in the source (``"row 7"``, a JSON path), so that a
        SHACL violation on a node can be reported at the record behind it."""
        where: dict[str, str] = {}
        for review in reviews:
            rid = review.id
            where[self.mint.review(rid).value] = review.location
            if review.rapid_review_id:
                where[self.mint.review(review.rapid_review_id).value] = review.location
            for recommendation in review.recommendations:
                where[self.recommendation(rid, recommendation.position).value] = review.location
            for code in review.agencies:
                where[self.mint.agency(rid, code).value] = review.location
            for position in range(1, len(review.lessons) + 1):
                where[self.mint.lesson(rid, position).value] = review.location
            for child in review.children:
                where[self.mint.child(child.id).value] = child.location
                where[self.mint.incident(child.id).value] = child.location
        return where
