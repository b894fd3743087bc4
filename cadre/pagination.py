"""The one shape of every list of the API: `{"count", "next", "previous", "results"}` (API.md).

`IdFirstPagination` pages by id first: one query reads the page's ids only (no joins, the index on
the ordering serves it), a second reads those rows with their joins. PostgreSQL then never joins
and sorts every candidate to serve 50 rows, so a page costs the same at 1,000 and 100,000 rows.
A plain list (results built in Python) is paged the same way, by slicing.
"""

from django.core.paginator import InvalidPage
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class IdFirstPagination(PageNumberPagination):
    """Page numbers, read by id first; and a keyset for the lists ordered by id.

    `?page=N` alone reads the page's ids with OFFSET, which walks (N - 1) × 50 index entries; the
    `next` and `previous` links also carry `after=<last id>` / `before=<first id>` of the page, and
    a list ordered by id answers those by index (`id > after`), so walking a list by its links
    costs the same on page 2 and page 2,000 (issue #10). A list ordered otherwise ignores them.
    """

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = _("页码无效")
    cursor_messages = {"after": _("游标 after 必须是正整数"), "before": _("游标 before 必须是正整数")}

    def paginate_queryset(self, queryset, request, view=None):
        self._ids = []
        self._keyset = None
        if not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, request, view)
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self._keyset = _keyset_order(queryset)
        cursor = self._cursor(request) if self._keyset is not None else None
        # Count without the joins select_related added (Django drops them for count()).
        count_qs = queryset.select_related(None).prefetch_related(None)
        paginator = self.django_paginator_class(_IdList(count_qs, cursor=cursor, descending=self._keyset), page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(str(self.invalid_page_message)) from exc
        ids = self._ids = list(self.page.object_list)
        by_pk = {row.pk: row for row in _rows(queryset, ids)}
        self.page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        self.request = request
        return list(self.page.object_list)

    def _cursor(self, request):
        from .errors import InvalidInput

        for name in ("after", "before"):
            raw = request.query_params.get(name, "")
            if raw == "":
                continue
            if not raw.isdigit() or int(raw) < 1:
                raise InvalidInput({name: [str(self.cursor_messages[name])]})
            return name, int(raw)
        return None

    def get_next_link(self):
        link = super().get_next_link()
        if link is None or self._keyset is None or not self._ids:
            return link
        return replace_query_param(remove_query_param(link, "before"), "after", self._ids[-1])

    def get_previous_link(self):
        link = super().get_previous_link()
        if link is None or self._keyset is None or not self._ids:
            return link
        return replace_query_param(remove_query_param(link, "after"), "before", self._ids[0])

    def get_schema_operation_parameters(self, view):
        cursor = [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": str(text),
                "schema": {"type": "integer", "minimum": 1},
            }
            for name, text in (
                ("after", _("上一页最后一条的编号（由 next 链接给出；按编号排序的列表按索引读取）")),
                ("before", _("下一页第一条的编号（由 previous 链接给出）")),
            )
        ]
        return super().get_schema_operation_parameters(view) + cursor


def _keyset_order(queryset: QuerySet) -> bool | None:
    """False for a list ordered by id ascending, True for descending, None for any other order."""
    if not queryset.ordered:
        return None
    ordering = list(queryset.query.order_by) if queryset.query.order_by else list(queryset.model._meta.ordering)
    if ordering in (["id"], ["pk"]):
        return False
    if ordering in (["-id"], ["-pk"]):
        return True
    return None


class _IdList:
    """What Paginator needs of a queryset, reading ids only: count() and a slice of ids — by OFFSET,
    or by the keyset `cursor` ("after" | "before", id) when there is one."""

    def __init__(self, queryset: QuerySet, *, cursor=None, descending=None):
        self.queryset = queryset
        self.cursor = cursor
        self.descending = descending

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        ids = self.queryset.values_list("pk", flat=True)
        if self.cursor is None or not isinstance(item, slice):
            return list(ids[item])
        size = item.stop - item.start
        name, pk = self.cursor
        # "after" follows the list's order; "before" reads backwards from the id, then turns round.
        forward = (name == "after") != bool(self.descending)
        rows = ids.filter(pk__gt=pk) if forward else ids.filter(pk__lt=pk)
        if name == "after":
            return list(rows[:size])
        return list(reversed(rows.reverse()[:size]))


def id_first_page(queryset: QuerySet, number, *, per_page: int = PAGE_SIZE, rows=None, id_source=None):
    """One page of an HTML list, paged like the API (ids first, then the rows): a Django `Page`
    (`get_page`: a bad or too large number gives the first or the last page) whose `object_list` is
    the page's rows in the queryset's order. `rows(ids)`, when given, reads those rows — with the
    annotations and prefetches only the page needs, so they are computed for 50 rows, not all.
    `id_source`: what reads the count and a slice of ids, when the queryset's order is better served
    otherwise than by OFFSET (the roster: cadre.roster_views._ByUnit)."""
    from django.core.paginator import Paginator

    base = queryset.select_related(None).prefetch_related(None)
    page = Paginator(id_source if id_source is not None else _IdList(base), per_page).get_page(number)
    ids = list(page.object_list)
    read = rows(ids) if rows is not None else _rows(queryset, ids)
    by_pk = {row.pk: row for row in read} if ids else {}
    page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]
    return page


def _rows(queryset: QuerySet, ids: list):
    """The page's rows with their joins and prefetches: the same queryset, restricted to the ids."""
    if not ids:
        return []
    return queryset.filter(pk__in=ids).order_by()


# ---------------------------------------------------------------------------- list filters


def clean_query(serializer_class, request) -> dict:
    """A list's query parameters through a DRF serializer: the valid values, or 400
    `{"errors": {"stage": ["…"]}}` (InvalidInput). Absent or empty parameters are left out."""
    from .errors import InvalidInput

    data = {k: v for k, v in request.query_params.items() if v != "" and k in serializer_class().fields}
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise InvalidInput({k: [str(m) for m in v] for k, v in serializer.errors.items()})
    return {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}


def paged(serializer_class):
    """The schema of one page of `serializer_class`, for a view that pages a list by hand."""
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    return inline_serializer(
        name=f"{serializer_class.__name__.removesuffix('Serializer')}Page",
        fields={
            "count": serializers.IntegerField(allow_null=True),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
