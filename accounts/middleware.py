from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and private, no-cache) on every response that may carry personal data.

    The rule is the simple safe one: every response to a logged-in user (pages, API, letter PDFs,
    photos) and every API response, so no browser, proxy or shared cache keeps a copy. Static files
    are served by WhiteNoise before this middleware and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
