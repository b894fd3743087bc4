from django.urls import path

from . import views

app_name = "cadre"
urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("selections/", views.selection_list, name="selections"),
    path("selections/new/", views.selection_create, name="selection_create"),
    path("selections/<int:pk>/", views.selection_detail, name="selection"),
    path("selections/<int:pk>/move/", views.selection_move, name="selection_move"),
    path("selections/<int:pk>/candidates/", views.candidate_add, name="candidate_add"),
    path("selections/<int:pk>/assign/", views.selection_assign, name="selection_assign"),
    path("cadres/options/", views.cadre_options, name="cadre_options"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("candidates/<int:pk>/move/", views.candidate_move, name="candidate_move"),
    path("candidates/<int:pk>/send-back/", views.candidate_send_back, name="candidate_send_back"),
    path("candidates/<int:pk>/important/", views.candidate_important, name="candidate_important"),
]
