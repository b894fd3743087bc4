"""Existing complaints get a reference and an outcome; S3's verification targets become editable
thresholds (rows as in cadre/0002, specs in cadre.thresholds.SPECS)."""

import secrets

from django.db import migrations

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def fill_complaints(apps, schema_editor):
    Complaint = apps.get_model("supervision", "Complaint")
    for complaint in Complaint.objects.filter(reference__isnull=True).order_by("pk"):
        complaint.reference = "".join(secrets.choice(ALPHABET) for _ in range(12))
        if complaint.status == "concluded" and not complaint.outcome:
            complaint.outcome = "substantiated" if complaint.substantiated else "unsubstantiated"
        complaint.save(update_fields=["reference", "outcome"])


def create_thresholds(apps, schema_editor):
    from cadre.thresholds import SPECS

    Threshold = apps.get_model("cadre", "Threshold")
    for key, spec in SPECS.items():
        if spec.rule != "S3":
            continue
        Threshold.objects.get_or_create(
            key=key, defaults={"rule": spec.rule, "value": spec.default, "description": spec.description}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_complaint_workflow_publicity_issuer"),
        ("cadre", "0002_roles_thresholds_record_guard"),
    ]

    operations = [
        migrations.RunPython(fill_complaints, migrations.RunPython.noop),
        migrations.RunPython(create_thresholds, migrations.RunPython.noop),
    ]
