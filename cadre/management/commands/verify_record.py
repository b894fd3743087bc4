"""verify_record: recompute every chain of the full-process record (S1) and compare it with its
head and a signed checkpoint (the latest stored one, or a file a supervisor downloaded)."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from cadre import record

PROBLEMS = {
    "edited": "记录被修改",
    "removed": "中间记录被删除",
    "missing_tail": "末尾记录被删除",
    "missing_chain": "整条记录链缺失",
    "not_in_checkpoint": "与签名检查点不符",
}


class Command(BaseCommand):
    help = "校验全程纪实记录（S1）：每条记录链的哈希、链头与签名检查点；有问题时以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument(
            "--candidate",
            type=int,
            action="append",
            dest="candidate_ids",
            metavar="ID",
            help="只校验这些人选（可重复）",
        )
        parser.add_argument(
            "--checkpoint", metavar="FILE", help="对照下载的检查点文件（JSON）校验，而不是数据库中最新的检查点"
        )
        parser.add_argument(
            "--public-key", metavar="BASE64", help="可信的公钥（base64）；省略时，使用检查点文件中的公钥并打印其指纹"
        )

    def handle(self, *args, candidate_ids=None, checkpoint=None, public_key=None, **options):
        data = None
        if checkpoint:
            try:
                with open(checkpoint, encoding="utf-8") as handle:
                    data = json.load(handle)
                data["public_key"], data["heads"], data["statement"]  # noqa: B018 - the file's shape
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"无法读取检查点文件 {checkpoint}：{exc}") from exc
        started = time.perf_counter()
        trusted = (public_key or data["public_key"]) if data else None
        result = record.verify(candidate_ids, checkpoint=data, trusted_key=trusted)
        elapsed = time.perf_counter() - started
        rate = result.entries / elapsed if elapsed > 0 else 0.0
        self.stdout.write(f"已校验 {result.entries} 条记录，用时 {elapsed:.2f} 秒（{rate:,.0f} 条/秒）")
        signed = result.checkpoint
        if signed is None:
            self.stdout.write("尚无签名检查点：末尾记录的删除只能对照链头发现")
        else:
            verdicts = [
                "签名有效" if signed["signature_ok"] else "签名无效",
                "根哈希一致" if signed["root_ok"] else "根哈希不一致",
                "公钥可信" if signed["key_ok"] else "不是可信公钥",
            ]
            self.stdout.write(
                f"检查点 {signed['id']}（{signed['at']}，{signed['chains']} 条链）：{'，'.join(verdicts)}，"
                f"指纹 {signed['fingerprint']}"
            )
        for item in result.broken:
            self.stdout.write(
                f"candidate {item['candidate']} seq {item['seq'] if item['seq'] is not None else '-'} "
                f"{item['problem']}（{PROBLEMS[item['problem']]}）"
            )
        if not result.ok:
            raise CommandError(
                f"发现 {len(result.broken)} 处问题" + ("" if not signed or signed["ok"] else "，检查点无效")
            )
        self.stdout.write(self.style.SUCCESS("ok：记录完整"))
