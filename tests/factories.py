"""Factories for the spine. Defaults make an eligible cadre: every E-rule passes."""

from datetime import date, timedelta

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from cadre import roles
from cadre.models import (
    Assessment,
    AssessmentGrade,
    Cadre,
    Education,
    Evaluation,
    Level,
    PersonalReportStatus,
    Position,
    Unit,
)
from nomination.models import RecommendationMeeting, RecommendationResult


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-12345678")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: a transactional test before this one may have flushed the migration's groups.
            self.groups.set([Group.objects.get_or_create(name=name)[0] for name in extracted])
            if roles.ADMIN in extracted:
                self.is_staff = self.is_superuser = True
            self.save()


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"副局长{n}")
    level = Level.SECTION_DEPUTY
    quota = 1


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    gender = "M"
    education = Education.BACHELOR
    birth_date = date(1985, 5, 1)
    party_date = date(2008, 7, 1)
    work_start_date = date(2007, 8, 1)
    unit = factory.SubFactory(UnitFactory)
    personal_report_status = PersonalReportStatus.CHECKED


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    cadre = factory.SubFactory(CadreFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    grade = AssessmentGrade.COMPETENT


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    cadre = factory.SubFactory(CadreFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    excellent = 20
    competent = 10
    basically_competent = 0
    incompetent = 0


class RecommendationMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationMeeting

    unit = factory.SubFactory(UnitFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    entitled = 40
    present = 36
    entered_by = factory.SubFactory(UserFactory)
    # R1: results count only once a second staff member re-entered and confirmed them.
    confirmed_by = factory.SubFactory(UserFactory)
    confirmed_at = factory.LazyFunction(timezone.now)


class RecommendationResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationResult

    meeting = factory.SubFactory(RecommendationMeetingFactory)
    cadre = factory.SubFactory(CadreFactory)
    votes = 30
    rank = 1
