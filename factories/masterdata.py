"""Master data for intake, read once per process and kept for a short while (issue 11: intake at
half the speed of an empty view).

Each new case looks up its product, the product's plant codes, the factory a plant code names and
maybe a line: three or four queries per intake for rows that change a few times a year. They are
read here in one go (four queries) and kept for HITOTSUBU_MASTER_DATA_SECONDS (30 s by default;
0 reads the database every time, as the tests do unless they test this). A save or delete of a
factory, line, product or plant code in this process forgets them at once (signals, connected in
FactoriesConfig.ready); other server processes see an edit within those seconds. A code not found
here is looked up in the database as before, so a product added a second ago is known at once.

The objects are shared by the requests of the process: read them, never change them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings

_lock = threading.Lock()
_current: tuple[float, Snapshot] | None = None


@dataclass
class Snapshot:
    products: dict = field(default_factory=dict)    # code -> Product (default_factory attached)
    factories: dict = field(default_factory=dict)   # code -> Factory
    plant_codes: dict = field(default_factory=dict)  # product id -> {plant code: factory code}
    lines: dict = field(default_factory=dict)       # (factory id, line code) -> Line (factory attached)


def seconds() -> float:
    return float(getattr(settings, "HITOTSUBU_MASTER_DATA_SECONDS", 30))


def _load() -> Snapshot:
    from .models import Factory, Line, PlantCode, Product

    data = Snapshot()
    data.factories = {f.code: f for f in Factory.objects.all()}
    by_id = {f.pk: f for f in data.factories.values()}
    for product in Product.objects.all():
        if product.default_factory_id is not None:
            product.default_factory = by_id[product.default_factory_id]
        data.products[product.code] = product
    for product_id, code, factory_id in PlantCode.objects.values_list("product_id", "code", "factory_id"):
        data.plant_codes.setdefault(product_id, {})[code] = by_id[factory_id].code
    for line in Line.objects.all():
        line.factory = by_id[line.factory_id]
        data.lines[(line.factory_id, line.code)] = line
    return data


def current() -> Snapshot | None:
    """The snapshot, loaded when missing or older than seconds(); None when caching is off."""
    global _current
    ttl = seconds()
    if ttl <= 0:
        return None
    held = _current
    if held is not None and time.monotonic() - held[0] < ttl:
        return held[1]
    with _lock:
        held = _current
        if held is None or time.monotonic() - held[0] >= ttl:
            held = (time.monotonic(), _load())
            _current = held
    return held[1]


def forget(**_kwargs) -> None:
    """Signal receiver: master data changed in this process."""
    global _current
    _current = None


def product(code: str):
    data = current()
    return data.products.get(code) if data else None


def factory(code: str):
    data = current()
    return data.factories.get(code) if data else None
