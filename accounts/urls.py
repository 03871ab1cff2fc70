from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("invitations/<token:key>/", views.invitation_accept, name="invitation_accept"),
    path("people/invitations/", views.invitation_list, name="invitation_list"),
    path(
        "people/invitations/<id:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "people/invitations/<id:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("profile/", views.profile, name="profile"),
]
