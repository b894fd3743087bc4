"""Roles as groups, the default thresholds as editable rows, and the record's UPDATE/DELETE guard."""

from django.db import migrations

ROLES = ("org_staff", "inspector", "committee_member", "supervisor", "admin")

GUARD_SQL = """
CREATE OR REPLACE FUNCTION cadre_record_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '全程纪实记录只能追加，不能修改或删除 (S1)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cadre_record_append_only
    BEFORE UPDATE OR DELETE ON cadre_recordentry
    FOR EACH ROW EXECUTE FUNCTION cadre_record_append_only();
"""
UNGUARD_SQL = """
DROP TRIGGER IF EXISTS cadre_record_append_only ON cadre_recordentry;
DROP FUNCTION IF EXISTS cadre_record_append_only();
"""


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def create_thresholds(apps, schema_editor):
    from cadre.thresholds import SPECS

    Threshold = apps.get_model("cadre", "Threshold")
    for key, spec in SPECS.items():
        Threshold.objects.get_or_create(
            key=key, defaults={"rule": spec.rule, "value": spec.default, "description": spec.description}
        )


def guard_record(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL)


def unguard_record(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("cadre", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(create_thresholds, migrations.RunPython.noop),
        migrations.RunPython(guard_record, unguard_record),
    ]
