urlpatterns = []  # filled by the web UI work
