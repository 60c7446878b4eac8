"""Content negotiation for views that stream a file (a photo, a PDF)."""

from rest_framework.negotiation import DefaultContentNegotiation


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """`Accept: image/*` or `Accept: application/pdf` must not be answered 406 before the view runs:
    the view answers with the file itself; errors still come as JSON (the first renderer)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Exception:  # noqa: BLE001 - NotAcceptable: fall back to the first renderer (JSON)
            return renderers[0], renderers[0].media_type
