"""JSON API v1 routes of the motion, nomination and recommendation stages (included under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("selections/<int:pk>/agenda-items/", api.AgendaItemList.as_view()),
    path("candidates/<int:pk>/nominations/", api.NominationList.as_view()),
    path("selections/<int:pk>/recommendation-meetings/", api.RecommendationMeetingList.as_view()),
    path("selections/<int:pk>/recommendation-meetings/<int:meeting_pk>/", api.RecommendationMeetingDetail.as_view()),
    path("selections/<int:pk>/recommendation-meetings/<int:meeting_pk>/confirm/", api.RecommendationConfirm.as_view()),
    path("candidates/<int:pk>/recommendation-results/", api.CandidateRecommendationResults.as_view()),
    path("selections/<int:pk>/inspection-decisions/", api.InspectionDecisionList.as_view()),
]
