"""record_checkpoint: sign a checkpoint of every chain's head now (S1)."""

from django.core.management.base import BaseCommand

from cadre import checkpoint


class Command(BaseCommand):
    help = "签署全程纪实记录检查点：所有记录链的链头及其默克尔根（S1）"

    def handle(self, *args, **options):
        signed = checkpoint.checkpoint_sign()
        self.stdout.write(
            f"检查点 {signed.pk}：{signed.chains} 条记录链，{signed.entries} 条记录，根哈希 {signed.root}，"
            f"公钥指纹 {checkpoint.fingerprint(signed.public_key)}"
        )
