"""V10 (which body decides which post: 全委会 for chief posts, 常委会 otherwise) joins the catalog."""

from django.db import migrations

CITATIONS = [("000", "四（任用党政正职全委会表决制）"), ("003", "一")]


def add(apps, schema_editor):
    RuleDocument = apps.get_model("cadre", "RuleDocument")
    RuleCitation = apps.get_model("cadre", "RuleCitation")
    for order, (code, article) in enumerate(CITATIONS, start=1):
        document = RuleDocument.objects.filter(code=code).first()
        if document is not None:
            RuleCitation.objects.get_or_create(
                rule="V10", document=document, article=article, defaults={"order": order}
            )


def remove(apps, schema_editor):
    apps.get_model("cadre", "RuleCitation").objects.filter(rule="V10").delete()


class Migration(migrations.Migration):
    dependencies = [("cadre", "0007_rule_citations")]
    operations = [migrations.RunPython(add, remove)]
