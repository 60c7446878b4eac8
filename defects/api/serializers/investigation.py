"""The factory's report over the API: its fields, countermeasures, photos and submitted versions.

Input is checked for JSON *types* here; the rules (lengths, 5-Whys shape, countermeasure dates ...)
stay with factories.forms, applied by defects.services.save_investigation, whose errors name the
field ('occurrence_whys', 'countermeasures[1].target').
"""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.reverse import reverse

from factories.forms import CountermeasureForm
from factories.models import Countermeasure, Investigation, InvestigationPhoto, InvestigationVersion

from ... import roles, selectors
from ...forms import reject_control_characters
from ..bridge import serializer_from_form

TEXT_FIELDS = tuple(
    name for name in Investigation.REPORT_FIELDS
    if Investigation._meta.get_field(name).get_internal_type() in ("TextField", "CharField")
    and not Investigation._meta.get_field(name).choices
)


def may_view_photos(user, case) -> bool:
    """The case's factory QA, the hotline, QA managers and admins see the sample's photos."""
    return roles.factory_qa_of_case(case, user) or roles.has_role(user, roles.HOTLINE, roles.QA_MANAGER,
                                                                   roles.ADMIN)


class WhyStepSerializer(serializers.Serializer):
    why = serializers.CharField(allow_blank=True)
    because = serializers.CharField(allow_blank=True)


class CountermeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Countermeasure
        fields = ["id", *Countermeasure.FIELDS]
        read_only_fields = fields


# One typed row: a list or an object where the form expects text is refused, not stringified.
CountermeasureInputSerializer = serializer_from_form(CountermeasureForm, "CountermeasureInputSerializer")


class PhotoSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.SerializerMethodField(help_text="Where the image is served (null: not yours to see).")

    class Meta:
        model = InvestigationPhoto
        fields = ["id", "caption", "content_type", "size", "uploaded_by", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, photo) -> str | None:
        request = self.context.get("request")
        case = self.context.get("case")
        if request is None or case is None or not may_view_photos(request.user, case):
            return None
        return reverse("api:photo-file", kwargs={"photo_id": photo.pk}, request=request)


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG or PNG photo, checked by its content.")
    caption = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RelatedReportSerializer(serializers.Serializer):
    reference = serializers.CharField()
    state = serializers.CharField()
    category = serializers.CharField()
    received_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="Investigation")
class InvestigationSerializer(serializers.ModelSerializer):
    """The factory's report. PUT saves a draft; fields left out keep their saved value, and
    `countermeasures`, when given, replaces every action (in the order sent)."""

    occurrence_whys = WhyStepSerializer(many=True, required=False)
    escape_whys = WhyStepSerializer(many=True, required=False)
    countermeasures = serializers.SerializerMethodField()
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    missing_for_submission = serializers.SerializerMethodField(
        help_text="Fields still missing or wrong; the report cannot be submitted until this list is empty.")
    submission_problems = serializers.SerializerMethodField(
        help_text="{field: [messages]} for each entry of missing_for_submission.")
    photos = serializers.SerializerMethodField()
    related_reports = serializers.SerializerMethodField(
        help_text="Other reports on the same product and lot that you may see (containment).")

    class Meta:
        model = Investigation
        fields = [*Investigation.REPORT_FIELDS, "countermeasures", "updated_at", "updated_by",
                  "missing_for_submission", "submission_problems", "photos", "related_reports"]
        read_only_fields = ["updated_at", "updated_by"]

    def to_representation(self, instance):
        if not isinstance(instance, Investigation):  # the browsable API's PUT form passes the case
            instance = Investigation.objects.filter(case=instance).first() or Investigation(case=instance)
        self._problems = instance.submission_problems()
        return super().to_representation(instance)

    @extend_schema_field(CountermeasureSerializer(many=True))
    def get_countermeasures(self, investigation):
        # An unsaved (empty) draft has no rows to ask for.
        return CountermeasureSerializer(investigation.countermeasures.all() if investigation.pk else [], many=True).data

    def get_missing_for_submission(self, investigation) -> list[str]:
        return list(self._problems)

    @extend_schema_field(serializers.DictField(child=serializers.ListField(child=serializers.CharField())))
    def get_submission_problems(self, investigation):
        return {name: [str(m) for m in messages] for name, messages in self._problems.items()}

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, investigation):
        photos = investigation.photos.select_related("uploaded_by") if investigation.pk else []
        context = {**self.context, "case": investigation.case}
        return PhotoSerializer(photos, many=True, context=context).data

    @extend_schema_field(RelatedReportSerializer(many=True))
    def get_related_reports(self, investigation):
        request = self.context.get("request")
        return RelatedReportSerializer(
            selectors.related_reports(investigation.case, request.user if request else None), many=True).data


class InvestigationInputSerializer(serializers.ModelSerializer):
    """What PUT reads: every report field optional; only JSON types are checked here."""

    occurrence_whys = serializers.ListField(child=serializers.JSONField(), required=False, allow_null=True)
    escape_whys = serializers.ListField(child=serializers.JSONField(), required=False, allow_null=True)
    countermeasures = serializers.ListField(
        child=serializers.JSONField(), required=False, allow_null=True,
        help_text="Replaces every action when given: [{target, action, owner, due_date, done_date, "
                  "effectiveness_due, effectiveness_result}]; errors are named 'countermeasures[<i>].<field>'.")

    class Meta:
        model = Investigation
        fields = [*Investigation.REPORT_FIELDS, "countermeasures"]

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        kwargs["required"] = False
        if field_name in TEXT_FIELDS:
            kwargs.update(trim_whitespace=False)
            kwargs["validators"] = [*kwargs.get("validators", []), reject_control_characters]
        return field_class, kwargs

    def to_representation(self, instance):
        # The browsable API's PUT form shows what PUT takes, filled from the saved report.
        if not isinstance(instance, Investigation):
            instance = Investigation.objects.filter(case=instance).first() or Investigation(case=instance)
        data = {name: getattr(instance, name) for name in Investigation.REPORT_FIELDS}
        measures = instance.countermeasures.all() if instance.pk else []
        data["countermeasures"] = [{name: getattr(m, name) for name in Countermeasure.FIELDS} for m in measures]
        return data

    def validate(self, attrs):
        # Each action's JSON types, named like the service names its rules: 'countermeasures[1].target'.
        errors = {}
        for index, row in enumerate(attrs.get("countermeasures") or []):
            if not isinstance(row, dict):
                continue  # clean_countermeasures names it
            typed = CountermeasureInputSerializer(data={k: v for k, v in row.items()
                                                        if k in CountermeasureInputSerializer._declared_fields})
            if not typed.is_valid():
                for field, messages in typed.errors.items():
                    errors[f"countermeasures[{index}].{field}"] = messages
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class VersionSerializer(serializers.ModelSerializer):
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    comment = serializers.CharField(source="decision_comment", read_only=True)
    snapshot = serializers.JSONField(read_only=True, help_text="The report as submitted.")

    class Meta:
        model = InvestigationVersion
        fields = ["number", "submitted_at", "submitted_by", "decision", "comment", "decided_by", "decided_at",
                  "snapshot"]
        read_only_fields = fields


class VersionHistorySerializer(serializers.Serializer):
    versions = VersionSerializer(many=True)
    changes_since_rejection = serializers.ListField(
        child=serializers.DictField(), allow_null=True,
        help_text="What the latest version changed since the last rejected one: [{field, label, kind, before, "
                  "after, changes}]; null before any rejection.")


__all__ = ["CountermeasureSerializer", "InvestigationInputSerializer", "InvestigationSerializer",
           "PhotoSerializer", "PhotoUploadSerializer", "VersionHistorySerializer", "VersionSerializer",
           "may_view_photos"]
