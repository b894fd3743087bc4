"""record_signing_key: make the Ed25519 key that signs record checkpoints (S1)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cadre import checkpoint


class Command(BaseCommand):
    help = "生成纪实记录检查点的签名密钥（Ed25519），写入文件（仅所有者可读）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="密钥文件路径，例如 /etc/ganbu/record-signing.key（不得放在数据库服务器上）")

    def handle(self, *args, path, **options):
        try:
            key = checkpoint.generate_key_file(Path(path))
        except FileExistsError as exc:
            raise CommandError(f"{path} 已存在，不会覆盖") from exc
        public = checkpoint.public_key_b64(key)
        self.stdout.write(f"已写入 {path}；设置 RECORD_SIGNING_KEY_FILE={path}")
        self.stdout.write(f"公钥：{public}")
        self.stdout.write(f"公钥指纹（请公布给监督人员）：{checkpoint.fingerprint(public)}")
