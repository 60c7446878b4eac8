"""Where a form may send the browser after it is done: only somewhere on this site.

Every view that reads `next` goes through safe_next: a `next` outside the site (another host, a
scheme such as javascript:, a protocol-relative //evil.example) is refused and the view's own
default page is used instead, so a crafted link can never bounce a member of staff elsewhere.
"""

import logging

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)


def safe_next(request, default, *args, refused=None, **kwargs) -> str:
    """The request's `next` (POST, then GET) if it stays on this site, else `default` resolved
    (a URL name with args, or a path); a `next` that was refused goes to `refused` if given."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    if target:
        logger.warning("Refused a redirect outside the site: %r", target[:200])
        if refused is not None:
            return resolve_url(refused)
    return resolve_url(default, *args, **kwargs)
