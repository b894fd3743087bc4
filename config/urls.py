from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from cadre import api, approval_form_api, users_api

api_v1 = [
    path("auth/token/", api.TokenView.as_view()),
    path("users/", users_api.UserList.as_view()),
    path("units/", api.UnitList.as_view()),
    path("positions/", api.PositionList.as_view()),
    path("cadres/", api.CadreList.as_view()),
    path("cadres/<int:pk>/", api.CadreDetail.as_view()),
    path("cadres/<int:pk>/assessments/", api.AssessmentList.as_view()),
    path("cadres/<int:pk>/evaluations/", api.EvaluationList.as_view()),
    path("cadres/<int:pk>/sanctions/", api.SanctionList.as_view()),
    path("selections/", api.SelectionList.as_view()),
    path("selections/<int:pk>/", api.SelectionDetail.as_view()),
    path("selections/<int:pk>/assign/", api.SelectionAssign.as_view()),
    path("candidates/", api.CandidateList.as_view()),
    path("candidates/<int:pk>/", api.CandidateDetail.as_view()),
    path("candidates/<int:pk>/check/<str:transition>/", api.CandidateCheck.as_view()),
    path("candidates/<int:pk>/transitions/<str:transition>/", api.CandidateTransition.as_view()),
    path("candidates/<int:pk>/send-back/", api.CandidateSendBack.as_view()),
    path("candidates/<int:pk>/important/", api.CandidateImportant.as_view()),
    path("candidates/<int:pk>/record/", api.CandidateRecord.as_view()),
    path("record/verify/", api.RecordVerify.as_view()),
    path("record/checkpoints/", api.CheckpointList.as_view()),
    path("record/checkpoints/<int:pk>/", api.CheckpointDetail.as_view()),
    path("record/checkpoints/<int:pk>/heads/", api.CheckpointHeads.as_view()),
    path("", include("nomination.api_urls")),
    path("", include("inspection.api_urls")),
    path("", include("voting.api_urls")),
    path("", include("supervision.api_urls")),
    # 干部任免审批表 (cadre/approval_form_api.py)
    path("cadres/<int:pk>/approval-form.<str:fmt>", approval_form_api.CadreApprovalForm.as_view()),
    path("cadres/approval-forms.zip", approval_form_api.CadreApprovalForms.as_view()),
    path("candidates/<int:pk>/approval-form.<str:fmt>", approval_form_api.CandidateApprovalForm.as_view()),
    path("candidates/approval-forms.zip", approval_form_api.CandidateApprovalForms.as_view()),
    path("cadres/import/", approval_form_api.CadreImport.as_view()),
    path("cadres/import/<str:token>/apply/", approval_form_api.CadreImportApply.as_view()),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("nomination/", include("nomination.urls")),
    path("inspection/", include("inspection.urls")),
    path("voting/", include("voting.urls")),
    path("supervision/", include("supervision.urls")),
    path("", include("cadre.urls")),
]

# JSON under /api/, the templates elsewhere (cadre/api.py).
handler400 = "cadre.api.bad_request"
handler404 = "cadre.api.not_found"
handler500 = "cadre.api.server_error"
