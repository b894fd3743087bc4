from django.urls import path

from . import papers, views

app_name = "nomination"
urlpatterns = [
    path("candidates/<int:pk>/nomination/", views.nomination, name="nomination"),
    path("candidates/<int:pk>/recommendation/", views.recommendation, name="recommendation"),
    path("selections/<int:pk>/motion/", views.motion, name="motion"),
    path("selections/<int:pk>/recommendation/", views.recommendation_entry, name="recommendation_entry"),
    path("selections/<int:pk>/recommendation/ballot.pdf", papers.ballot_pdf, name="ballot_pdf"),
]
