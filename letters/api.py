"""Letters and print batches over the API.

Letters carry the consumer's name and address, so only roles that see personal data may list or
download them; factory users get 403 even for their own factory's cases.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from defects import personal_data, roles, selectors
from defects.api.negotiation import AnyAcceptNegotiation

from . import services
from .models import Kind, Letter, PrintBatch


def _require_personal_data_role(user):
    if not roles.sees_personal_data(user):
        raise PermissionDenied("Letters carry personal data; your role may not see them.")


def _require_print_room(user):
    if not roles.has_role(user, roles.MAILROOM, roles.ADMIN):
        raise PermissionDenied("Only the print and mail room may run print batches.")


class LetterSerializer(serializers.ModelSerializer):
    pdf = serializers.SerializerMethodField()
    case = serializers.CharField(source="case.reference")

    class Meta:
        model = Letter
        fields = ["id", "case", "kind", "status", "language", "revision", "problems", "needs_reprint",
                  "reprint_reason", "batch", "created_at", "rendered_at", "printed_at", "mailed_at", "pdf"]

    def get_pdf(self, letter) -> str | None:
        if letter.status in PDF_UNAVAILABLE:
            return None
        return reverse("api-letter-pdf", args=[letter.pk], request=self.context.get("request"))


class PrintBatchSerializer(serializers.ModelSerializer):
    pdf = serializers.SerializerMethodField()
    stuck = serializers.SerializerMethodField(help_text="Queued with no worker taking it within the lease, "
                                                        "or rendering with its lease run out.")

    class Meta:
        model = PrintBatch
        fields = ["id", "kind", "status", "stuck", "progress", "count", "revision", "rendered_revision",
                  "created_at", "queued_at", "started_at", "lease_expires_at", "finished_at", "attempts", "error",
                  "printed_at", "mailed_at", "pdf"]

    def get_stuck(self, batch) -> bool:
        return batch.is_stuck

    def get_pdf(self, batch) -> str | None:
        if batch.status != PrintBatch.Status.READY or not batch.pdf:
            return None
        return reverse("api-batch-pdf", args=[batch.pk], request=self.context.get("request"))


# A letter not yet checked, or held by the check, has no printable form.
PDF_UNAVAILABLE = {Letter.Status.QUEUED, Letter.Status.HELD, Letter.Status.CANCELLED}


def current_letter_pdf(letter: Letter) -> Letter:
    """The letter with its PDF if it is rendered for this revision; otherwise the render is queued
    (in the demo, with tasks inline, it is done by the time this returns)."""
    from . import tasks

    if not letter.pdf_is_current:
        tasks.render_letter_pdf.delay(letter.pk)
        letter.refresh_from_db()
    return letter


def _pdf_response(field, filename):
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The PDF file is missing.") from None
    return FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=filename)


class CaseLettersView(APIView):
    @extend_schema(responses=LetterSerializer(many=True))
    def get(self, request, reference):
        case = selectors.case_for(request.user, reference)
        _require_personal_data_role(request.user)
        letters = case.letters.select_related("case").order_by("created_at", "id")
        return Response(LetterSerializer(letters, many=True, context={"request": request}).data)


def _letter_for(user, letter_id) -> Letter:
    _require_personal_data_role(user)
    letter = get_object_or_404(Letter.objects.select_related("case"), pk=letter_id)
    selectors.case_for(user, letter.case.reference)  # same scoping as the case itself
    return letter


class LetterPdfView(APIView):
    content_negotiation_class = AnyAcceptNegotiation  # "Accept: application/pdf" must not be a 406

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, letter_id):
        letter = _letter_for(request.user, letter_id)
        if personal_data.is_erased(letter.case):
            raise Http404("The consumer's personal data was erased; the letter is no longer kept.")
        if letter.status in PDF_UNAVAILABLE:
            return Response({"detail": "This letter has not passed the letter check.", "status": letter.status,
                             "problems": letter.problems}, status=status.HTTP_409_CONFLICT)
        letter = current_letter_pdf(letter)
        if not letter.pdf_is_current:
            return Response({"detail": "The PDF is being rendered; ask again shortly.", "status": "rendering"},
                            status=status.HTTP_202_ACCEPTED)
        response = _pdf_response(letter.pdf, f"{letter.case.reference}-{letter.kind}.pdf")
        personal_data.accessed(request.user, [letter.case], "letter_pdf")
        return response


class LetterReprintView(APIView):
    @extend_schema(request=None, responses=LetterSerializer)
    def post(self, request, letter_id):
        letter = _letter_for(request.user, letter_id)
        _require_print_room(request.user)
        try:
            letter = services.reprint_letter(letter, request.user)
        except services.BatchConflict as conflict:
            return Response({"detail": str(conflict), "code": "letter_conflict"}, status=status.HTTP_409_CONFLICT)
        return Response(LetterSerializer(letter, context={"request": request}).data)


class PrintBatchListView(APIView):
    @extend_schema(responses=PrintBatchSerializer(many=True))
    def get(self, request):
        _require_print_room(request.user)
        batches = PrintBatch.objects.all()[:100]
        return Response(PrintBatchSerializer(batches, many=True, context={"request": request}).data)

    @extend_schema(
        request=inline_serializer("PrintBatchCreate", {"kind": serializers.ChoiceField(choices=Kind.choices)}),
        responses={202: PrintBatchSerializer},
    )
    def post(self, request):
        _require_print_room(request.user)
        kind = request.data.get("kind") if hasattr(request.data, "get") else None
        batch = services.create_batch(kind, request.user)
        return Response(PrintBatchSerializer(batch, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)


class PrintBatchDetailView(APIView):
    @extend_schema(responses=PrintBatchSerializer)
    def get(self, request, batch_id):
        _require_print_room(request.user)
        batch = get_object_or_404(PrintBatch, pk=batch_id)
        return Response(PrintBatchSerializer(batch, context={"request": request}).data)


class PrintBatchPdfView(APIView):
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, batch_id):
        _require_print_room(request.user)
        batch = get_object_or_404(PrintBatch, pk=batch_id)
        if batch.status != PrintBatch.Status.READY:
            return Response({"detail": "The batch is not ready.", "status": batch.status},
                            status=status.HTTP_409_CONFLICT)
        response = _pdf_response(batch.pdf, f"batch-{batch.pk}-{batch.kind}.pdf")
        personal_data.accessed(request.user, list(batch.letters.values_list("case_id", flat=True)), "batch_pdf")
        return response


class PrintBatchActionView(APIView):
    action_name = ""
    ACTIONS = {
        "mark-printed": services.mark_printed,
        "mark-mailed": services.mark_mailed,
        "retry": services.retry_batch,
        "reprint": services.reprint_batch,
    }

    @extend_schema(request=None, responses=PrintBatchSerializer)
    def post(self, request, batch_id):
        _require_print_room(request.user)
        batch = get_object_or_404(PrintBatch, pk=batch_id)
        try:
            batch = self.ACTIONS[self.action_name](batch, request.user)
        except services.BatchConflict as conflict:
            return Response({"detail": str(conflict), "code": "batch_conflict", "status": batch.status},
                            status=status.HTTP_409_CONFLICT)
        return Response(PrintBatchSerializer(batch, context={"request": request}).data)
