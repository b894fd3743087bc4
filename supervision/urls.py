from django.urls import path

from . import annual_views, archive_views, oversight_views, papers, views

app_name = "supervision"
urlpatterns = [
    path("candidates/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("candidates/<int:pk>/appointment/", views.appointment, name="appointment"),
    path("candidates/<int:pk>/publicity.pdf", papers.publicity_pdf, name="publicity_pdf"),
    path("candidates/<int:pk>/appointment-notice.pdf", papers.appointment_notice_pdf, name="appointment_notice_pdf"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("complaints/status/", views.complaint_status, name="complaint_status"),
    path("complaints/stats/", views.complaint_stats, name="complaint_stats"),
]

# The supervisors' section 监督 (S1, S2, S4, S6): read-only, supervisors and admins.
urlpatterns += [
    path("oversight/", oversight_views.overview, name="oversight"),
    path("oversight/selections/", oversight_views.selections, name="oversight_selections"),
    path("oversight/selections/<int:pk>/", oversight_views.selection, name="oversight_selection"),
    path("oversight/candidates/<int:pk>/", oversight_views.candidate, name="oversight_candidate"),
    path("oversight/important/", oversight_views.important, name="oversight_important"),
    path("oversight/responsibility/", oversight_views.responsibility, name="oversight_responsibility"),
    path("oversight/complaints/", oversight_views.complaints, name="oversight_complaints"),
    path("oversight/integrity/", oversight_views.integrity, name="oversight_integrity"),
    path("oversight/integrity/verify/", oversight_views.integrity_verify, name="oversight_integrity_verify"),
]

# The annual figures (S5, C2, C1): org staff, supervisors and admins.
urlpatterns += [
    path("annual/", annual_views.annual, name="annual"),
    path("annual/pdf/", annual_views.annual_pdf, name="annual_pdf"),
    path("annual/xlsx/", annual_views.annual_xlsx, name="annual_xlsx"),
]

# The archive of the 记实表 (A4): a selection's PDFs, batch jobs with a progress bar, downloads.
urlpatterns += [
    path("selections/<int:pk>/archive/", archive_views.selection_archive, name="archive_selection"),
    path("archives/year/", archive_views.year_archive, name="archive_year"),
    path("archives/jobs/<int:job_id>/", archive_views.archive_job, name="archive_job"),
    path("archives/jobs/<int:job_id>/progress/", archive_views.archive_progress, name="archive_progress"),
    path("archives/jobs/<int:job_id>/status.json", archive_views.archive_status, name="archive_status"),
    path("archives/jobs/<int:job_id>/download.zip", archive_views.archive_zip, name="archive_zip"),
    path("archives/<int:pk>/pdf/", archive_views.archive_pdf, name="archive_pdf"),
]
