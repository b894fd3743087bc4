from django.urls import path

from . import views

app_name = "voting"
urlpatterns = [
    path("candidates/<int:pk>/decision/", views.decision, name="decision"),
    path("candidates/<int:pk>/brief.pdf", views.brief_pdf, name="brief_pdf"),
    path("selections/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
]
