"""The program admin's pages, mounted by `onboarding.urls` at /manage/.

Every view reads through `selectors.people` or `selectors.analytics`, which answer 404 to anyone
who is not a program admin (as for an id that does not exist).
"""

from django.urls import path

from .views import analytics, people

app_name = "manage"

urlpatterns = [
    path("", people.dashboard, name="dashboard"),
    path("import/", people.people_import, name="import"),
    path("invite/", people.invite, name="invite"),
    path("people/<id:person_id>/", people.person_detail, name="person"),
    path("people/<id:person_id>/enroll/", people.person_enroll, name="person_enroll"),
    path("enrollments/<id:enrollment_id>/", people.enrollment_detail, name="enrollment"),
    path(
        "enrollments/<id:enrollment_id>/state/",
        people.enrollment_state,
        name="enrollment_state",
    ),
    path(
        "enrollments/<id:enrollment_id>/schedule/",
        people.enrollment_schedule,
        name="enrollment_schedule",
    ),
    path(
        "enrollments/<id:enrollment_id>/mentor/",
        people.enrollment_mentor,
        name="enrollment_mentor",
    ),
    path("move/", people.move_index, name="move_index"),
    path("move/<id:version_id>/", people.move, name="move"),
    path("cohorts/", people.cohort_list, name="cohorts"),
    path("cohorts/<id:cohort_id>/", people.cohort_detail, name="cohort"),
    path("people/<id:person_id>/erase/", people.person_erase, name="person_erase"),
    path("audit/", people.audit_log, name="audit"),
    path("analytics/", analytics.index, name="analytics"),
]
for _name, _title, _about in analytics.REPORTS:
    urlpatterns += [
        path(
            f"analytics/{_name}/",
            analytics.report,
            {"name": _name},
            name=f"analytics_{_name}",
        ),
        path(
            f"analytics/{_name}.csv",
            analytics.report_csv,
            {"name": _name},
            name=f"analytics_{_name}_csv",
        ),
    ]
