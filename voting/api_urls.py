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
    path("decision-meetings/<int:pk>/results/confirm/", api.DecisionMeetingResultConfirm.as_view()),
    path("decision-meetings/<int:pk>/results/discard/", api.DecisionMeetingResultDiscard.as_view()),
    path("decision-meetings/<int:pk>/second-vote/", api.DecisionMeetingSecondVote.as_view()),
]

# Online secret ballots (../shared/API.md, Ballots).
urlpatterns += [
    path("ballot-sessions/", api.BallotSessionList.as_view()),
    path("ballot-sessions/<int:pk>/", api.BallotSessionDetail.as_view()),
    path("ballot-sessions/<int:pk>/codes.pdf", api.BallotSessionCodesPdf.as_view()),
    path("ballot-sessions/<int:pk>/open/", api.BallotSessionOpen.as_view()),
    path("ballot-sessions/<int:pk>/ballot/", api.BallotForVoter.as_view()),
    path("ballot-sessions/<int:pk>/cast/", api.BallotCast.as_view()),
    path("ballot-sessions/<int:pk>/close/", api.BallotSessionClose.as_view()),
    path("ballot-sessions/<int:pk>/tally/", api.BallotSessionTally.as_view()),
    path("ballot-sessions/<int:pk>/bulletin/", api.BallotSessionBulletin.as_view()),
    path("ballot-sessions/<int:pk>/second-vote/", api.BallotSecondVote.as_view()),
    path("ballot-sessions/<int:pk>/recusals/", api.BallotRecusals.as_view()),
    path("users/<int:pk>/", api.UserCadre.as_view()),
    path("cadres/<int:pk>/kinships/", api.CadreKinships.as_view()),
]
