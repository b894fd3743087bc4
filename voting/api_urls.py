"""JSON API v1 routes of the decision stage (included under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("candidates/<int:pk>/brief/", api.BriefDetail.as_view()),
    path("candidates/<int:pk>/vote-results/", api.CandidateVoteResults.as_view()),
    path("selections/<int:pk>/decision-meetings/", api.DecisionMeetingList.as_view()),
    path("decision-meetings/<int:pk>/", api.DecisionMeetingDetail.as_view()),
    path("decision-meetings/<int:pk>/agenda/", api.DecisionMeetingAgenda.as_view()),
    path("decision-meetings/<int:pk>/open/", api.DecisionMeetingOpen.as_view()),
    path("decision-meetings/<int:pk>/results/", api.DecisionMeetingResults.as_view()),
]
