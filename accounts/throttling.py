"""DRF throttles whose rates are read from settings on every request (HITOTSUBU_THROTTLE_RATES).

DRF's own throttles copy DEFAULT_THROTTLE_RATES into a class attribute at import, so a test (or an
operator's settings override) cannot change them afterwards; these read the setting when asked.
Counts live in Django's cache (per process unless CACHES points at a shared cache).
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle as DRFAnonRateThrottle
from rest_framework.throttling import ScopedRateThrottle as DRFScopedRateThrottle


class _RatesFromSettings:
    def get_rate(self):
        return settings.HITOTSUBU_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_RatesFromSettings, DRFAnonRateThrottle):
    """Every endpoint that answers anonymous requests (token, schema, docs): per client address."""


class ScopedRateThrottle(_RatesFromSettings, DRFScopedRateThrottle):
    """A view's own `throttle_scope` (e.g. "login")."""

    def allow_request(self, request, view):
        # DRFScopedRateThrottle reads THROTTLE_RATES here; ours reads settings through get_rate().
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(DRFScopedRateThrottle, self).allow_request(request, view)
