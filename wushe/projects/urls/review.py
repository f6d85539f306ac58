from django.urls import path

from ..views import review as views

urlpatterns = [
    path("<uuid:public_id>/review/", views.project_review, name="project_review"),
    path("<uuid:public_id>/review/score/", views.review_score, name="review_score"),
    path("<uuid:public_id>/review/assign/", views.review_assign, name="review_assign"),
    path("<uuid:public_id>/review/assignments/<uuid:assignment_id>/void/", views.review_unassign,
         name="review_unassign"),
    path("<uuid:public_id>/review/decide/", views.review_decide, name="review_decide"),
    path("reviews/mine/", views.my_reviews, name="my_reviews"),
    path("rounds/<uuid:public_id>/review/", views.review_board, name="review_board"),
    path("rounds/<uuid:public_id>/review/panel/", views.review_panel_assign, name="review_panel_assign"),
    path("rounds/<uuid:public_id>/review/ranking/", views.review_ranking_save, name="review_ranking_save"),
    path("rounds/<uuid:public_id>/review/publish/", views.review_publish, name="review_publish"),
    path("rounds/<uuid:public_id>/review/contracting/", views.review_contracting, name="review_contracting"),
    path("rounds/<uuid:public_id>/review/ballots/", views.ballot_tokens, name="ballot_tokens"),
    path("rounds/<uuid:public_id>/review/ballots/<uuid:token_id>/revoke/", views.ballot_token_revoke,
         name="ballot_token_revoke"),
    path("review/objections/<uuid:public_id>/answer/", views.objection_answer, name="objection_answer"),
    path("review/objections/<uuid:public_id>/reject/", views.objection_reject_project,
         name="objection_reject_project"),
]
