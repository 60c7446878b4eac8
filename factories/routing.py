"""Which factory (and line, and date) a case belongs to, from the lot code printed on the package.

    route(product, lot_code) -> Routing(factory, line, date, date_kind, note)

The product's lot format and plant codes are read with factories.lots.decode_lot. When the code
cannot be read or names an unknown plant, a product made in one plant only (a default factory and
no plant codes) goes to that plant (no code needed); any other case is left unrouted (factory None) with a
note saying what was read, for the QA manager who assigns it (defects.services.assign_factory).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from factories import lots, masterdata
from factories.models import Factory, Line, Product


@dataclass(frozen=True)
class Routing:
    factory: Factory | None
    line: Line | None = None
    date: dt.date | None = None
    date_kind: str = ""  # 'best_before' / 'production' when a date was read
    note: str = ""

    @property
    def routed(self) -> bool:
        return self.factory is not None


def _plant_codes(product: Product) -> dict[str, str]:
    data = masterdata.current()  # read once per process for a while, not per case (issue 11)
    if data is not None and product.code in data.products:
        return data.plant_codes.get(product.pk, {})
    return {p.code: p.factory.code for p in product.plant_codes.select_related("factory")}


def _factory(code: str) -> Factory | None:
    return masterdata.factory(code) or Factory.objects.filter(code=code).first()


def _line(factory: Factory, code: str) -> Line | None:
    data = masterdata.current()
    found = data.lines.get((factory.pk, code)) if data is not None else None
    return found or Line.objects.filter(factory=factory, code=code).first()


def route(product: Product, lot_code: str) -> Routing:
    plants = _plant_codes(product)
    if not plants and product.default_factory_id:
        # Made in one plant only: no lot code is needed to route it (the code may still be read).
        return Routing(factory=product.default_factory,
                       note=_("Made only at %(factory)s.") % {"factory": product.default_factory.code})
    text = (lot_code or "").strip()
    try:
        if not text:
            raise lots.UndecodableLot(_("No lot code was given."))
        if not plants:
            raise lots.LotFormatError(_("The product has no plant codes to route by."))
        if not product.lot_format:
            raise lots.LotFormatError(_("The product has no lot format."))
        info = lots.decode_lot(text, product.lot_format, plants)
    except lots.UnknownPlantCode as error:
        return _unrouted(str(error))  # names the lot code as read and the plant code found in it
    except lots.LotError as error:
        return _unrouted(_("Lot code %(lot)r not read: %(error)s") % {"lot": text, "error": error})

    factory = _factory(info.factory_code)
    if factory is None:
        # A plant code pointing at a factory code that is not in the master data (set-up error).
        return _unrouted(_("Plant code %(plant)s names factory %(code)s, which does not exist.")
                         % {"plant": info.plant_code, "code": info.factory_code})
    notes = [_("Lot %(lot)s: plant %(plant)s.") % {"lot": info.lot_code, "plant": info.plant_code}]
    line = None
    if info.line:
        line = _line(factory, info.line)
        if line is None:
            notes.append(_("Line %(line)s is not a line of %(factory)s.") % {"line": info.line, "factory": factory.code})
    if info.date and info.date_precision == "month":
        notes.append(_("The date gives only the month (%(month)s).") % {"month": f"{info.date:%Y-%m}"})
    return Routing(factory=factory, line=line, date=info.date, date_kind=info.date_kind if info.date else "",
                   note=" ".join(notes))


def _unrouted(what_was_read: str) -> Routing:
    return Routing(factory=None, note=what_was_read)
