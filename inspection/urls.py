from django.urls import path

from . import papers, views

app_name = "inspection"
urlpatterns = [
    path("candidates/<int:pk>/inspection/", views.inspection, name="inspection"),
    path("candidates/<int:pk>/deliberation/", views.deliberation, name="deliberation"),
    path("selections/<int:pk>/notice/", views.notice, name="notice"),
    path("selections/<int:pk>/teams/", views.team, name="team"),
    path("selections/<int:pk>/notice.pdf", papers.notice_pdf, name="notice_pdf"),
    path("selections/<int:pk>/objects-notice.pdf", papers.objects_pdf, name="objects_pdf"),
    path("selections/<int:pk>/positions/<int:position_pk>/report/", views.report, name="report"),
    path("selections/<int:pk>/positions/<int:position_pk>/comparison/", views.comparison, name="comparison"),
]
