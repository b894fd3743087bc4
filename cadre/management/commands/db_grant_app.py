"""db_grant_app: give the application's database role exactly what it needs (run as the owner)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cadre import dbrole


class Command(BaseCommand):
    help = "为应用程序的数据库角色授予所需权限（以数据表所有者身份在每次 migrate 之后运行）"

    def add_arguments(self, parser):
        parser.add_argument("role", help="应用程序连接数据库所用的角色（须已创建：不是超级用户，不拥有任何表）")
        parser.add_argument("--print", action="store_true", dest="print_only", help="只打印 SQL，不执行")

    def handle(self, *args, role, print_only=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("只适用于 PostgreSQL")
        statements = dbrole.grant_statements(role)
        if print_only:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic():
            dbrole.grant(role)
        self.stdout.write(self.style.SUCCESS(f"已为角色 {role} 授权：纪实记录只能追加"))
