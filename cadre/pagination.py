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

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class IdFirstPagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = _("页码无效")

    def paginate_queryset(self, queryset, request, view=None):
        if not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, request, view)
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        # Count without the joins select_related added (Django drops them for count()).
        count_qs = queryset.select_related(None).prefetch_related(None)
        paginator = self.django_paginator_class(_IdList(count_qs), page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(str(self.invalid_page_message)) from exc
        ids = list(self.page.object_list)
        by_pk = {row.pk: row for row in _rows(queryset, ids)}
        self.page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        self.request = request
        return list(self.page.object_list)


class _IdList:
    """What Paginator needs of a queryset, reading ids only: count() and a slice of ids."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return list(self.queryset.values_list("pk", flat=True)[item])


def id_first_page(queryset: QuerySet, number, *, per_page: int = PAGE_SIZE, rows=None):
    """One page of an HTML list, paged like the API (ids first, then the rows): a Django `Page`
    (`get_page`: a bad or too large number gives the first or the last page) whose `object_list` is
    the page's rows in the queryset's order. `rows(ids)`, when given, reads those rows — with the
    annotations and prefetches only the page needs, so they are computed for 50 rows, not all."""
    from django.core.paginator import Paginator

    base = queryset.select_related(None).prefetch_related(None)
    page = Paginator(_IdList(base), per_page).get_page(number)
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
