"""Public (no login) URLs of the review area, included by `urls/public.py` (mounted at /public/, app
`public`): the resident vote page of a round and the objection form of its publicity period."""

from django.urls import path

from ..views import voting as views

voting_urlpatterns = [
    path("rounds/<uuid:public_id>/vote/", views.round_vote, name="round_vote"),
    path("rounds/<uuid:public_id>/vote/code/", views.round_vote_code, name="round_vote_code"),
    path("rounds/<uuid:public_id>/vote/cast/", views.round_vote_cast, name="round_vote_cast"),
    path("rounds/<uuid:public_id>/objection/", views.round_objection, name="round_objection"),
]
