"""JSON API v1 routes of publicity, complaints and appointment (included under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("candidates/<int:pk>/publicity/", api.PublicityDetail.as_view()),
    path("candidates/<int:pk>/complaints/", api.ComplaintList.as_view()),
    path("candidates/<int:pk>/complaints/<int:complaint_pk>/assign/", api.ComplaintAssign.as_view()),
    path("candidates/<int:pk>/complaints/<int:complaint_pk>/investigate/", api.ComplaintInvestigate.as_view()),
    path("candidates/<int:pk>/complaints/<int:complaint_pk>/conclude/", api.ComplaintConclude.as_view()),
    path("candidates/<int:pk>/appointment-talks/", api.AppointmentTalkList.as_view()),
    path("candidates/<int:pk>/appointment/", api.AppointmentDetail.as_view()),
    path("candidates/<int:pk>/appointment/correction/", api.AppointmentCorrection.as_view()),
    path("public/notices/", api.PublicNoticeList.as_view()),
    path("public/complaints/", api.PublicComplaintCreate.as_view()),
    path("public/complaints/<str:reference>/", api.PublicComplaintStatus.as_view()),
    path("complaints/stats/", api.ComplaintStats.as_view()),
    path("calendar/notices/", api.HolidayNoticeList.as_view()),
    path("calendar/notices/<int:pk>/confirm/", api.HolidayNoticeConfirm.as_view()),
]
