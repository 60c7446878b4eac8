from django.urls import path

from . import views

urlpatterns = [
    path("", views.print_room, name="print_room"),
    path("batches/", views.batch_create, name="print_batch_create"),
    path("batches/<int:batch_id>/", views.batch_detail, name="print_batch"),
    path("batches/<int:batch_id>/pdf/", views.batch_pdf, name="print_batch_pdf"),
    path("batches/<int:batch_id>/<str:action>/", views.batch_action, name="print_batch_action"),
    path("letters/<int:letter_id>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("letters/<int:letter_id>/requeue/", views.letter_requeue, name="letter_requeue"),
    path("preview/<str:kind>/", views.preview, name="letter_preview"),
]
