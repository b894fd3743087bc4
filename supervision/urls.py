from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("candidates/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("candidates/<int:pk>/appointment/", views.appointment, name="appointment"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("complaints/status/", views.complaint_status, name="complaint_status"),
    path("complaints/stats/", views.complaint_stats, name="complaint_stats"),
]
