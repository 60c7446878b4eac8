urlpatterns = []  # filled by the API work
