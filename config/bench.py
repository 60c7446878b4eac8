"""A no-op JSON view for bench/scale.py: the yardstick intake is measured against.

Mounted at /api/_bench/noop/ only when HITOTSUBU_BENCH is on (never in production): behind the same
middleware, the same DRF authentication (token) and permission, and it parses the same JSON body,
so the ratio intake / no-op shows the cost of the intake itself, not of Django or the network.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView


@extend_schema(exclude=True)
class NoopView(APIView):
    def post(self, request):
        return Response({"ok": True, "keys": len(request.data)}, status=201)

    def get(self, request):
        return Response({"ok": True})
