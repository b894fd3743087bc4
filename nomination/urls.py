from django.urls import path  # noqa: F401

app_name = "nomination"
urlpatterns: list = []
