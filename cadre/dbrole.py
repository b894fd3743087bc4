"""The database role the application connects as (S1: even the application cannot cut the record).

Migrations run as the tables' owner; the web and worker processes connect as a role that owns no
tables, is no superuser, and may only append to the record and its checkpoints. PostgreSQL then
refuses that role ALTER TABLE … DISABLE TRIGGER (owner only), SET session_replication_role
(superuser only), TRUNCATE, and UPDATE or DELETE of record rows (not granted; the triggers refuse
them too). `python manage.py db_grant_app ROLE`, run as the owner after each migrate, grants this.
"""

from django.db import connection

# Tables the application only ever appends to (each also has a trigger): the record, its checkpoints,
# the security log, the committee's counted results (V9). A chain's head may move forward (a trigger
# checks how) but is never deleted.
APPEND_ONLY = ("cadre_recordentry", "cadre_recordcheckpoint", "cadre_securityevent", "voting_voteresult")
NO_DELETE = ("cadre_recordhead",)


def grant_statements(role: str) -> list[str]:
    quoted = connection.ops.quote_name(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
    statements += [f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}" for table in APPEND_ONLY]
    statements += [f"REVOKE DELETE, TRUNCATE ON {table} FROM {quoted}" for table in NO_DELETE]
    return statements


def grant(role: str) -> None:
    with connection.cursor() as cursor:
        for statement in grant_statements(role):
            cursor.execute(statement)


def problems() -> list[str]:
    """What is wrong with the role this process connects as (empty: it is a proper application role)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT current_user, r.rolsuper, r.rolbypassrls, t.tableowner = current_user,
                   has_table_privilege('cadre_recordentry', 'UPDATE'),
                   has_table_privilege('cadre_recordentry', 'DELETE'),
                   has_table_privilege('cadre_recordentry', 'TRUNCATE')
            FROM pg_roles r LEFT JOIN pg_tables t ON t.tablename = 'cadre_recordentry'
            WHERE r.rolname = current_user
            """
        )
        row = cursor.fetchone()
    if row is None:
        return []
    user, superuser, bypass, owner, update, delete, truncate = row
    found = []
    if superuser:
        found.append(f"以超级用户 {user} 连接数据库，可以关闭纪实记录的触发器")
    if owner:
        found.append(f"以数据表所有者 {user} 连接数据库，可以关闭纪实记录的触发器")
    if bypass:
        found.append(f"角色 {user} 可以绕过行级安全策略")
    if update or delete or truncate:
        found.append(f"角色 {user} 对纪实记录表有 UPDATE/DELETE/TRUNCATE 权限")
    return found
