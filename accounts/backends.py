from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come with a request (every login over HTTP does).

    A call to authenticate() without a request (Django's test client `login()`, a script) has no
    client address to count against; axes would raise, this lets ModelBackend decide alone.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
