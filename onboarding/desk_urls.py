"""The mentor's desk, mounted by `onboarding.urls` at /desk/.

Every view reads through `selectors.desk`, so an id the viewer may not see is a 404, and the
desk itself is a 404 for anyone who is neither a mentor nor a program admin. Two routes serve
the hire too, for their own questions: `question_ask` (from an item page) and the question
thread (`question`, `question_answer`, `question_resolve`).
"""

from django.urls import path

from .views import desk as views

app_name = "desk"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("reviews/<id:submission_id>/", views.review_detail, name="review"),
    path("reviews/<id:submission_id>/comment/", views.review_comment, name="review_comment"),
    path(
        "reviews/<id:submission_id>/request-changes/",
        views.review_request_changes,
        name="review_request_changes",
    ),
    path("reviews/<id:submission_id>/accept/", views.review_accept, name="review_accept"),
    path("questions/", views.question_inbox, name="question_inbox"),
    path("questions/<id:question_id>/", views.question_detail, name="question"),
    path("questions/<id:question_id>/answer/", views.question_answer, name="question_answer"),
    path("questions/<id:question_id>/resolve/", views.question_resolve, name="question_resolve"),
    path("questions/<id:question_id>/promote/", views.faq_promote, name="faq_promote"),
    path("faq/<id:entry_id>/remove/", views.faq_remove, name="faq_remove"),
    path("ask/<id:enrollment_id>/items/<id:item_id>/", views.question_ask, name="question_ask"),
    path("mentees/<id:enrollment_id>/", views.mentee_detail, name="mentee"),
    path("mentees/<id:enrollment_id>/notes/", views.mentor_note_add, name="mentor_note_add"),
    path("mentees/<id:enrollment_id>/mentors/", views.mentor_assign, name="mentor_assign"),
    path(
        "mentees/<id:enrollment_id>/mentors/end/",
        views.mentor_unassign,
        name="mentor_unassign",
    ),
]
