"""Severity from what the consumer reported: a pure function of four intake fields.

    critical  a hazard is reported (injury, illness, choking, allergic reaction), the foreign matter
              is hard or sharp (glass, metal, hard plastic), or an allergen is missing from the label
    high      any other foreign matter, any other labelling case
    normal    everything else
"""

from defects.models import Category, ForeignMatterKind, Hazard, Severity

HARD_FOREIGN_MATTER = frozenset({ForeignMatterKind.GLASS, ForeignMatterKind.METAL, ForeignMatterKind.HARD_PLASTIC})


def severity(category: str, hazard: str = Hazard.NONE, foreign_matter_kind: str = "",
             undeclared_allergen: bool = False) -> str:
    if hazard and hazard != Hazard.NONE:
        return Severity.CRITICAL
    if category == Category.FOREIGN_MATTER:
        return Severity.CRITICAL if foreign_matter_kind in HARD_FOREIGN_MATTER else Severity.HIGH
    if category == Category.LABELLING:
        return Severity.CRITICAL if undeclared_allergen else Severity.HIGH
    return Severity.NORMAL


def fill_severity(case) -> None:
    """extensions.CASE_INTAKE hook: the new case's severity; a critical case is urgent too (queues put
    it first and the first-notice clock runs on its urgent target)."""
    case.severity = severity(case.category, case.hazard, case.foreign_matter_kind, case.undeclared_allergen)
    if case.severity == Severity.CRITICAL:
        case.urgent = True
