"""{% overdue_countermeasures %}: the first few overdue countermeasures and checks the user may see
(the factory's own, or all for a QA manager), with the count. Its own include so the home page's
queues can change around it."""

from django import template

from .. import roles
from ..services import countermeasures

register = template.Library()
SHOWN = 5


@register.inclusion_tag("defects/_overdue_countermeasures.html", takes_context=True)
def overdue_countermeasures(context):
    user = context["request"].user
    if not roles.has_role(user, roles.FACTORY_QA, roles.QA_MANAGER):
        return {"show": False}
    rows = countermeasures.overdue(countermeasures.visible_countermeasures(user)).order_by("due_date", "id")
    return {"show": True, "rows": list(rows[:SHOWN]), "count": rows.count()}
