"""JSON shapes of the API. Output serializers read models; input serializers check JSON types and
leave the rules to defects.forms and factories.forms (see bridge.py). Nothing here writes to the
database: views call defects.services.

cases.py: cases, intake, transitions, timeline, contacts, errors; investigation.py: the factory's
report, photos, versions; parcels.py: shipments, replacement, redirects, consumer details, addresses.
"""

from .cases import *  # noqa: F403
from .cases import PAYLOAD_SERIALIZERS, payload_table  # noqa: F401
from .investigation import *  # noqa: F403
from .parcels import *  # noqa: F403
