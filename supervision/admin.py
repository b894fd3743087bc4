"""Read-only admin: publicity, complaints and appointment are written only through supervision.services."""

from django.contrib import admin

from .models import Appointment, Complaint, PreAppointmentTalk, Publicity


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "starts_on", "ends_on", "working_days", "published_at"]
    list_select_related = ["candidate__cadre"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["pk", "candidate", "received_on", "channel", "real_name", "status", "substantiated"]
    list_filter = ["status", "channel", "real_name", "substantiated"]
    list_select_related = ["candidate__cadre", "candidate__position__unit"]


@admin.register(PreAppointmentTalk)
class PreAppointmentTalkAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "talked_on", "talked_by"]
    list_select_related = ["candidate__cadre", "candidate__position__unit"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "document_number", "effective_on", "promotion", "probation_ends_on"]
    list_select_related = ["candidate__cadre", "candidate__position__unit"]
