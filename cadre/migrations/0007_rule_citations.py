"""Rule sources as data: the documents of DOMAIN.md ("The source documents") and each rule's
citations, as defaults an administrator edits (admin → 规则依据). Users see the titles; the codes
are the developers' file numbers."""

import django.db.models.deletion
from django.db import migrations, models


# code -> title, as DOMAIN.md's table names them.
DOCUMENTS = {
    "000": "秦皇岛市《进一步深化干部人事制度改革》",
    "001": "《创公信度示范县落实办法》",
    "001-1": "《县领导干部初始提名办法（试行）》",
    "001-2": "《中共县委关于规范县委书记选人用人行为办法（试行）》",
    "001-3": "《县差额选拔干部办法（试行）》",
    "001-4": "《县干部选拔任用工作全程记实暂行办法》",
    "001-5": "《县干部监督联席会议制度》",
    "002": "青山湖区《关于进一步加强全区各级领导班子和干部队伍建设的若干措施》",
    "003": "《四川考察报告》",
    "004": "株洲市经信委《关于进一步加强全委干部队伍建设的意见》",
    "条例": "《党政领导干部选拔任用工作条例》",
}

# rule -> [(document code, article)], in the order DOMAIN.md's catalog cites them.
CITATIONS = {
    "M1": [("001-1", "第五条"), ("001-2", "第五条")],
    "M2": [("001-2", "第十条（一）")],
    "M3": [("001-2", "第十条（二）"), ("002", "第24条"), ("004", "三（一）")],
    "M4": [("001-2", "第十条（三）")],
    "N1": [("001", "三（一）1"), ("001-1", "第七条（七）")],
    "N2": [("001-1", "第六条")],
    "N3": [("004", "二（一）")],
    "N4": [("001-3", "差额票决办法")],
    "R1": [("004", "一（三）"), ("001-4", "第四条（二）3")],
    "R2": [("004", "一（三）")],
    "R3": [("002", "第19条"), ("001-4", "（三）2")],
    "R4": [("001-3", "")],
    "R5": [("004", "一（四）"), ("000", "二")],
    "E1": [("004", "一（四）")],
    "E2": [("001", "三（一）6"), ("002", "第29条")],
    "E3": [("004", "一（四）")],
    "E4": [("004", "一（四）")],
    "E5": [("004", "一（四）")],
    "E6": [("004", "六（三）")],
    "E7": [("001", "三（一）6")],
    "I1": [("001-3", ""), ("000", "二")],
    "I2": [("000", "一")],
    "I3": [("001-3", ""), ("000", "二")],
    "I4": [("001-3", ""), ("000", "二")],
    "I5": [("000", "二")],
    "I6": [("001", "三（一）5"), ("001-3", "")],
    "I7": [("000", "三")],
    "I8": [("001-3", "")],
    "I9": [("001-2", "第十条（五）")],
    "D1": [("001-3", ""), ("001-4", "（二）6")],
    "D2": [("001-3", "")],
    "D3": [("001-4", "（三）4")],
    "V1": [("条例", ""), ("001-2", "第十条（四）")],
    "V2": [("001-2", "第八条")],
    "V3": [("001-3", ""), ("000", "二")],
    "V4": [("001-3", "差额票决办法")],
    "V5": [("001-3", "差额票决办法")],
    "V6": [("000", "二")],
    "V7": [("001-2", "第九条"), ("001-3", "")],
    "V8": [("001-2", "第十条（五）")],
    "V9": [("001-2", "第十条（六）")],
    "P1": [("条例", ""), ("000", "一")],
    "P2": [("001-4", "（三）6"), ("000", "二")],
    "P3": [("001", "三（三）1"), ("001", "三（五）1")],
    "A1": [("001", "三（一）5")],
    "A2": [("000", "四")],
    "A3": [("004", "三（一）")],
    "A4": [("001-4", "第六条")],
    "S1": [("001", "三（二）2"), ("001-4", "")],
    "S2": [("001-4", "（三）")],
    "S3": [("001", "三（三）1、2")],
    "S4": [("000", "一"), ("001-4", "第八条")],
    "S5": [("001", "三（四）")],
    "S6": [("000", "三"), ("001-5", "")],
    "C1": [("002", "第20条"), ("004", "三（二）")],
    "C2": [("004", "二（一）")],
}


def add_defaults(apps, schema_editor):
    RuleDocument = apps.get_model("cadre", "RuleDocument")
    RuleCitation = apps.get_model("cadre", "RuleCitation")
    documents = {code: RuleDocument.objects.get_or_create(code=code, defaults={"title": title})[0]
                 for code, title in DOCUMENTS.items()}
    for rule, citations in CITATIONS.items():
        for order, (code, article) in enumerate(citations, start=1):
            RuleCitation.objects.get_or_create(
                rule=rule, document=documents[code], article=article, defaults={"order": order}
            )


def remove_defaults(apps, schema_editor):
    apps.get_model("cadre", "RuleCitation").objects.all().delete()
    apps.get_model("cadre", "RuleDocument").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cadre', '0006_record_head_checkpoint_calendar_year'),
    ]

    operations = [
        migrations.CreateModel(
            name='RuleDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=20, unique=True, verbose_name='编号')),
                ('title', models.CharField(help_text='用户看到的名称，如《县差额选拔干部办法（试行）》', max_length=200, verbose_name='文件名称')),
            ],
            options={
                'verbose_name': '规则依据文件',
                'verbose_name_plural': '规则依据文件',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='RuleCitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(max_length=10, verbose_name='规则编号')),
                ('article', models.CharField(blank=True, help_text='如：第十条（三）；引用整份文件时留空', max_length=100, verbose_name='条款')),
                ('order', models.PositiveSmallIntegerField(default=1, verbose_name='顺序')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='citations', to='cadre.ruledocument', verbose_name='文件')),
            ],
            options={
                'verbose_name': '规则依据',
                'verbose_name_plural': '规则依据',
                'ordering': ['rule', 'order', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('rule', 'document', 'article'), name='rulecitation_once')],
            },
        ),
        migrations.RunPython(add_defaults, remove_defaults),
    ]
