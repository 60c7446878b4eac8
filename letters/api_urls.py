from django.urls import path

from . import api

urlpatterns = [
    path("cases/<str:reference>/letters/", api.CaseLettersView.as_view(), name="api-case-letters"),
    path("letters/<int:letter_id>/pdf/", api.LetterPdfView.as_view(), name="api-letter-pdf"),
    path("letters/<int:letter_id>/reprint/", api.LetterReprintView.as_view(), name="api-letter-reprint"),
    path("print-batches/", api.PrintBatchListView.as_view(), name="api-print-batches"),
    path("print-batches/<int:batch_id>/", api.PrintBatchDetailView.as_view(), name="api-print-batch"),
    path("print-batches/<int:batch_id>/pdf/", api.PrintBatchPdfView.as_view(), name="api-batch-pdf"),
] + [
    path(f"print-batches/<int:batch_id>/{name}/", api.PrintBatchActionView.as_view(action_name=name),
         name=f"api-batch-{name}")
    for name in api.PrintBatchActionView.ACTIONS
]
