from django.urls import path

from . import approval_form_views, jobs_views, reserve_views, roster_views, views

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
    path("cadres/", roster_views.roster_list, name="roster"),
    path("cadres/reserve/", reserve_views.reserve_pool, name="reserve"),
    path("cadres/roster/template.xlsx", roster_views.roster_template, name="roster_template"),
    path("cadres/roster/import/", roster_views.roster_import, name="roster_import"),
    path(
        "selections/<int:pk>/candidates.xlsx", roster_views.selection_candidates_xlsx, name="selection_candidates_xlsx"
    ),
    path("cadres/options/", views.cadre_options, name="cadre_options"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre"),
    path("cadres/<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("cadres/<int:pk>/position/", views.cadre_position, name="cadre_position"),
    path("cadres/<int:pk>/<str:kind>/", views.cadre_fact_add, name="cadre_fact_add"),
    path("cadres/<int:pk>/<str:kind>/<int:fact_id>/", views.cadre_fact_edit, name="cadre_fact"),
    path("cadres/<int:pk>/<str:kind>/<int:fact_id>/delete/", views.cadre_fact_delete, name="cadre_fact_delete"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("candidates/<int:pk>/move/", views.candidate_move, name="candidate_move"),
    path("candidates/<int:pk>/send-back/", views.candidate_send_back, name="candidate_send_back"),
    path("candidates/<int:pk>/important/", views.candidate_important, name="candidate_important"),
    path("record/", views.record_integrity, name="record_integrity"),
    path("record/verify/", views.record_verify, name="record_verify"),
    path("record/checkpoint/", views.record_checkpoint, name="record_checkpoint"),
    path("jobs/", jobs_views.jobs, name="jobs"),
]

# 干部任免审批表: .lrmx / .docx / .pdf (several as a zip) and the .lrmx import (cadre/approval_form_views.py)
urlpatterns += [
    path("cadres/<int:pk>/approval-form.<str:fmt>", approval_form_views.cadre_form, name="cadre_approval_form"),
    path("cadres/approval-forms.zip", approval_form_views.cadre_forms_zip, name="cadre_approval_forms"),
    path(
        "candidates/<int:pk>/approval-form.<str:fmt>",
        approval_form_views.candidate_form,
        name="candidate_approval_form",
    ),
    path("candidates/approval-forms.zip", approval_form_views.candidate_forms_zip, name="candidate_approval_forms"),
    path("approval-forms/pdf-job/", approval_form_views.forms_pdf_job, name="approval_form_pdf_job"),
    path("approval-forms/jobs/<int:job_id>/", approval_form_views.forms_job, name="approval_form_job"),
    path(
        "approval-forms/jobs/<int:job_id>/progress/",
        approval_form_views.forms_job_progress,
        name="approval_form_job_progress",
    ),
    path("approval-forms/jobs/<int:job_id>/download/", approval_form_views.forms_job_zip, name="approval_form_job_zip"),
    path("cadres/import/", approval_form_views.cadre_import, name="cadre_import"),
    path("cadres/import/<str:token>/apply/", approval_form_views.cadre_import_apply, name="cadre_import_apply"),
]

# 安全审计日志 (cadre.security_log), for supervisors and administrators
urlpatterns += [path("security-log/", views.security_log, name="security_log")]
