from django.urls import path

from . import evaluation_views, views

app_name = "voting"
urlpatterns = [
    path("candidates/<int:pk>/decision/", views.decision, name="decision"),
    path("candidates/<int:pk>/brief.pdf", views.brief_pdf, name="brief_pdf"),
    path("selections/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
]

# Online secret ballots (issue 7).
urlpatterns += [
    path("ballots/", views.ballot_list, name="ballots"),
    path("selections/<int:pk>/ballots/new/<str:kind>/", views.ballot_create, name="ballot_create"),
    path("ballots/<int:pk>/", views.ballot, name="ballot"),
    path("ballots/<int:pk>/candidates/<int:candidate_pk>/brief.pdf", views.ballot_brief_pdf, name="ballot_brief_pdf"),
    path("ballots/<int:pk>/bulletin/", views.ballot_bulletin, name="ballot_bulletin"),
    path("ballot-sessions/<int:pk>/codes.pdf", views.ballot_codes_pdf, name="ballot_codes_pdf"),
    path("vote/", views.ballot_vote, name="ballot_vote"),
]

# 纸质民主测评 from Excel, entered twice (issue 9).
urlpatterns += [path("evaluations/paper/", evaluation_views.paper_evaluations, name="paper_evaluations")]
