"""The factory's report: GET/PUT the draft, photos of the sample, submitted versions and their diff.

These are actions of CaseViewSet (mixed in), so the case is found, scoped and named in a 409 the same
way as everywhere else; the photo file itself is served by PhotoFileView (/api/photos/{id}/).
"""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from factories.models import Investigation, InvestigationPhoto
from factories.versions import changes_since_rejection

from ... import selectors, services
from .. import serializers as s
from .common import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AnyAcceptNegotiation


class SubResources:
    """Base of the viewset's mixins: each names the serializer of its own actions (for the browsable
    API's forms and the schema) and defers the others to the next mixin."""

    def sub_resource_serializer_class(self):
        return None


class InvestigationActions(SubResources):
    SERIALIZERS = {
        "investigation": s.InvestigationSerializer,
        "investigation_photos": s.PhotoUploadSerializer,
        "investigation_photo": s.PhotoSerializer,
        "investigation_versions": s.VersionHistorySerializer,
    }

    def sub_resource_serializer_class(self):
        if self.action == "investigation" and self.request.method == "PUT":
            return s.InvestigationInputSerializer
        return self.SERIALIZERS.get(self.action) or super().sub_resource_serializer_class()

    def _report_json(self, case, investigation=None):
        if investigation is None:
            investigation = (Investigation.objects.filter(case=case).select_related("updated_by", "case").first()
                             or Investigation(case=case))
        return s.InvestigationSerializer(investigation, context=self.get_serializer_context()).data

    @extend_schema(methods=["GET"], summary="The factory's report (an empty draft before it starts)",
                   responses={200: s.InvestigationSerializer, 404: NOT_FOUND})
    @extend_schema(methods=["PUT"], summary="Save the report as a draft (the case's factory QA)",
                   description="Fields left out keep their saved value; `countermeasures`, when given, replaces "
                               "them all. Submitting is the `submit_report` transition, refused with 400 and "
                               "the missing fields while `missing_for_submission` is not empty.",
                   request=s.InvestigationInputSerializer,
                   responses={200: s.InvestigationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND,
                              409: CONFLICT})
    @action(detail=True, methods=["get", "put"], pagination_class=None, filter_backends=[],
            conflict_code="report_not_editable")
    def investigation(self, request, reference=None):
        case = self.get_object()
        if request.method == "PUT":
            report = s.InvestigationInputSerializer(data=request.data)
            report.is_valid(raise_exception=True)
            investigation = services.save_investigation(case, request.user, report.validated_data)
            return Response(self._report_json(case, investigation))
        return Response(self._report_json(case))

    @extend_schema(
        summary="Attach a photo of the sample to the draft report (the case's factory QA)",
        description="multipart/form-data with `file` (JPEG or PNG, judged by its content, not its name; at most "
                    "HITOTSUBU_PHOTO_MAX_BYTES) and an optional `caption`.",
        request={"multipart/form-data": s.PhotoUploadSerializer},
        responses={201: s.PhotoSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="investigation/photos", url_name="investigation-photos",
            parser_classes=[MultiPartParser, FormParser], pagination_class=None, filter_backends=[],
            conflict_code="report_not_editable")
    def investigation_photos(self, request, reference=None):
        case = self.get_object()
        # Role and state are the service's first questions; the file is judged after them.
        caption = request.data.get("caption") or ""
        photo = services.add_photo(case, request.user, request.FILES.get("file"), caption=caption)
        context = {**self.get_serializer_context(), "case": case}
        return Response(s.PhotoSerializer(photo, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a photo from the draft report (the case's factory QA)", request=None,
                   responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT})
    @action(detail=True, methods=["delete"], url_path=r"investigation/photos/(?P<photo_id>[0-9]{1,12})",
            url_name="investigation-photo", pagination_class=None, filter_backends=[],
            conflict_code="report_not_editable")
    def investigation_photo(self, request, reference=None, photo_id=None):
        case = self.get_object()
        services.remove_photo(case, request.user, int(photo_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Submitted versions of the report, with the QA manager's decisions",
                   responses={200: s.VersionHistorySerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="investigation/versions", url_name="investigation-versions",
            pagination_class=None, filter_backends=[])
    def investigation_versions(self, request, reference=None):
        case = self.get_object()
        investigation = Investigation.objects.filter(case=case).first()
        if investigation is None:
            return Response({"versions": [], "changes_since_rejection": None})
        versions = investigation.versions.select_related("submitted_by", "decided_by").order_by("number")
        return Response({"versions": s.VersionSerializer(versions, many=True).data,
                         "changes_since_rejection": changes_since_rejection(investigation)})


@extend_schema(tags=["cases"])
class PhotoFileView(APIView):
    """The photo itself, streamed to those who may see the case's photos; for everyone else it does
    not exist (404), whether or not it does."""

    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(summary="A photo of the sample (the case's factory QA, hotline, QA manager, admin)",
                   responses={(200, "image/jpeg"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY,
                              404: OpenApiResponse(s.ErrorSerializer, description="No such photo for you.")})
    def get(self, request, photo_id):
        photo = (InvestigationPhoto.objects.select_related("investigation__case")
                 .filter(pk=photo_id, investigation__case__in=selectors.cases_for(request.user)).first())
        if photo is None or not s.may_view_photos(request.user, photo.investigation.case):
            raise Http404(_("No such photo."))
        try:
            handle = photo.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404(_("The photo file is missing.")) from None
        response = FileResponse(handle, content_type=photo.content_type)
        response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{photo.file.name.rsplit(".", 1)[-1]}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
