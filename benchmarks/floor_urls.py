"""The real URLs plus one bare endpoint, the floor the ballot benchmark is measured against.

`POST /bench/floor/` parses the JSON body and inserts it as one row of `bench_floor` (a table the
benchmark creates with raw SQL, not a model) in one transaction, and answers 201 with the row's id:
the least work any write through this gunicorn/Django stack can do. `GET /bench/floor/` answers "ok"
(the benchmark waits for it before starting). Loaded only through benchmarks/floor_settings.py.
"""

import json

from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as app_urlpatterns

FLOOR_TABLE = "bench_floor"
CREATE_FLOOR_TABLE = f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (id bigserial PRIMARY KEY, body jsonb NOT NULL)"


@csrf_exempt
def floor(request):
    if request.method == "GET":
        return HttpResponse("ok", content_type="text/plain")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (body) VALUES (%s) RETURNING id", [json.dumps(body)])
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path("bench/floor/", floor), *app_urlpatterns]
