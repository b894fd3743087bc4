"""C2's team-structure targets become editable rows (a fresh database gets them from 0002 already)."""

from django.db import migrations


def create_rows(apps, schema_editor):
    from cadre.thresholds import SPECS

    Threshold = apps.get_model("cadre", "Threshold")
    for key, spec in SPECS.items():
        if spec.rule == "C2":
            Threshold.objects.get_or_create(
                key=key, defaults={"rule": spec.rule, "value": spec.default, "description": spec.description}
            )


class Migration(migrations.Migration):
    dependencies = [("cadre", "0010_c1_thresholds")]

    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]
