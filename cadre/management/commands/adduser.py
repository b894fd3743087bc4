"""adduser USERNAME --role ROLE [--role ROLE ...] --password PASSWORD"""

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cadre import roles, services
from cadre.errors import InvalidInput


class Command(BaseCommand):
    help = "创建用户并授予角色（--role 可重复）。角色：" + "，".join(
        f"{name}（{label}）" for name, label in roles.ROLE_LABELS.items()
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument(
            "--role", action="append", required=True, dest="role_names", metavar="ROLE", help="角色，可重复"
        )
        parser.add_argument("--password", required=True, help="初始密码")
        parser.add_argument("--email", default="", help="电子邮箱（可选）")

    def handle(self, *args, username: str, role_names: list[str], password: str, email: str, **options):
        try:  # settings.AUTH_PASSWORD_VALIDATORS, as for every other path that sets a password
            validate_password(password, user=User(username=username, email=email))
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc
        try:
            user = services.user_create(username=username, password=password, role_names=role_names, email=email)
        except InvalidInput as exc:
            raise CommandError("；".join(m for messages in exc.errors.values() for m in messages)) from exc
        labels = "、".join(roles.ROLE_LABELS[name] for name in dict.fromkeys(role_names))
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {user.get_username()}（{labels}）"))
