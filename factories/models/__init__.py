"""Factories' models: master data (master.py) and the factory's work on a case (investigation.py).

Import from `factories.models`; the split into modules is an implementation detail.
"""

from .investigation import (
    CauseCategory,
    Conclusion,
    Countermeasure,
    Investigation,
    InvestigationPhoto,
    InvestigationVersion,
)
from .master import Factory, Line, PlantCode, Product, StaffProfile

__all__ = [
    "CauseCategory",
    "Conclusion",
    "Countermeasure",
    "Factory",
    "Investigation",
    "InvestigationPhoto",
    "InvestigationVersion",
    "Line",
    "PlantCode",
    "Product",
    "StaffProfile",
]
