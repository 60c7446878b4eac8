from csp.constants import UNSAFE_INLINE
from rest_framework.renderers import BrowsableAPIRenderer as DRFBrowsableAPIRenderer


class BrowsableAPIRenderer(DRFBrowsableAPIRenderer):
    """DRF's HTML view of the API, under a Content Security Policy that allows its inline *styles*.

    DRF's templates put style attributes and a <style> for code highlighting all over its pages
    (rest_framework/*.html); rewriting them is a fork. The exception is for styles only and only on
    these developer pages, which show the same data as the JSON: scripts stay 'self' everywhere.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
