"""JSON API v1 routes of inspection and deliberation (included under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("selections/<int:pk>/inspection-notices/", api.InspectionNoticeList.as_view()),
    path("selections/<int:pk>/inspection-teams/", api.InspectionTeamList.as_view()),
    path("selections/<int:pk>/inspection-teams/<int:team_pk>/members/", api.InspectionTeamMemberAdd.as_view()),
    path("selections/<int:pk>/inspection-teams/<int:team_pk>/candidates/", api.InspectionTeamCandidateAdd.as_view()),
    path("candidates/<int:pk>/procedures/", api.ProcedureList.as_view()),
    path("candidates/<int:pk>/talks/", api.TalkList.as_view()),
    path("candidates/<int:pk>/factors/", api.FactorList.as_view()),
    path("candidates/<int:pk>/opinions/", api.OpinionList.as_view()),
    path("candidates/<int:pk>/audits/", api.AuditList.as_view()),
    path("selections/<int:pk>/positions/<int:position_pk>/report/", api.ReportDetail.as_view()),
    path("selections/<int:pk>/positions/<int:position_pk>/comparison/", api.ComparisonDetail.as_view()),
    path("candidates/<int:pk>/consultations/", api.CandidateConsultationList.as_view()),
    path("selections/<int:pk>/consultations/", api.ConsultationCreate.as_view()),
]
