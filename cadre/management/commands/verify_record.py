"""verify_record: recompute every candidate's hash chain of the full-process record (S1)."""

import time

from django.core.management.base import BaseCommand, CommandError

from cadre import record


class Command(BaseCommand):
    help = "校验全程纪实记录的哈希链（S1），列出每条断裂的链"

    def add_arguments(self, parser):
        parser.add_argument(
            "--candidate",
            type=int,
            action="append",
            dest="candidate_ids",
            metavar="ID",
            help="只校验这些人选（可重复）",
        )

    def handle(self, *args, candidate_ids=None, **options):
        started = time.perf_counter()
        result = record.verify(candidate_ids)
        elapsed = time.perf_counter() - started
        rate = result.entries / elapsed if elapsed > 0 else 0.0
        self.stdout.write(f"已校验 {result.entries} 条记录，用时 {elapsed:.2f} 秒（{rate:,.0f} 条/秒）")
        for item in result.broken:
            self.stdout.write(f"candidate {item['candidate']} seq {item['seq']}")
        if result.broken:
            raise CommandError(f"发现 {len(result.broken)} 条断裂的记录链（自上列条目起无法验证）")
        self.stdout.write(self.style.SUCCESS("ok：记录链完整"))
