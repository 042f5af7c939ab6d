"""The scrkg loader: sources (CSV, JSON, RDF) in, validated named graphs with provenance out.

Entry points (loader/load.py): :func:`load_source`, :func:`validate_source` and
:func:`load_bundled`; every refusal is a :class:`LoadError` subclass naming the file, the row or
line, the field and the rule. :func:`generate_file` writes synthetic coded reviews.
"""

from scrkg.loader.errors import (
    LoadError,
    PersonalDataError,
    RuleError,
    ShapeError,
    SourceFormatError,
    SourceTooLargeError,
)
from scrkg.loader.load import (
    BUNDLED_SOURCES,
    LoadResult,
    ValidationReport,
    load_bundled,
    load_source,
    validate_source,
)
from scrkg.loader.synthetic import generate_file

__all__ = [
    "BUNDLED_SOURCES",
    "LoadError",
    "LoadResult",
    "PersonalDataError",
    "RuleError",
    "ShapeError",
    "SourceFormatError",
    "SourceTooLargeError",
    "ValidationReport",
    "generate_file",
    "load_bundled",
    "load_source",
    "validate_source",
]
