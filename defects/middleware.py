from django.middleware.locale import LocaleMiddleware


class JapaneseByDefaultLocaleMiddleware(LocaleMiddleware):
    """Japanese unless the user chose otherwise with the language switch (cookie).

    The staff's browsers are not a choice they made for this tool: an English-language browser
    must not turn the hotline's screens English by itself. API clients still choose with
    Accept-Language, since an integration asks for its language on purpose.
    """

    def process_request(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return super().process_request(request)
