"""`GET /api/v1/users/`: who can be assigned, by id (API.md, issue #10).

Integrating systems assign staff to selections, inspection team leaders and committee members by
user id; this list is how they learn the ids. Only those who may assign read it (admins and
org_staff); everyone else gets 403, so that nobody else can enumerate accounts and their roles.
"""

from django.contrib.auth.models import Group, User
from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework import serializers as drf_serializers

from . import roles
from .errors import NotAllowed
from .pagination import clean_query

ROLE_CHOICES_TEXT = "、".join(roles.ROLES)


class UserSerializer(drf_serializers.ModelSerializer):
    full_name = drf_serializers.SerializerMethodField()
    roles = drf_serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "roles"]
        read_only_fields = fields

    def get_full_name(self, user: User) -> str:
        return user.get_full_name().strip()

    def get_roles(self, user: User) -> list[str]:
        # The role codes of API.md in their fixed order; a superuser is an admin (cadre.roles.roles_of).
        names = {g.name for g in user.groups.all()}
        if user.is_superuser:
            names.add(roles.ADMIN)
        return [code for code in roles.ROLES if code in names]


class UserQuery(drf_serializers.Serializer):
    role = drf_serializers.ChoiceField(
        choices=roles.ROLES,
        required=False,
        error_messages={"invalid_choice": f"未知的角色（可选：{ROLE_CHOICES_TEXT}）"},
    )
    q = drf_serializers.CharField(
        required=False,
        max_length=50,
        error_messages={"max_length": "搜索词不能超过 50 个字", "null_characters_not_allowed": "搜索词不能含空字符"},
    )


def users_list(*, role: str | None = None, q: str | None = None) -> QuerySet[User]:
    """Active accounts (an inactive one cannot be assigned), by id, with their groups in one query."""
    qs = (
        User.objects.filter(is_active=True)
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("id", "name")))
        .order_by("pk")
    )
    if role is not None:
        holders = Q(pk__in=User.objects.filter(groups__name=role).values("pk"))
        qs = qs.filter(holders | Q(is_superuser=True) if role == roles.ADMIN else holders)
    if q is not None:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    return qs


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("role", str, enum=list(roles.ROLES), description="只列出有此角色的用户"),
            OpenApiParameter("q", str, description="用户名或姓名包含（至多 50 字）"),
        ]
    )
)
class UserList(generics.ListAPIView):
    """Active users with their role codes, for admins and org_staff (others 403, anonymous 401)."""

    serializer_class = UserSerializer

    def get_queryset(self):
        if not roles.has_role(self.request.user, roles.ADMIN, roles.ORG_STAFF):
            raise NotAllowed("只有管理员和组工干部可以查看用户列表")
        query = clean_query(UserQuery, self.request)
        return users_list(role=query.get("role"), q=query.get("q"))
